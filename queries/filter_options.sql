-- What the global filters can offer: one row per choice. kind is 'team' (value =
-- team_id, label = name, detail = internal/external), 'region' or 'segment' (value =
-- label), or 'period' (value = first day of the data, label = last day: the span of
-- every dated table, queries/derived/40_spans.sql).
-- Parameters: $scope_agency (the user's scope, queries/shared/03_scope.sql): the teams in scope
-- (internal ones and the agency's); regions, segments and the data's span are not an agency's.
with choices as (
    select 'team' as kind, team_id as value, name as label, kind as detail
    from teams
    where team_in_scope($scope_agency, kind, rep_agency(kind, agency, name))
    union all
    select distinct 'region', region, region, null from accounts
    union all
    select distinct 'segment', segment, segment, null from accounts
    union all
    select 'period', first_data_at::date::varchar, last_data_at::date::varchar, null from derived_spans
)

select * from choices order by kind, detail, value
