-- Deal figures of the period, and the contested figures over active deals (DESIGN
-- "Deal figures"): active, created, won, lost, won_amount; contested count, value at
-- stake (sum of amount of contested active deals, any status), contested rate
-- (contested / active, null when no active deal) and the count per signal (a deal
-- counts under each of its signals), and the ids of the contested active deals (sorted
-- as plain strings). A deal is contested when it has one of the $signals (empty = every
-- signal); the per-signal counts ignore that selection.
-- Parameters: $start, $end, $lookback_days, $overlap_days, $attribution ('owner' or
-- 'source'), $teams, $regions, $segments, $signals (lists, empty = all).
with deals as (
    select * from filtered_deals($end, $attribution, $teams, $regions, $segments)
),

signals as (
    select * from deal_signals($end, $lookback_days, $overlap_days, $signals)
),

flagged as (
    select d.*, (d.closed_at is null or d.closed_at >= $start) as is_active, coalesce(s.is_contested, false) as is_contested,
           coalesce(s.double_claim, false) as double_claim, coalesce(s.out_of_scope, false) as out_of_scope,
           coalesce(s.uncoordinated_overlap, false) as uncoordinated_overlap
    from deals d
    left join signals s using (deal_id)
),

final as (
    select
        count(*) filter (where is_active) as active,
        count(*) filter (where created_at >= $start) as created,
        count(*) filter (where status = 'won' and closed_at >= $start) as won,
        count(*) filter (where status = 'lost' and closed_at >= $start) as lost,
        coalesce(sum(amount) filter (where status = 'won' and closed_at >= $start), 0)::double as won_amount,
        count(*) filter (where is_active and is_contested) as contested,
        coalesce(sum(amount) filter (where is_active and is_contested), 0)::double as contested_amount,
        case when count(*) filter (where is_active) > 0
             then (count(*) filter (where is_active and is_contested)) / (count(*) filter (where is_active)) end
            as contested_rate,
        count(*) filter (where is_active and double_claim) as double_claim,
        count(*) filter (where is_active and out_of_scope) as out_of_scope,
        count(*) filter (where is_active and uncoordinated_overlap) as uncoordinated_overlap,
        coalesce(list(deal_id order by deal_id) filter (where is_active and is_contested), [])
            as contested_deal_ids
    from flagged
)

select * from final
