-- Shared step: who may see what (docs/definitions.md "Scope"). The query runner binds the
-- signed-in user's scope to every query as $scope_agency: null for all the data (admin,
-- director, internal manager, presenter, open access), else one agency (an agency manager):
-- the `agency` of its teams, or a team's name when its agency is empty (as events_attendance
-- names a force). Every query passes it to the macros below, or to the shared steps that
-- take it, and keeps only what is in scope:
--   deals: those whose owner or source rep is one of the agency's reps, or that one of its
--     reps claimed or made a customer touch belonging to (under the longest pre-computed
--     lookback, 90 days, at any time: the set does not move with the period or the rule);
--   rep-to-rep activities where one side is its rep;
--   customer touches made by internal reps or its reps that name no deal or a deal in scope
--     (a deal's own timeline and evidence show every touch of a deal in scope, other
--     agencies' reps under pseudonyms);
--   events one of its reps attended that are neither internal-only nor strategy meetings,
--     and their attendance by its reps and internal reps;
--   teams, reps and scope rules: the internal ones and its own.
-- Names of other agencies and of reps are replaced after the query (tandem.model.pseudonyms).
-- Under an agency's scope every other agency is one, "Other agency": a query that groups by
-- team puts their teams in one group (other_agency_team), so that a deal two of them worked
-- counts once and nothing tells them apart.
-- Macros: rep_agency(kind, agency, team_name), other_agency(scope_agency, kind, agency),
-- other_agency_team(scope_agency, team_id, kind, agency) (the team's id, or '(other agency)'
-- for another agency's team), other_agency_name(), team_shown_name(scope_agency, kind, agency,
-- team_name) (the team's name, or "Other agency"),
-- team_in_scope(scope_agency, kind, agency), deal_in_scope(scope_agency, deal_id),
-- touch_in_scope(scope_agency, kind, agency, deal_id) (the acting rep's kind and agency),
-- exchange_in_scope(scope_agency, initiator_agency, counterpart_agency),
-- event_in_scope(scope_agency, event_id, internal_only, kind).
create or replace macro main.rep_agency(kind, agency, team_name) as
    case when kind = 'external' then coalesce(agency, team_name) end;

create or replace macro main.other_agency(scope_agency, kind, agency) as
    scope_agency is not null and kind = 'external' and agency <> scope_agency;

create or replace macro main.other_agency_name() as 'Other agency';

create or replace macro main.other_agency_team(scope_agency, team_id, kind, agency) as
    case when other_agency(scope_agency, kind, agency) then '(other agency)' else team_id end;

create or replace macro main.team_shown_name(scope_agency, kind, agency, team_name) as
    case when other_agency(scope_agency, kind, agency) then other_agency_name() else team_name end;

create or replace macro main.team_in_scope(scope_agency, kind, agency) as
    scope_agency is null or kind = 'internal' or agency = scope_agency;

create or replace macro main.deal_in_scope(scope_agency, deal_id) as
    scope_agency is null
    or deal_id in (select s.deal_id from derived_deal_agencies s where s.agency = scope_agency);

create or replace macro main.touch_in_scope(scope_agency, kind, agency, deal_id) as
    scope_agency is null
    or (team_in_scope(scope_agency, kind, agency) and (deal_id is null or deal_in_scope(scope_agency, deal_id)));

create or replace macro main.exchange_in_scope(scope_agency, initiator_agency, counterpart_agency) as
    scope_agency is null or initiator_agency = scope_agency or counterpart_agency = scope_agency;

create or replace macro main.event_in_scope(scope_agency, event_id, internal_only, kind) as
    scope_agency is null
    or (not internal_only and kind <> 'strategy_meeting'
        and event_id in (select ea.event_id
                         from event_attendance ea
                         join rep_kinds() r using (rep_id)
                         where r.agency = scope_agency));
