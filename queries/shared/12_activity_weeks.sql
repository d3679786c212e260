-- Shared step: activities per ISO week (Monday start) by what they are, for the data
-- overview (query activities_by_week_and_kind, where the reading is described), of the
-- activities in the scope (03_scope.sql): customer touches by reps in scope, rep-to-rep
-- activities with one side the agency's. With the whole data (scope_agency null) it is
-- pre-computed with the database as derived_activities_by_week_and_kind (queries/derived/):
-- a scan of every activity; an agency's is computed when asked.
-- Macro: activities_by_week_and_kind_live(scope_agency).
create or replace macro main.activities_by_week_and_kind_live(scope_agency) as table
with activity_kinds as (
    select
        date_trunc('week', a.occurred_at)::date as week_start,
        case
            when a.contact_id is not null then 'customer touch by ' || actor_team.kind || ' rep'
            when actor_team.kind <> counterpart_team.kind then 'cross-team exchange'
            else 'within-team exchange'
        end as activity_kind
    from activities a
    join rep_kinds() actor_team on actor_team.rep_id = a.rep_id
    left join rep_kinds() counterpart_team on counterpart_team.rep_id = a.counterpart_rep_id
    where case when a.contact_id is not null then touch_in_scope(scope_agency, actor_team.kind, actor_team.agency, a.deal_id)
               else exchange_in_scope(scope_agency, actor_team.agency, counterpart_team.agency) end
),

counted as (
    select week_start, activity_kind, count(*) as activity_count
    from activity_kinds
    group by all
),

weeks as (
    select unnest(generate_series(min(week_start), max(week_start), interval 7 day))::date as week_start
    from counted
),

kinds as (
    select distinct activity_kind from counted
),

final as (
    select w.week_start, k.activity_kind, coalesce(c.activity_count, 0) as activity_count
    from weeks w
    cross join kinds k
    left join counted c using (week_start, activity_kind)
)

select * from final order by week_start, activity_kind;
