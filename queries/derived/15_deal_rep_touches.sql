-- Pre-computed with the database (tandem.data.db.build_derived), after the touches: per deal
-- and rep, the first touches and the touch counts around the deal's close, for the definitions'
-- default lookback. deal_rep_first_touches and closed_deal_touch_counts read it.
insert into derived_deal_rep_touches by name
select * from deal_rep_touch_summary('infinity'::timestamp, default_lookback_days())
order by deal_id, rep_id;
