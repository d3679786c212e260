-- Pre-computed with the database (tandem.data.db.build_derived), after the touches: per deal
-- and rep, the first touches and the touch counts around the deal's close, for every lookback
-- of the pre-computed range (deal_rep_touch_grain). deal_rep_first_touches and
-- closed_deal_touch_counts read it.
insert into derived_deal_rep_touches by name
select * from deal_rep_touch_grain('infinity'::timestamp)
order by deal_id, rep_id;
