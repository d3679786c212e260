-- The deals matching the Deals page's filters (macro deal_matches, whose header gives the
-- readings): one row per deal, largest amount first then deal_id, at most $limit rows (a
-- download passes a limit above the count), with names, team, account, product, lead
-- source, status and stage as of end (position: lead 1 .. won 5, null for lost), times,
-- and the signal flags (null unless $contested_only).
-- Parameters: $start, $end, $attribution, $teams, $regions, $segments, $statuses, $stages,
-- $min_amount, $max_amount (null = no bound), $products, $lead_sources, $owner_rep_ids,
-- $source_rep_ids (lists, empty = all), $search ('' = none), $contested_only, $lookback_days,
-- $overlap_days, $signals, $deal_ids (empty = all), $limit, $scope_agency (see queries/README.md).
with shown as (
    select *
    from deal_matches($start, $end, $attribution, $teams, $regions, $segments, $statuses, $stages, $min_amount,
                      $max_amount, $products, $lead_sources, $owner_rep_ids, $source_rep_ids, $search,
                      $contested_only, $lookback_days, $overlap_days, $signals, $deal_ids, $scope_agency)
    order by amount desc, deal_id
    limit $limit
),

final as (
    select
        s.deal_id, s.name as deal_name, s.account_id, s.account_name, s.amount, s.status, s.stage,
        s.stage_position, s.created_at, s.closed_at, s.owner_rep_id, owner.name as owner_rep_name,
        s.source_rep_id, source.name as source_rep_name, s.team_id, team.name as team_name, s.region, s.segment,
        s.product, s.lead_source, s.double_claim, s.out_of_scope, s.uncoordinated_overlap
    from shown s
    join reps owner on owner.rep_id = s.owner_rep_id
    left join reps source on source.rep_id = s.source_rep_id
    left join teams team on team.team_id = s.team_id
)

select * from final order by amount desc, deal_id
