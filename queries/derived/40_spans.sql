-- Pre-computed with the database (tandem.data.db.build_derived): the time the data covers,
-- read by every page's filters and data-source badge (a min/max over 10 million
-- activities costs 0.1 s, each time). The data's span runs from the first to the last
-- timestamp of every dated table (deals created and closed, stage changes, claims,
-- activities, events), so that a database with deals and no activities still has one.
insert into derived_spans
with activity_span as (
    select min(occurred_at) as first_at, max(occurred_at) as last_at from activities
),

dated as (
    select first_at as moment from activity_span
    union all select last_at from activity_span
    union all select min(created_at) from deals
    union all select max(created_at) from deals
    union all select min(closed_at) from deals
    union all select max(closed_at) from deals
    union all select min(changed_at) from deal_stage_changes
    union all select max(changed_at) from deal_stage_changes
    union all select min(claimed_at) from claims
    union all select max(claimed_at) from claims
    union all select min(held_on)::timestamp from events
    union all select max(held_on)::timestamp from events
)

select
    (select first_at from activity_span),
    (select last_at from activity_span),
    (select min(created_at) from deals),
    (select max(created_at) from deals),
    (select min(moment) from dated),
    (select max(moment) from dated);
