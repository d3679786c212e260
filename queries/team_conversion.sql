-- Conversion per team by attribution (definitions.md "Deal figures"): created (created_at in
-- the period), won and lost (that status and closed_at in the period, as of end), won
-- amount, win rate = won / (won + lost) with its Wilson 95% interval (null when no
-- closed deal), and the median sales cycle in fractional days over those won deals
-- (mean of the two middle values for an even count; null when none). closed = won +
-- lost; avg_deal_size = won_amount / won (null when nothing was won). Every team of
-- the teams table is listed (those selected, when teams are selected), sorted by
-- team_id; deals without a team under 'source' attribution count for no team.
-- Parameters: $start, $end, $attribution ('owner' or 'source'), $teams, $regions,
-- $segments (lists, empty = all).
with deals as (
    select * from filtered_deals($end, $attribution, $teams, $regions, $segments) where team_id is not null
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
    select * from teams where len($teams::varchar[]) = 0 or list_contains($teams::varchar[], team_id)
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
