-- Shared step: where the rules of engagement leak in [start_at, end_at), judged as of end_at
-- (the leaks): every out-of-scope touch made in the period (definitions.md "Contest signals"),
-- exactly the out_of_scope evidence of the contest signal, one row per touch and deal it
-- belongs to, with the touching rep's team, the deal's account segment and region, the
-- deal's stage at the touch (the evidence's detail), and the deal's status and amount as of
-- end_at. The team filter keeps a touch when the touching rep's team is selected (as for
-- customer touches); regions and segments act on the deal's account. Only the deals in the
-- scope (03_scope.sql), and the touches by reps in it (internal ones and the agency's).
-- rules: null for the database's own rules (the signal's evidence, contest_evidence, read
-- from the pre-computed tables for the default rule), or a list of edited rules (a
-- what-if: out_of_scope_timeline with that list, the same definition). DuckDB drops the
-- branch whose condition is false for the bound value.
-- Macros: out_of_scope_touches(start_at, end_at, lookback_days, overlap_days, teams, regions, segments, rules,
--   scope_agency).
create or replace macro main.out_of_scope_touches(start_at, end_at, lookback_days, overlap_days, teams, regions,
                                                   segments, rules, scope_agency) as table
with evidence as (
    select deal_id, activity_id, rep_id, evidence_at, detail
    from contest_evidence(end_at, lookback_days, overlap_days)
    where signal = 'out_of_scope' and rules is null
    union all
    select deal_id, activity_id, rep_id, evidence_at, detail
    from out_of_scope_timeline(end_at, lookback_days, rules)
    where rules is not null and valid_from < end_at
)

select e.deal_id, e.activity_id, e.rep_id, r.team_id, e.evidence_at as occurred_at, e.detail as stage_then,
       d.segment, d.region, d.status, d.amount
from evidence e
join deals_as_of(end_at) d using (deal_id)
join rep_kinds() r on r.rep_id = e.rep_id
where e.evidence_at >= start_at
    and e.evidence_at < end_at
    and deal_in_scope(scope_agency, e.deal_id)
    and team_in_scope(scope_agency, r.kind, r.agency)
    and (len(teams::varchar[]) = 0 or list_contains(teams::varchar[], r.team_id))
    and (len(regions::varchar[]) = 0 or list_contains(regions::varchar[], d.region))
    and (len(segments::varchar[]) = 0 or list_contains(segments::varchar[], d.segment));
