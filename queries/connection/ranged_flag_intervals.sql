-- Run on every read-only connection (tandem.data.db.attach_read_only) once the file is
-- attached, in its in-memory database: the deal flag intervals of the rules of the pre-computed range, other than the
-- default, that queries have asked for. tandem.data.rule_flags computes a rule's rows once
-- (deal_flag_intervals_live over the pre-computed evidence, about 0.4 s at xl) before the
-- first query that needs them, so the queries of a page under one rule share them; it
-- keeps the most recently used rules only. Schema ranged_rule_flags comes first on the
-- search path of a query whose rule it holds (tandem.data.db.CURSOR_SETUP_RANGED_RULE_FLAGS).
create table memory.main.ranged_flag_intervals as  -- the default rule's table's columns, for each rule
select null::integer as rule_lookback_days, null::integer as rule_overlap_days, *
from tandem.main.derived_deal_flag_intervals
limit 0;

create schema memory.ranged_rule_flags;

create macro memory.ranged_rule_flags.deal_flag_intervals(end_at, lookback_days, overlap_days) as table
select deal_id, valid_from, valid_until, double_claim, out_of_scope, uncoordinated_overlap, deal_closed_at
from memory.main.ranged_flag_intervals
where rule_lookback_days = lookback_days and rule_overlap_days = overlap_days;
