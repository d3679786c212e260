-- Customer touches (activities with a contact) in the period by the acting rep's kind
-- and channel; direction is ignored. Both kinds x every channel appear, 0 when none.
-- The team filter keeps a touch when the acting rep's team is selected; region and
-- segment filters act on the contact's account.
-- Parameters: $start, $end (period [start, end)), $teams, $regions, $segments (lists,
-- empty = all).
with touches as (
    select r.kind, a.channel
    from activities a
    join contacts c using (contact_id)
    join accounts acc on acc.account_id = c.account_id
    join rep_kinds() r on r.rep_id = a.rep_id
    where a.occurred_at >= $start
        and a.occurred_at < $end
        and (len($teams::varchar[]) = 0 or list_contains($teams::varchar[], r.team_id))
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], acc.region))
        and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], acc.segment))
),

grid as (
    select kind, channel
    from (values ('internal'), ('external')) k(kind)
    cross join (values ('call'), ('email'), ('meeting')) c(channel)
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
