-- Pre-computed with the database (tandem.data.db.build_derived): the evidence of the contest
-- signals over all the data for every rule of the pre-computed range (01_default_rule.sql)
-- at its finest grain, with what decides under which rules and until when each row is
-- evidence (contest_evidence_grain); contest_evidence with a rule of the range reads it
-- through contest_evidence_in_range, keeping the rows valid at end_at. Built for one range
-- of deals at a time, [$deal_from, $deal_to) in id order ($deal_to null: to the last), so
-- that the pairs of touches of 2 million deals need no more memory than those of 200,000.
insert into derived_contest_evidence_grain by name
select * from contest_evidence_grain('infinity'::timestamp, $deal_from, $deal_to)
order by deal_id, signal, evidence_at, activity_id, other_activity_id, rep_id;
