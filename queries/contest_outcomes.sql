-- Outcome of the deals closed in the period (won or lost), contested or not, by the kind of
-- the owner's team: one row per (contested, owner_kind), plus owner_kind 'all' per contested.
-- Reading recorded here: owner_kind is "who ended up with the deal": owner_rep_id is the
-- owner at close (the contract keeps no owner history).
-- Parameters: $start, $end, $lookback_days, $overlap_days, $attribution, $teams, $regions,
-- $segments, $signals, $scope_agency (see queries/README.md).
with closed as (
    select d.*, coalesce(s.is_contested, false) as contested
    from filtered_deals($end, $attribution, $teams, $regions, $segments, $scope_agency) d
    left join deal_flags_at_ends([$end], $start, $lookback_days, $overlap_days, $signals) s using (deal_id)
    where d.status in ('won', 'lost') and d.closed_at >= $start
),

grid as (
    select c.contested, k.owner_kind
    from (values (true), (false)) c(contested)
    cross join (select kind as owner_kind from team_kinds() union all select 'all') k
),

counted as (
    select
        contested,
        coalesce(owner_kind, 'all') as owner_kind,
        count(*) filter (where status = 'won') as won,
        count(*) filter (where status = 'lost') as lost,
        coalesce(sum(amount) filter (where status = 'won'), 0)::double as won_amount
    from closed
    group by grouping sets ((contested, owner_kind), (contested))
),

per_cell as (
    select
        g.contested,
        g.owner_kind,
        coalesce(c.won, 0) as won,
        coalesce(c.lost, 0) as lost,
        coalesce(c.won_amount, 0)::double as won_amount
    from grid g
    left join counted c using (contested, owner_kind)
),

final as (
    select
        *,
        win_rate(won, lost) as win_rate,
        win_rate_low(won, lost) as win_rate_low,
        win_rate_high(won, lost) as win_rate_high
    from per_cell
)

select * from final order by contested desc, owner_kind = 'all', owner_kind
