-- Shared step: deals as of end_at with their team by attribution, kept by the filters
-- (definitions.md "Team of a deal" and "Filters"). attribution 'owner': the team of
-- owner_rep_id; 'source': the team of source_rep_id (null when there is no source rep:
-- such a deal belongs to no team, is kept when no team is selected, and is dropped by
-- any team selection). regions and segments act on the deal's account. Empty lists
-- mean "all". Only the deals in the scope (03_scope.sql).
-- Macro: filtered_deals(end_at, attribution, teams, regions, segments, scope_agency).
create or replace macro main.filtered_deals(end_at, attribution, teams, regions, segments, scope_agency) as table
with attributed as (
    select d.*, case attribution when 'owner' then d.owner_team_id when 'source' then d.source_team_id end as team_id
    from deals_as_of(end_at) d
)

select *
from attributed
where deal_in_scope(scope_agency, deal_id)
    and (len(teams::varchar[]) = 0 or list_contains(teams::varchar[], team_id))
    and (len(regions::varchar[]) = 0 or list_contains(regions::varchar[], region))
    and (len(segments::varchar[]) = 0 or list_contains(segments::varchar[], segment));

-- The active deals of [start_at, end_at) among them (definitions.md "Active deal": created
-- before end_at, and open or closed at or after start_at, as of end_at).
-- Macro: active_deals(start_at, end_at, attribution, teams, regions, segments, scope_agency).
create or replace macro main.active_deals(start_at, end_at, attribution, teams, regions, segments, scope_agency) as table
select *
from filtered_deals(end_at, attribution, teams, regions, segments, scope_agency)
where closed_at is null or closed_at >= start_at;
