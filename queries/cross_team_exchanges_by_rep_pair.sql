-- Cross-team exchanges in the period: one row per pair of an internal and an external rep
-- with at least one, counted by channel and by initiator, with call minutes.
-- Parameters: $start, $end, $teams, $scope_agency (see queries/README.md).
with exchanges as (
    select
        *,
        case when initiator_kind = 'internal' then initiator_rep_id else counterpart_rep_id end as internal_rep_id,
        case when initiator_kind = 'internal' then counterpart_rep_id else initiator_rep_id end as external_rep_id
    from rep_exchanges($start, $end, $teams, $scope_agency)
    where exchange_kind = 'cross_team'
),

final as (
    select
        x.internal_rep_id,
        i.rep_name as internal_rep_name,
        i.team_id as internal_team_id,
        i.team_name as internal_team_name,
        x.external_rep_id,
        e.rep_name as external_rep_name,
        e.team_id as external_team_id,
        e.team_name as external_team_name,
        count(*) as exchanges,
        count(*) filter (where channel = 'call') as calls,
        count(*) filter (where channel = 'email') as emails,
        count(*) filter (where channel = 'meeting') as meetings,
        call_minutes(channel, duration_s) as call_minutes,
        count(*) filter (where initiator_kind = 'internal') as initiated_by_internal,
        count(*) filter (where initiator_kind = 'external') as initiated_by_external
    from exchanges x
    join rep_kinds() i on i.rep_id = x.internal_rep_id
    join rep_kinds() e on e.rep_id = x.external_rep_id
    group by all
)

select * from final order by internal_rep_id, external_rep_id
