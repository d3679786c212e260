-- A rule's rows out of the connection's cache (ranged_flag_intervals.sql), when no query is using them.
delete from memory.main.ranged_flag_intervals
where rule_lookback_days = $lookback_days and rule_overlap_days = $overlap_days;
