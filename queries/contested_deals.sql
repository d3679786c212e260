-- Contested active deals of the period: one row per active deal (created_at < end and
-- closed_at empty or >= start, as of end) with at least one of the $signals (empty =
-- every signal) as of $end. Per deal: a flag per signal (all its signals, whatever the
-- selection), the first and last piece of evidence of the selected signals (a claim or
-- a touch), its team by attribution, its stage as of end (the last change before end,
-- lead before any), the names of deal, account, owner and source rep, and
-- teams_involved: the owner's team and the teams of every rep named by the selected
-- evidence, as one text ('Agency X, Inside A'), sorted by name.
-- Parameters: $start, $end, $lookback_days, $overlap_days, $attribution ('owner' or
-- 'source'), $teams, $regions, $segments, $signals (lists, empty = all).
with active as (
    select *
    from filtered_deals($end, $attribution, $teams, $regions, $segments)
    where closed_at is null or closed_at >= $start
),

flags as (
    select f.*
    from deal_flags_at_ends([$end], $start, $lookback_days, $overlap_days, $signals) f
    semi join active a on a.deal_id = f.deal_id
    where f.is_contested
),

signals as (
    -- the evidence summarised for these deals only (not for every deal with evidence)
    select f.*, evidence_first_at(e.evidence_at, e.other_evidence_at) as first_evidence_at,
           evidence_last_at(e.evidence_at, e.other_evidence_at) as last_evidence_at,
           evidence_rep_list(e.rep_id, e.other_rep_id) as evidence_rep_ids
    from contest_evidence($end, $lookback_days, $overlap_days) e
    join flags f on f.deal_id = e.deal_id
    where signal_selected(e.signal, $signals)
    group by all
),

involved_teams as (
    select s.deal_id, array_to_string(list_sort(list_distinct(list(r.team_name))), ', ') as teams_involved
    from signals s
    join active a using (deal_id)
    cross join unnest(list_append(s.evidence_rep_ids, a.owner_rep_id)) as u(rep_id)
    join rep_kinds() r on r.rep_id = u.rep_id
    group by s.deal_id
),

stage_as_of_end as (
    select s.deal_id, arg_max(c.stage, c.changed_at) as stage
    from signals s
    join deal_stage_changes c on c.deal_id = s.deal_id and c.changed_at < $end
    group by s.deal_id
),

final as (
    select a.deal_id, a.name as deal_name, a.account_id, acc.name as account_name, a.amount, a.status,
           coalesce(st.stage, 'lead') as stage, a.owner_rep_id, owner.name as owner_rep_name, a.source_rep_id,
           source.name as source_rep_name, a.team_id, team.name as team_name, i.teams_involved, a.region, a.segment,
           s.double_claim, s.out_of_scope, s.uncoordinated_overlap, s.first_evidence_at, s.last_evidence_at
    from active a
    join signals s using (deal_id)
    join involved_teams i using (deal_id)
    join accounts acc on acc.account_id = a.account_id
    join reps owner on owner.rep_id = a.owner_rep_id
    left join reps source on source.rep_id = a.source_rep_id
    left join teams team on team.team_id = a.team_id
    left join stage_as_of_end st using (deal_id)
)

select * from final order by deal_id
