-- Stage funnel per team by attribution over the cohort of deals created in the period
-- (definitions.md "Funnel"): a deal reached stage S if it had a change (changed_at < end) to S
-- or a later stage in the order lead < qualified < proposal < negotiation < won ('won'
-- reaches every stage; a change to 'lost' reaches none). Reading recorded here: every
-- deal of the cohort reached 'lead', since a deal is at lead from its creation (docs/definitions.md
-- "Stage at time t": lead before the first change). conversion_to_next = reached the
-- next stage / reached this one (null for won, or when none reached this one).
-- Deals without a team (source attribution, no source rep) are left out.
-- Parameters: $start, $end, $attribution ('owner' or 'source'), $teams, $regions,
-- $segments (lists, empty = all).
with cohort as (
    select deal_id, team_id
    from filtered_deals($end, $attribution, $teams, $regions, $segments)
    where created_at >= $start and team_id is not null
),

highest_stage as (
    select c.deal_id, c.team_id, greatest(1, coalesce(max(o.position), 1)) as highest_position
    from cohort c
    left join deal_stage_changes s on s.deal_id = c.deal_id and s.changed_at < $end
    left join stage_order o on o.stage = s.stage
    group by all
),

grid as (
    select t.team_id, o.stage, o.position
    from (select distinct team_id from cohort) t
    cross join stage_order o
    where o.position is not null
),

reached as (
    select g.team_id, g.stage, g.position, count(h.deal_id) as reached
    from grid g
    left join highest_stage h on h.team_id = g.team_id and h.highest_position >= g.position
    group by all
),

final as (
    select
        team_id,
        stage,
        position,
        reached,
        case when reached > 0 and position < 5
             then lead(reached) over (partition by team_id order by position) / reached end as conversion_to_next
    from reached
)

select * from final order by team_id, position
