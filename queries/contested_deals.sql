-- The contested active deals of the period: one row per deal, with a flag per signal, the
-- first and last piece of evidence (claim or touch) of the selected signals, its stage as
-- of end (last change before end, lead before any) and the names of deal, account, owner,
-- source rep and team. teams_involved: the owner's team and the teams of every rep named by
-- the selected evidence, as one text sorted by name ('Agency X, Inside A'); under an agency's
-- scope the other agencies' teams are one "Other agency" (a text is not pseudonymised after
-- the query, by id, as name columns are).
-- Parameters: $start, $end, $lookback_days, $overlap_days, $attribution, $teams, $regions,
-- $segments, $signals, $scope_agency (see queries/README.md).
with active as (
    select * from active_deals($start, $end, $attribution, $teams, $regions, $segments, $scope_agency)
),

flags as (
    select f.*
    from deal_flags_at_ends([$end], $start, $lookback_days, $overlap_days, $signals) f
    semi join active a on a.deal_id = f.deal_id
    where f.is_contested
),

evidence as materialized (
    -- the selected evidence of these deals only (not of every deal with evidence)
    select e.deal_id, e.rep_id, e.other_rep_id, e.evidence_at, e.other_evidence_at
    from contest_evidence($end, $lookback_days, $overlap_days) e
    semi join flags f on f.deal_id = e.deal_id
    where signal_selected(e.signal, $signals)
),

evidence_times as (
    select deal_id, evidence_first_at(evidence_at, other_evidence_at) as first_evidence_at,
           evidence_last_at(evidence_at, other_evidence_at) as last_evidence_at
    from evidence
    group by deal_id
),

involved_reps as (
    select deal_id, rep_id from evidence
    union
    select deal_id, other_rep_id from evidence where other_rep_id is not null
    union
    select f.deal_id, a.owner_rep_id from flags f join active a using (deal_id)
),

involved_teams as (
    select i.deal_id,
           array_to_string(list_sort(list_distinct(list(
               team_shown_name($scope_agency, r.kind, r.agency, r.team_name)))), ', ') as teams_involved
    from involved_reps i
    join rep_kinds() r using (rep_id)
    group by i.deal_id
),

stage_as_of_end as (
    select f.deal_id, arg_max(c.stage, c.changed_at) as stage
    from flags f
    join deal_stage_changes c on c.deal_id = f.deal_id and c.changed_at < $end
    group by f.deal_id
),

final as (
    select a.deal_id, a.name as deal_name, a.account_id, acc.name as account_name, a.amount, a.status,
           a.created_at,
           coalesce(st.stage, a.stage_before_changes) as stage, a.owner_rep_id, owner.name as owner_rep_name,
           a.source_rep_id,
           source.name as source_rep_name, a.team_id, team.name as team_name, i.teams_involved, a.region, a.segment,
           f.double_claim, f.out_of_scope, f.uncoordinated_overlap, t.first_evidence_at, t.last_evidence_at
    from active a
    join flags f using (deal_id)
    join evidence_times t using (deal_id)
    join involved_teams i using (deal_id)
    join accounts acc on acc.account_id = a.account_id
    join reps owner on owner.rep_id = a.owner_rep_id
    left join reps source on source.rep_id = a.source_rep_id
    left join teams team on team.team_id = a.team_id
    left join stage_as_of_end st using (deal_id)
)

select * from final order by deal_id
