-- What the global filters can offer: one row per choice. kind is 'team' (value =
-- team_id, label = name, detail = internal/external), 'region' or 'segment' (value =
-- label), or 'period' (value = first day with an activity, label = last day).
-- Parameters: none.
with choices as (
    select 'team' as kind, team_id as value, name as label, kind as detail from teams
    union all
    select distinct 'region', region, region, null from accounts
    union all
    select distinct 'segment', segment, segment, null from accounts
    union all
    select 'period', first_activity_at::date::varchar, last_activity_at::date::varchar, null from derived_spans
)

select * from choices order by kind, detail, value
