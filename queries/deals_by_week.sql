-- Deals per ISO week (Monday start) for the data overview: created (by created_at), won
-- and lost (by closed_at and the final status). Every week from the first to the last of
-- those dates appears for each of the three, with 0 where there was none, so lines never
-- bridge a gap. No period filter: the whole file, as recorded.
-- Parameters: $scope_agency (the user's scope, queries/shared/03_scope.sql): deals in scope.
with scoped as (
    select * from deals where deal_in_scope($scope_agency, deal_id)
),

dated as (
    select created_at as dated_at, 'created' as deal_event from scoped
    union all
    select closed_at, status from scoped where closed_at is not null
),

grid as (
    select w.week_start, e.deal_event
    from period_weeks((select min(dated_at) from dated), (select max(dated_at) from dated) + interval 1 microsecond) w
    cross join (values ('created'), ('won'), ('lost')) e(deal_event)
),

counted as (
    select date_trunc('week', dated_at) as week_start, deal_event, count(*) as deal_count
    from dated
    group by all
),

final as (
    select g.week_start, g.deal_event, coalesce(c.deal_count, 0) as deal_count
    from grid g
    left join counted c using (week_start, deal_event)
)

select * from final order by week_start, deal_event
