-- Pre-computed with the database (tandem.data.db.build_derived): customer touches and
-- rep-to-rep activities resolved to the reps' teams and kinds (and the contact's
-- account), each in time order so that a period reads one range of rows; and the data
-- overview's weekly series, which has no parameter. customer_touches, rep_exchanges and
-- the query activities_by_week_and_kind read them.
insert into derived_customer_touches by name
select * from customer_touches_live()
order by occurred_at, activity_id;

insert into derived_rep_exchanges by name
select * from rep_exchanges_live()
order by occurred_at, activity_id;

insert into derived_activities_by_week_and_kind by name
select * from activities_by_week_and_kind_live(null);
