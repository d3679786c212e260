-- Where conflicts happen, by account: for each region x segment with at least one active
-- deal in the period (created_at < end and closed_at empty or >= start, as of end), the
-- active deals, the contested ones (at least one of the $signals as of $end; empty =
-- every signal), their value at stake and the contested rate (contested / active).
-- Parameters: $start, $end, $lookback_days, $overlap_days, $attribution ('owner' or
-- 'source'), $teams, $regions, $segments, $signals (lists, empty = all).
with active as (
    select * from active_deals($start, $end, $attribution, $teams, $regions, $segments)
),

contested as (
    select deal_id from deal_flags_at_ends([$end], $start, $lookback_days, $overlap_days, $signals) where is_contested
),

final as (
    select
        a.region,
        a.segment,
        count(*) as active,
        count(c.deal_id) as contested,
        coalesce(sum(a.amount) filter (where c.deal_id is not null), 0)::double as contested_amount,
        count(c.deal_id) / count(*) as contested_rate
    from active a
    left join contested c using (deal_id)
    group by all
)

select * from final order by region, segment
