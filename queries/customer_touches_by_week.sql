-- Customer touches per ISO week (Monday start) by the acting rep's kind in the period;
-- every week of the period and both kinds appear, 0 when none. The team filter keeps a
-- touch when the acting rep's team is selected; region and segment act on the
-- contact's account.
-- Parameters: $start, $end (period [start, end)), $teams, $regions, $segments (lists,
-- empty = all).
with touches as (
    select date_trunc('week', occurred_at) as week_start, kind
    from customer_touches($start, $end, $teams, $regions, $segments)
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
