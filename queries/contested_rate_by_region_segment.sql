-- Where conflicts happen, by account: one row per region x segment with an active deal in
-- the period: active, contested, contested_amount, contested_rate.
-- Parameters: $start, $end, $lookback_days, $overlap_days, $attribution, $teams, $regions,
-- $segments, $signals, $scope_agency (see queries/README.md).
with active as (
    select * from active_deals($start, $end, $attribution, $teams, $regions, $segments, $scope_agency)
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
