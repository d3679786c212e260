-- What the Deals page's filters offer, from the whole deals table (not the period, so
-- that a filter never loses a choice when the period changes): one row per choice.
-- kind is 'product' or 'lead_source' (value = label), or 'owner' / 'source' (rep_id
-- and rep_name of every rep who owns / sourced at least one deal, with team_id and team_name).
-- Parameters: $scope_agency (the user's scope, queries/shared/03_scope.sql): of the deals in scope.
with scoped as (
    select * from deals where deal_in_scope($scope_agency, deal_id)
),

choices as (
    select distinct 'product' as kind, product as value, null as rep_id from scoped where product is not null
    union all
    select distinct 'lead_source', lead_source, null from scoped where lead_source is not null
    union all
    select distinct 'owner', null, owner_rep_id from scoped
    union all
    select distinct 'source', null, source_rep_id from scoped where source_rep_id is not null
),

final as (
    select c.kind, c.value, c.rep_id, r.name as rep_name, t.team_id, t.name as team_name
    from choices c
    left join reps r on r.rep_id = c.rep_id
    left join teams t on t.team_id = r.team_id
)

select * from final order by kind, value, team_name, rep_name, rep_id
