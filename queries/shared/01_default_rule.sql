-- The definitions' default contest rule (docs/definitions.md "Contest signals"): the one place
-- its numbers are written. The pre-computed tables hold this rule; tandem.data.db reads the
-- numbers from here for the Python side.
create or replace macro main.default_lookback_days() as 30;
create or replace macro main.default_overlap_days() as 7;
