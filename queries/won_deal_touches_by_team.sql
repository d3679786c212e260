-- Customer touches per won deal, per team by attribution (issue 7 "activities per won
-- deal"): the deals won in the period (status won and closed_at in [start, end), as of
-- end, as in team_conversion), the customer touches belonging to them (definitions.md "Customer
-- touch", counted by the shared step closed_deal_touch_counts with a deal window of
-- $lookback_days; a touch by any rep counts, whoever's team it is, and a touch belonging
-- to two won deals counts for each), and touches / won deals. Only teams with a won deal
-- are listed, by team_id; deals without a team (source attribution, no source rep) are
-- left out.
-- Parameters: $start, $end, $lookback_days, $attribution ('owner' or 'source'), $teams,
-- $regions, $segments (lists, empty = all).
with won_in_period as (
    select deal_id, team_id
    from filtered_deals($end, $attribution, $teams, $regions, $segments)
    where team_id is not null and status = 'won' and closed_at >= $start
),

touches as (
    select w.team_id, w.deal_id, coalesce(t.touches, 0) as touches
    from won_in_period w
    left join closed_deal_touch_counts($end, $lookback_days) t using (deal_id)
),

final as (
    select team_id, count(*) as won, sum(touches)::bigint as touches, sum(touches) / count(*) as touches_per_won_deal
    from touches
    group by team_id
)

select * from final order by team_id
