-- Customer touches (activities with a contact) in the period by the acting rep's kind
-- and channel; direction is ignored. Both kinds x every channel appear, 0 when none.
-- The team filter keeps a touch when the acting rep's team is selected; region and
-- segment filters act on the contact's account.
-- Parameters: $start, $end (period [start, end)), $teams, $regions, $segments (lists,
-- empty = all).
with touches as (
    select kind, channel from customer_touches($start, $end, $teams, $regions, $segments)
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
