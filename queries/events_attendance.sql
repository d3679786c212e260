-- Every event held in the period with its attendance by force: one row per event and force
-- that attended it (force: 'internal', or an external team's agency, its name when it has
-- none), and one row with force null and attendees 0 for an event nobody attended. shared
-- and intrusions follow definitions.md "Shared event" and "Intrusion": shared = not
-- internal_only and kind convention, seminar, product_launch or team_building;
-- intruders = the event's external attendees when it is internal_only or a
-- strategy_meeting (0 otherwise). The team filter keeps the attendees of the selected teams
-- (the events stay); held_on is a date, in the period when start <= held_on < end.
-- Parameters: $start, $end, $teams, $scope_agency (the user's scope,
-- queries/shared/03_scope.sql): the events in scope and their attendance by reps in scope
-- (internal ones and the agency's).
with events_in_period as (
    select *,
           not internal_only and kind in ('convention', 'seminar', 'product_launch', 'team_building') as shared,
           internal_only or kind = 'strategy_meeting' as closed_to_agencies
    from events
    where held_on >= $start::date and held_on < $end::date
        and event_in_scope($scope_agency, event_id, internal_only, kind)
),

attendees as (
    select a.event_id, r.rep_id, r.kind, coalesce(r.agency, 'internal') as force
    from event_attendance a
    join rep_kinds() r using (rep_id)
    where (len($teams::varchar[]) = 0 or list_contains($teams::varchar[], r.team_id))
        and team_in_scope($scope_agency, r.kind, r.agency)
),

counted as (
    select e.event_id, e.name, e.kind, e.held_on, e.internal_only, e.shared, e.closed_to_agencies,
           a.force, count(a.rep_id) as attendees,
           count(a.rep_id) filter (where e.closed_to_agencies and a.kind = 'external') as intruders
    from events_in_period e
    left join attendees a using (event_id)
    group by all
)

select * from counted
order by held_on, event_id, force is distinct from 'internal', force nulls last
