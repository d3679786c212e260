-- Conversion per team by attribution: one row per team of the teams table in scope (the selected
-- ones when teams are selected), by team_id, with created, won, lost, won_amount, win rate,
-- the median sales cycle (definitions.md "Sales cycle"), closed = won + lost and
-- avg_deal_size = won_amount / won (null when nothing was won).
-- Parameters: $start, $end, $attribution, $teams, $regions, $segments, $scope_agency (see queries/README.md).
with deals as (
    select * from filtered_deals($end, $attribution, $teams, $regions, $segments, $scope_agency) where team_id is not null
),

per_team as (
    select
        team_id,
        count(*) filter (where created_at >= $start) as created,
        count(*) filter (where status = 'won' and closed_at >= $start) as won,
        count(*) filter (where status = 'lost' and closed_at >= $start) as lost,
        sum(amount) filter (where status = 'won' and closed_at >= $start) as won_amount,
        quantile_cont(epoch(closed_at - created_at) / 86400.0, 0.5)
            filter (where status = 'won' and closed_at >= $start) as median_cycle_days
    from deals
    group by team_id
),

listed_teams as (
    select * from teams
    where (len($teams::varchar[]) = 0 or list_contains($teams::varchar[], team_id))
        and team_in_scope($scope_agency, kind, rep_agency(kind, agency, name))
),

per_listed_team as (
    select
        t.team_id,
        t.name,
        t.kind,
        coalesce(p.created, 0) as created,
        coalesce(p.won, 0) as won,
        coalesce(p.lost, 0) as lost,
        coalesce(p.won_amount, 0)::double as won_amount,
        p.median_cycle_days
    from listed_teams t
    left join per_team p using (team_id)
),

final as (
    select
        team_id,
        name,
        kind,
        created,
        won,
        lost,
        won_amount,
        win_rate(won, lost) as win_rate,
        win_rate_low(won, lost) as win_rate_low,
        win_rate_high(won, lost) as win_rate_high,
        median_cycle_days,
        won + lost as closed,
        case when won > 0 then won_amount / won end as avg_deal_size
    from per_listed_team
)

select * from final order by team_id
