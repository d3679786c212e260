-- Pre-computed with the database (tandem.data.db.build_derived): every customer touch resolved
-- to the deals it belongs to over all the data, for the longest lookback of the pre-computed
-- range (01_default_rule.sql). deal_touches(end_at, lookback_days) reads it for any lookback
-- of the range, restricted to what exists as of end_at and belongs with that lookback.
insert into derived_deal_touches by name
select * from deal_touches_live('infinity'::timestamp, max_lookback_days())
order by deal_id, occurred_at, activity_id;
