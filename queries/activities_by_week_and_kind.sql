-- Activities per ISO week (Monday start) by what they are: customer touches by the
-- acting rep's kind, and rep-to-rep activities as cross-team (reps of different kinds)
-- or within-team (same kind). Every week from the first to the last activity appears
-- for every kind, with 0 where there was none, so lines never bridge a gap.
-- For the data overview; no period filter. Pre-computed with the database (shared
-- step activities_by_week_and_kind_live).
-- Parameters: none.
select * from derived_activities_by_week_and_kind order by week_start, activity_kind
