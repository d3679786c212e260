-- Pre-computed with the database (tandem.data.db.build_derived), after the grain: the rows
-- of the definitions' default rule alone, with their validity. The default is what most
-- pages show, and reading a third of the rows without the rule's filter halves its
-- queries. One range of deals at a time, as the grain.
insert into derived_contest_evidence by name
select * from contest_evidence_in_range(default_lookback_days(), default_overlap_days())
where deal_id >= $deal_from and ($deal_to is null or deal_id < $deal_to)
order by deal_id, signal, evidence_at, activity_id, other_activity_id, rep_id;
