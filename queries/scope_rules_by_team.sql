-- The agreed scope of every team (data contract, scope_rules): one row per rule with the team's
-- name and kind, for explaining an out-of-scope touch. Empty when the file was absent.
-- Parameters: $scope_agency (the user's scope, queries/shared/03_scope.sql): the teams in
-- scope (internal ones and the agency's).
select r.team_id, t.name as team_name, t.kind, r.segment, r.region, r.stage_from, r.stage_to
from scope_rules r
join teams t using (team_id)
where team_in_scope($scope_agency, t.kind, rep_agency(t.kind, t.agency, t.name))
order by t.kind, r.team_id, r.segment, r.region, r.stage_from
