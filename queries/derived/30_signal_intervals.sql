-- Pre-computed with the database (tandem.db.build_derived): for each deal and signal,
-- the as-of ends at which the deal has it, as disjoint intervals, for DESIGN's default
-- rule (lookback 30, overlap 7 days), from the evidence pre-computed before it.
-- deal_flags_at_ends reads it.
insert into derived_signal_intervals by name
select * from signal_intervals_live('infinity'::timestamp, 30, 7)
order by deal_id, signal, valid_from;
