-- Activities per ISO week (Monday start) by what they are: customer touches by the
-- acting rep's kind, and rep-to-rep activities as cross-team (reps of different kinds)
-- or within-team (same kind). Every week from the first to the last activity appears
-- for every kind, with 0 where there was none, so lines never bridge a gap.
-- For the data overview; no period filter. Pre-computed with the database (shared
-- step activities_by_week_and_kind_live) for the whole data.
-- Parameters: $scope_agency (the user's scope, queries/shared/03_scope.sql): an agency's
-- activities in scope are counted when asked.
with counted as (
    select * from derived_activities_by_week_and_kind where $scope_agency is null
    union all
    select * from activities_by_week_and_kind_live($scope_agency) where $scope_agency is not null
)

select * from counted order by week_start, activity_kind
