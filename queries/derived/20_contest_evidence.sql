-- Pre-computed with the database (tandem.db.build_derived): the evidence of the contest
-- signals over all the data, with the as-of ends at which each row is evidence, for
-- the definitions' default rule (lookback 30, overlap 7 days). contest_evidence(end_at, 30, 7)
-- reads it, keeping the rows valid at end_at.
insert into derived_contest_evidence by name
select * from contest_evidence_timeline('infinity'::timestamp, 30, 7)
order by deal_id, signal, evidence_at, activity_id, other_activity_id, rep_id;
