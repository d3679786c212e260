-- Customer touches in the period, kept by the filters: one row per kind of the acting rep
-- x channel (every one, 0 when none); direction is ignored.
-- Parameters: $start, $end, $teams, $regions, $segments, $scope_agency (see queries/README.md).
with touches as (
    select kind, channel from customer_touches($start, $end, $teams, $regions, $segments, $scope_agency)
),

grid as (
    select k.kind, c.channel
    from team_kinds() k
    cross join channels() c
),

counted as (
    select kind, channel, count(*) as touches from touches group by all
),

final as (
    select g.kind, g.channel, coalesce(c.touches, 0) as touches
    from grid g
    left join counted c using (kind, channel)
)

select * from final order by kind, channel
