-- Where conflicts happen, by team: one row per internal team x agency (external team) that
-- both worked an active deal of the period: those deals (worked_by_both), the contested ones
-- with both teams involved in the conflict, and contested_rate = contested / worked_by_both.
-- Readings recorded here:
--   A team worked a deal when one of its reps owns it, is its source rep, claimed it
--   (claimed_at < end) or made a customer touch belonging to it (window of $lookback_days).
--   The teams involved in a contested deal's conflict are its owner's team and the teams
--   of the reps named by the evidence of the selected $signals (claimants, out-of-scope
--   touchers, both reps of an uncoordinated pair), as in contested_deals.teams_involved.
--   A deal counts under every pair it qualifies for: the cells do not add up to the total.
--   Under an agency's scope the other agencies' teams are one, "Other agency"
--   (other_agency_team, queries/shared/03_scope.sql): a deal two of them worked counts once.
-- Parameters: $start, $end, $lookback_days, $overlap_days, $attribution, $teams, $regions,
-- $segments, $signals, $scope_agency (see queries/README.md).
with active as (
    select * from active_deals($start, $end, $attribution, $teams, $regions, $segments, $scope_agency)
),

worked_by_team as (
    -- kept distinct by team rather than by rep: far fewer pairs
    select deal_id, owner_team_id as team_id from active
    union
    select deal_id, source_team_id from active where source_team_id is not null
    union
    select c.deal_id, r.team_id
    from claims c
    join rep_kinds() r using (rep_id)
    semi join active a on a.deal_id = c.deal_id
    where c.claimed_at < $end
    union
    select t.deal_id, t.rep_team_id
    from deal_rep_first_touches($end, $lookback_days) t
    semi join active a on a.deal_id = t.deal_id
),

team_groups as (
    select team_id, kind,
           other_agency_team($scope_agency, team_id, kind, rep_agency(kind, agency, name)) as group_id,
           team_shown_name($scope_agency, kind, rep_agency(kind, agency, name), name) as group_name
    from teams
),

worked as (
    select distinct w.deal_id, g.group_id as team_id, g.group_name as team_name, g.kind
    from worked_by_team w
    join team_groups g using (team_id)
),

contested as (
    select f.deal_id, a.owner_team_id
    from deal_flags_at_ends([$end], $start, $lookback_days, $overlap_days, $signals) f
    join active a using (deal_id)
    where f.is_contested
),

evidence as materialized (
    -- the selected evidence of the contested deals only
    select e.deal_id, e.rep_id, e.other_rep_id
    from contest_evidence($end, $lookback_days, $overlap_days) e
    semi join contested c on c.deal_id = e.deal_id
    where signal_selected(e.signal, $signals)
),

conflict_teams as (
    -- the owner's team and the teams of the reps named by the selected evidence (as groups)
    select distinct c.deal_id, g.group_id as team_id
    from (select deal_id, owner_team_id as team_id from contested
          union
          select n.deal_id, r.team_id
          from (select deal_id, rep_id from evidence
                union select deal_id, other_rep_id from evidence where other_rep_id is not null) n
          join rep_kinds() r using (rep_id)) c
    join team_groups g using (team_id)
),

pairs as (
    select i.deal_id, i.team_id as internal_team_id, i.team_name as internal_team_name,
           e.team_id as external_team_id, e.team_name as external_team_name
    from worked i
    join worked e on e.deal_id = i.deal_id and e.kind = 'external'
    where i.kind = 'internal'
),

final as (
    select
        p.internal_team_id, p.internal_team_name, p.external_team_id, p.external_team_name,
        count(*) as worked_by_both,
        count(*) filter (where ci.deal_id is not null and ce.deal_id is not null) as contested,
        coalesce(sum(a.amount) filter (where ci.deal_id is not null and ce.deal_id is not null), 0)::double
            as contested_amount,
        count(*) filter (where ci.deal_id is not null and ce.deal_id is not null) / count(*) as contested_rate
    from pairs p
    join active a using (deal_id)
    left join conflict_teams ci on ci.deal_id = p.deal_id and ci.team_id = p.internal_team_id
    left join conflict_teams ce on ce.deal_id = p.deal_id and ce.team_id = p.external_team_id
    group by all
)

select * from final order by internal_team_id, external_team_id
