-- One pair of reps: their rep-to-rep exchanges in the period, either initiator: one row per
-- week x channel (every one, 0 when none).
-- Parameters: $start, $end, $rep_a, $rep_b (the two rep ids), $scope_agency (the user's scope,
-- queries/shared/03_scope.sql: none unless one of the two is the agency's rep) (see queries/README.md).
with exchanges as (
    select date_trunc('week', occurred_at) as week_start, channel
    from activities
    where occurred_at >= $start
        and occurred_at < $end
        and ((rep_id = $rep_a and counterpart_rep_id = $rep_b) or (rep_id = $rep_b and counterpart_rep_id = $rep_a))
        and ($scope_agency is null
             or exists (select 1 from rep_kinds() r where r.rep_id in ($rep_a, $rep_b) and r.agency = $scope_agency))
),

final as (
    select g.week_start::date as week_start, g.channel, count(x.channel) as exchanges
    from week_channel_grid($start, $end) g
    left join exchanges x on x.week_start = g.week_start and x.channel = g.channel
    group by all
)

select * from final order by week_start, channel
