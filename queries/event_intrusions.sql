-- External reps at events closed to agencies (definitions.md "Intrusion": an external rep
-- attending an event that is internal_only or a strategy_meeting), held in the period: one
-- row per event and external attendee, with the rep's team and agency. The team filter
-- keeps the attendees of the selected teams.
-- Parameters: $start, $end, $teams, $scope_agency (the user's scope,
-- queries/shared/03_scope.sql): an event closed to agencies is never in an agency's scope, so
-- under one this is empty.
select e.event_id, e.name as event_name, e.kind, e.held_on, e.internal_only, r.rep_id, r.name as rep_name,
       t.team_id, t.name as team_name, coalesce(t.agency, t.name) as agency
from events e
join event_attendance a using (event_id)
join reps r using (rep_id)
join teams t using (team_id)
where (e.internal_only or e.kind = 'strategy_meeting')
    and t.kind = 'external'
    and e.held_on >= $start::date and e.held_on < $end::date
    and (len($teams::varchar[]) = 0 or list_contains($teams::varchar[], t.team_id))
    and event_in_scope($scope_agency, e.event_id, e.internal_only, e.kind)
order by e.held_on, e.event_id, t.name, r.name, r.rep_id
