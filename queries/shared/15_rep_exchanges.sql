-- Shared step: rep-to-rep activities in [start_at, end_at) with both reps' teams and
-- kinds, kept by the team filter (definitions.md: an activity is kept when the initiating
-- rep's or the counterpart rep's team is selected; regions and segments do not apply
-- to rep-to-rep exchanges). exchange_kind is 'cross_team' when the two reps are of
-- different kinds, else 'within_team' (two internal teams talking count here too).
-- rep_exchanges_live() lists every rep-to-rep activity so; it is a pure function of the
-- tables, pre-computed with the database in time order as derived_rep_exchanges
-- (queries/derived/), which rep_exchanges reads.
-- rep_exchanges keeps the exchanges in the scope (03_scope.sql): one side is the agency's rep.
-- rep_pair_exchanges does not: the contest signals are a deal's, whoever looks (a query reading it
-- keeps its own rows in scope).
-- exchange_kinds() lists the two exchange kinds.
-- call_minutes(channel, duration_s): aggregate, the call minutes of the rows (definitions.md:
-- duration_s of calls only, empty counting 0, / 60; 0 when there is no call).
-- rep_pair_exchanges(end_at): every rep-to-rep activity before end_at, any team, with its
-- two reps as an unordered pair (rep_low, rep_high): either rep may have initiated.
-- Macros: rep_exchanges_live(), rep_exchanges(start_at, end_at, teams, scope_agency), exchange_kinds(),
-- call_minutes(channel, duration_s), rep_pair_exchanges(end_at).
create or replace macro main.rep_exchanges_live() as table
select
    a.activity_id,
    a.occurred_at,
    a.channel,
    a.direction,
    coalesce(a.duration_s, 0) as duration_s,
    a.rep_id as initiator_rep_id,
    initiator.team_id as initiator_team_id,
    initiator.kind as initiator_kind,
    initiator.agency as initiator_agency,
    a.counterpart_rep_id,
    counterpart.team_id as counterpart_team_id,
    counterpart.kind as counterpart_kind,
    counterpart.agency as counterpart_agency,
    case when initiator.kind <> counterpart.kind then 'cross_team' else 'within_team' end as exchange_kind
from activities a
join rep_kinds() initiator on initiator.rep_id = a.rep_id
join rep_kinds() counterpart on counterpart.rep_id = a.counterpart_rep_id;

create or replace macro main.rep_exchanges(start_at, end_at, teams, scope_agency) as table
select *
from derived_rep_exchanges
where occurred_at >= start_at
    and occurred_at < end_at
    and exchange_in_scope(scope_agency, initiator_agency, counterpart_agency)
    and (len(teams::varchar[]) = 0
         or list_contains(teams::varchar[], initiator_team_id)
         or list_contains(teams::varchar[], counterpart_team_id));

create or replace macro main.exchange_kinds() as table
select * from (values ('cross_team'), ('within_team')) k(exchange_kind);

create or replace macro main.call_minutes(channel, duration_s) as
    coalesce(sum(duration_s) filter (where channel = 'call'), 0) / 60.0;

create or replace macro main.rep_pair_exchanges(end_at) as table
select least(rep_id, counterpart_rep_id) as rep_low, greatest(rep_id, counterpart_rep_id) as rep_high, occurred_at
from activities
where counterpart_rep_id is not null and occurred_at < end_at;
