-- Customer touches in the period, kept by the filters: one row per week x kind of the
-- acting rep (every one, 0 when none).
-- Parameters: $start, $end, $teams, $regions, $segments, $scope_agency (see queries/README.md).
with touches as (
    select date_trunc('week', occurred_at) as week_start, kind
    from customer_touches($start, $end, $teams, $regions, $segments, $scope_agency)
),

counted as (
    select week_start, kind, count(*) as touches from touches group by all
),

final as (
    select w.week_start::date as week_start, k.kind, coalesce(c.touches, 0) as touches
    from period_weeks($start, $end) w
    cross join team_kinds() k
    left join counted c on c.week_start = w.week_start and c.kind = k.kind
)

select * from final order by week_start, kind
