-- Pre-computed with the database (tandem.data.db.build_derived): the time the data covers,
-- read by every page's filters and data-source badge (a min/max over 10 million
-- activities costs 0.1 s, each time).
insert into derived_spans
select
    (select min(occurred_at) from activities),
    (select max(occurred_at) from activities),
    (select min(created_at) from deals),
    (select max(created_at) from deals);
