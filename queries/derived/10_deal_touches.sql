-- Pre-computed with the database (tandem.data.db.build_derived): every customer touch resolved
-- to the deals it belongs to over all the data, for the definitions' default lookback.
-- deal_touches(end_at, default_lookback_days()) reads it, restricted to what exists as of end_at.
insert into derived_deal_touches by name
select * from deal_touches_live('infinity'::timestamp, default_lookback_days())
order by deal_id, occurred_at, activity_id;
