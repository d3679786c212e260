-- Stage funnel (definitions.md "Funnel") per team by attribution over the cohort of deals
-- created in the period, kept by the filters (deals of no team left out): one row per team
-- with a deal in the cohort x stage, lead < qualified < proposal < negotiation < won, with
-- the deals that reached it (a change before end to it or a later stage; 'won' reaches
-- every stage, 'lost' none) and conversion_to_next (null for won or when none reached it).
-- Reading recorded here: every deal of the cohort reached 'lead', since a deal is at lead
-- from its creation ("Stage at time t": lead before the first change).
-- Parameters: $start, $end, $attribution, $teams, $regions, $segments, $scope_agency (see queries/README.md).
with cohort as (
    select deal_id, team_id
    from filtered_deals($end, $attribution, $teams, $regions, $segments, $scope_agency)
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
