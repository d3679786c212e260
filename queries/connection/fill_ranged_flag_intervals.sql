-- The deal flag intervals of the rule ($lookback_days, $overlap_days), a rule of the
-- pre-computed range, into the connection's cache (ranged_flag_intervals.sql): computed from
-- the pre-computed evidence over all the data, so valid for any as-of end (deal_flag_intervals
-- keeps only the pieces an end falls in). Run with schema ranged_rule on the search path.
insert into memory.main.ranged_flag_intervals
select $lookback_days, $overlap_days, *
from deal_flag_intervals_live('infinity'::timestamp, $lookback_days, $overlap_days);
