-- Shared step: where the rules of engagement leak in [start_at, end_at), judged as of end_at
-- (the leaks): every out-of-scope touch made in the period (definitions.md "Contest signals"),
-- exactly the out_of_scope evidence of the contest signal (contest_evidence, same rule), one
-- row per touch and deal it belongs to, with the touching rep's team, the deal's account
-- segment and region, the deal's stage at the touch (the evidence's detail), and the deal's
-- status and amount as of end_at. The team filter keeps a touch when the touching rep's team
-- is selected (as for customer touches); regions and segments act on the deal's account.
-- Macros: out_of_scope_touches(start_at, end_at, lookback_days, overlap_days, teams, regions, segments).
create or replace macro main.out_of_scope_touches(start_at, end_at, lookback_days, overlap_days, teams, regions,
                                                   segments) as table
select e.deal_id, e.activity_id, e.rep_id, r.team_id, e.evidence_at as occurred_at, e.detail as stage_then,
       d.segment, d.region, d.status, d.amount
from contest_evidence(end_at, lookback_days, overlap_days) e
join deals_as_of(end_at) d using (deal_id)
join rep_kinds() r on r.rep_id = e.rep_id
where e.signal = 'out_of_scope'
    and e.evidence_at >= start_at
    and e.evidence_at < end_at
    and (len(teams::varchar[]) = 0 or list_contains(teams::varchar[], r.team_id))
    and (len(regions::varchar[]) = 0 or list_contains(regions::varchar[], d.region))
    and (len(segments::varchar[]) = 0 or list_contains(segments::varchar[], d.segment));
