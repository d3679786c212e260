-- One deal as it stood at $end: names, amount, status, stage (definitions.md "Stage
-- shown as of end"), owner and source rep with team and kind, account with region
-- and segment, and its window [created_at - lookback_days, coalesce(closed_at, end))
-- (definitions.md "Deal window"). No row when the deal does not exist as of end.
-- Parameters: $deal_id, $end, $lookback_days, $scope_agency (the user's scope,
-- queries/shared/03_scope.sql): no row for a deal out of scope.
with deal as (
    select * from deals_as_of($end) where deal_id = $deal_id and deal_in_scope($scope_agency, deal_id)
),

stage_as_of_end as (
    select arg_max(stage, changed_at) as stage
    from deal_stage_changes
    where deal_id = $deal_id and changed_at < $end
),

final as (
    select
        d.deal_id, d.name as deal_name, d.account_id, acc.name as account_name, d.region, d.segment,
        raw.product, raw.lead_source, d.amount, d.status, coalesce((select stage from stage_as_of_end), d.stage_before_changes) as stage,
        d.created_at, d.closed_at,
        d.created_at - $lookback_days * interval 1 day as window_start,
        coalesce(d.closed_at, $end) as window_end,
        d.owner_rep_id, owner.rep_name as owner_rep_name, d.owner_team_id, owner.team_name as owner_team_name, d.owner_kind,
        d.source_rep_id, source.rep_name as source_rep_name, d.source_team_id, source.team_name as source_team_name,
        d.source_kind
    from deal d
    join deals raw using (deal_id)
    join accounts acc on acc.account_id = d.account_id
    join rep_kinds() owner on owner.rep_id = d.owner_rep_id
    left join rep_kinds() source on source.rep_id = d.source_rep_id
)

select * from final
