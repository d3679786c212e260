-- The rules of engagement (data contract, scope_rules): one row per team and rule, and one
-- row with null segment, region and stages for a team with no rule (while any team has a
-- rule, every touch of such a team on a deal owned by the other force is out of scope:
-- definitions.md "Contest signals"). Stage positions (stage_order) order the ranges.
-- Parameters: $scope_agency (the user's scope, queries/shared/03_scope.sql): the teams in
-- scope (internal ones and the agency's).
select t.team_id, t.name as team_name, t.kind, coalesce(t.agency, t.name) as agency, r.segment, r.region,
       r.stage_from, r.stage_to, f.position as from_position, o.position as to_position
from teams t
left join scope_rules r using (team_id)
left join stage_order f on f.stage = r.stage_from
left join stage_order o on o.stage = r.stage_to
where team_in_scope($scope_agency, t.kind, rep_agency(t.kind, t.agency, t.name))
order by t.kind, t.name, t.team_id, r.segment, r.region, f.position, o.position
