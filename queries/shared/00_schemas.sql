-- The shared query steps are table macros stored in the database file with its
-- pre-computed tables (tandem.data.db.build_derived), under the same version stamp: a file
-- whose macros differ from the code's is refused until refreshed, and a connection
-- only attaches the file (creating them at each connection cost 0.07 s).
-- Two schemas hold serving macros that read only the pre-computed tables and shadow their
-- switching namesakes of main (which choose between a pre-computed and a live computation
-- by the rule's bound parameters):
--   ranged_rule: any rule in the pre-computed range (01_default_rule.sql) as a filter over
--     the finest-grain tables: deal_touches, deal_rep_first_touches,
--     closed_deal_touch_counts, contest_evidence_intervals;
--   default_rule: what is pre-computed for the definitions' default rule only:
--     contest_evidence_intervals (a third of the grain's rows, no filter to apply),
--     deal_flag_intervals (for another rule of the range, tandem.data.rule_flags keeps it
--     per connection once computed: queries/connection/).
-- tandem.data.queries puts ranged_rule first on the search path when a query's rule is in
-- the range, and default_rule before it when the rule is the default, so a live branch is
-- not even planned: binding and optimising it cost 0.05-0.14 s per query.
create schema if not exists default_rule;
create schema if not exists ranged_rule;
