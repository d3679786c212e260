-- Pre-computed with the database (tandem.data.db.build_derived): the evidence of the contest
-- signals over all the data for every rule of the pre-computed range (01_default_rule.sql)
-- at its finest grain, with what decides under which rules and until when each row is
-- evidence (contest_evidence_grain); contest_evidence with a rule of the range reads it
-- through contest_evidence_in_range, keeping the rows valid at end_at. Then the rows of the
-- definitions' default rule alone, with their validity: the default is what most pages
-- show, and reading a third of the rows without the rule's filter halves its queries.
insert into derived_contest_evidence_grain by name
select * from contest_evidence_grain('infinity'::timestamp)
order by deal_id, signal, evidence_at, activity_id, other_activity_id, rep_id;

insert into derived_contest_evidence by name
select * from contest_evidence_in_range(default_lookback_days(), default_overlap_days())
order by deal_id, signal, evidence_at, activity_id, other_activity_id, rep_id;
