-- Pre-computed with the database (tandem.data.db.build_derived), after the contest evidence:
-- per deal, the as-of ends at which its set of signals is constant, with a flag per
-- signal, for the definitions' default rule (01_default_rule.sql), merged from the
-- validity of the evidence pre-computed before it. deal_flags_at_ends reads it. One range of
-- deals at a time, as the evidence.
insert into derived_deal_flag_intervals by name
select * from deal_flag_intervals_live('infinity'::timestamp, default_lookback_days(), default_overlap_days())
where deal_id >= $deal_from and ($deal_to is null or deal_id < $deal_to)
order by deal_id, valid_from;
