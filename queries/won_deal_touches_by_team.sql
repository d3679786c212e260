-- Customer touches per won deal, per team by attribution: one row per team with a deal won
-- in the period (by team_id; deals of no team left out), with won deals, the customer
-- touches belonging to them (window of $lookback_days) and touches / won deals.
-- Reading recorded here: a touch by any rep counts, whoever's team it is, and a touch
-- belonging to two won deals counts for each.
-- Parameters: $start, $end, $lookback_days, $attribution, $teams, $regions, $segments, $scope_agency (see
-- queries/README.md).
with won_in_period as (
    select deal_id, team_id
    from filtered_deals($end, $attribution, $teams, $regions, $segments, $scope_agency)
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
