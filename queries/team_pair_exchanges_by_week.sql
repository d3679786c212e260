-- One internal team and one agency: the cross-team exchanges between their reps in the
-- period, either initiator: one row per week x channel (every one, 0 when none).
-- Parameters: $start, $end, $internal_team, $external_team (team ids), $scope_agency (see queries/README.md).
with exchanges as (
    select date_trunc('week', occurred_at) as week_start, channel
    from rep_exchanges($start, $end, [], $scope_agency)
    where (initiator_team_id = $internal_team and counterpart_team_id = $external_team)
        or (initiator_team_id = $external_team and counterpart_team_id = $internal_team)
),

final as (
    select g.week_start::date as week_start, g.channel, count(x.channel) as exchanges
    from week_channel_grid($start, $end) g
    left join exchanges x on x.week_start = g.week_start and x.channel = g.channel
    group by all
)

select * from final order by week_start, channel
