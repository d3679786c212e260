-- "Sourced by x closed by": what each source rep's kind and team hands to each owner's
-- kind and team. One row per path: level 'kind' (team columns null) or 'team'; paths with
-- no deal created or closed in the period are absent. created_amount: the amount of the
-- deals created (the value handed over); deals without a source rep have source kind
-- 'none' ("no source rep"). Deals kept by the filters.
-- Parameters: $start, $end, $attribution, $teams, $regions, $segments, $scope_agency (see queries/README.md).
with in_period as (
    select
        coalesce(d.source_kind, 'none') as source_kind,
        d.source_team_id,
        coalesce(source_team.name, 'no source rep') as source_team_name,
        d.owner_kind,
        d.owner_team_id,
        owner_team.name as owner_team_name,
        d.amount,
        d.created_at >= $start as created,
        d.status = 'won' and d.closed_at >= $start as won,
        d.status = 'lost' and d.closed_at >= $start as lost
    from filtered_deals($end, $attribution, $teams, $regions, $segments, $scope_agency) d
    join teams owner_team on owner_team.team_id = d.owner_team_id
    left join teams source_team on source_team.team_id = d.source_team_id
    where d.created_at >= $start or (d.status in ('won', 'lost') and d.closed_at >= $start)
),

paths as (
    select
        case when grouping(source_team_id) = 1 then 'kind' else 'team' end as level,
        source_kind, source_team_id, source_team_name, owner_kind, owner_team_id, owner_team_name,
        count(*) filter (where created) as created,
        coalesce(sum(amount) filter (where created), 0)::double as created_amount,
        count(*) filter (where won) as won,
        count(*) filter (where lost) as lost,
        coalesce(sum(amount) filter (where won), 0)::double as won_amount
    from in_period
    group by grouping sets (
        (source_kind, owner_kind),
        (source_kind, source_team_id, source_team_name, owner_kind, owner_team_id, owner_team_name)
    )
),

final as (
    select
        *,
        win_rate(won, lost) as win_rate,
        win_rate_low(won, lost) as win_rate_low,
        win_rate_high(won, lost) as win_rate_high
    from paths
)

select * from final
order by level, source_kind, owner_kind, source_team_id nulls first, owner_team_id nulls first
