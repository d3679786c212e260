-- Does coordination pay? The deals closed in the period whose owner and source rep are of
-- different kinds, kept by the filters, ranked by the rep-to-rep activities between those
-- two reps (either initiator, any channel) in the deal window [created_at - $lookback_days
-- days, closed_at), ties by deal_id, cut by ntile(4): one row per quartile with deals, min
-- and max exchanges (the same count can fall in adjacent quartiles), won, lost, win rate.
-- Parameters: $start, $end, $lookback_days, $attribution, $teams, $regions, $segments, $scope_agency (see
-- queries/README.md).
with shared_deals as (
    select deal_id, status, created_at, closed_at,
           least(owner_rep_id, source_rep_id) as rep_low, greatest(owner_rep_id, source_rep_id) as rep_high
    from filtered_deals($end, $attribution, $teams, $regions, $segments, $scope_agency)
    where owner_kind <> source_kind and status in ('won', 'lost') and closed_at >= $start
        -- under an agency's scope, the deals whose pair is its own: another pair's exchanges are
        -- another agency's
        and ($scope_agency is null
             or exists (select 1 from rep_kinds() r
                        where r.rep_id in (owner_rep_id, source_rep_id) and r.agency = $scope_agency))
),

per_deal as (
    select d.deal_id, d.status, count(x.occurred_at) as exchanges
    from shared_deals d
    left join rep_pair_exchanges($end) x
        on x.rep_low = d.rep_low and x.rep_high = d.rep_high
        and x.occurred_at >= d.created_at - $lookback_days * interval 1 day
        and x.occurred_at < d.closed_at
    group by all
),

ranked as (
    select *, ntile(4) over (order by exchanges, deal_id) as quartile from per_deal
),

per_quartile as (
    select
        quartile,
        count(*) as deals,
        min(exchanges) as min_exchanges,
        max(exchanges) as max_exchanges,
        count(*) filter (where status = 'won') as won,
        count(*) filter (where status = 'lost') as lost
    from ranked
    group by quartile
),

final as (
    select
        *,
        win_rate(won, lost) as win_rate,
        win_rate_low(won, lost) as win_rate_low,
        win_rate_high(won, lost) as win_rate_high
    from per_quartile
)

select * from final order by quartile
