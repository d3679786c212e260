-- Shared step: customer touches (activities with a contact) in [start_at, end_at) with
-- the acting rep's team and kind and the contact's account. The team filter keeps a
-- touch when the acting rep's team is selected; regions and segments act on the
-- contact's account (definitions.md "Filters"). Empty lists mean "all".
-- customer_touches_live() resolves every touch; it is a pure function of the tables,
-- pre-computed with the database in time order as derived_customer_touches
-- (queries/derived/), which customer_touches reads: a period is then a range of it,
-- without joining a million activities to contacts and accounts.
-- customer_touches keeps the touches in the scope (03_scope.sql): made by internal reps or the agency's,
-- naming no deal or a deal in scope.
-- Macros: customer_touches_live(), customer_touches(start_at, end_at, teams, regions, segments, scope_agency).
create or replace macro main.customer_touches_live() as table
select a.activity_id, a.occurred_at, a.channel, a.rep_id, r.team_id, r.kind, r.agency, a.deal_id, c.account_id, acc.region,
       acc.segment
from activities a
join contacts c using (contact_id)
join accounts acc on acc.account_id = c.account_id
join rep_kinds() r on r.rep_id = a.rep_id;

create or replace macro main.customer_touches(start_at, end_at, teams, regions, segments, scope_agency) as table
select *
from derived_customer_touches
where occurred_at >= start_at
    and occurred_at < end_at
    and touch_in_scope(scope_agency, kind, agency, deal_id)
    and (len(teams::varchar[]) = 0 or list_contains(teams::varchar[], team_id))
    and (len(regions::varchar[]) = 0 or list_contains(regions::varchar[], region))
    and (len(segments::varchar[]) = 0 or list_contains(segments::varchar[], segment));
