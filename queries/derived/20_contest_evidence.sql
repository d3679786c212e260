-- Pre-computed with the database (tandem.data.db.build_derived): the evidence of the contest
-- signals over all the data, with the as-of ends at which each row is evidence, for
-- the definitions' default rule (01_default_rule.sql). contest_evidence with that rule
-- reads it, keeping the rows valid at end_at.
insert into derived_contest_evidence by name
select * from contest_evidence_timeline('infinity'::timestamp, default_lookback_days(), default_overlap_days())
order by deal_id, signal, evidence_at, activity_id, other_activity_id, rep_id;
