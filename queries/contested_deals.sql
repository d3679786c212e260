-- Contested active deals of the period: one row per deal with at least one contest
-- signal as of $end, with a flag per signal, the first and last piece of evidence,
-- the deal's team by attribution, and the names of deal, account and owner. Active: created_at < end and (closed_at empty or
-- >= start), closed_at as of end.
-- Parameters: $start, $end, $lookback_days, $overlap_days, $attribution ('owner' or
-- 'source'), $teams, $regions, $segments (lists, empty = all).
with active as (
    select *
    from filtered_deals($end, $attribution, $teams, $regions, $segments)
    where closed_at is null or closed_at >= $start
),

signals as (
    select
        deal_id,
        bool_or(signal = 'double_claim') as double_claim,
        bool_or(signal = 'out_of_scope') as out_of_scope,
        bool_or(signal = 'uncoordinated_overlap') as uncoordinated_overlap,
        min(least(evidence_at, coalesce(other_evidence_at, evidence_at))) as first_evidence_at,
        max(greatest(evidence_at, coalesce(other_evidence_at, evidence_at))) as last_evidence_at
    from contest_evidence($end, $lookback_days, $overlap_days)
    group by deal_id
),

final as (
    select a.deal_id, a.name as deal_name, a.account_id, acc.name as account_name, a.amount, a.status,
           a.owner_rep_id, owner.name as owner_rep_name, a.source_rep_id, a.team_id, team.name as team_name,
           a.region, a.segment, s.double_claim, s.out_of_scope, s.uncoordinated_overlap,
           s.first_evidence_at, s.last_evidence_at
    from active a
    join signals s using (deal_id)
    join accounts acc on acc.account_id = a.account_id
    join reps owner on owner.rep_id = a.owner_rep_id
    left join teams team on team.team_id = a.team_id
)

select * from final order by deal_id
