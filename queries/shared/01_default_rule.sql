-- The definitions' default contest rule (docs/definitions.md "Contest signals") and the range
-- of rules the pre-computed tables serve: the one place these numbers are written;
-- tandem.data.db reads them from here for the Python side.
-- The pre-computed tables hold the evidence of every rule with a lookback of 0 to
-- max_lookback_days() and an overlap of 1 to max_overlap_days() at its finest grain (a rule
-- in that range is a filter over them), and the merged per-deal flags of the default rule.
-- A rule outside the range is computed live from the raw tables (slower).
create or replace macro main.default_lookback_days() as 30;
create or replace macro main.default_overlap_days() as 7;
create or replace macro main.max_lookback_days() as 90;
create or replace macro main.max_overlap_days() as 30;

create or replace macro main.rule_in_range(lookback_days, overlap_days) as
    lookback_days between 0 and max_lookback_days() and overlap_days between 1 and max_overlap_days();
