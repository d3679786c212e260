-- Everything that happened around one deal as of $end, one row per event, in time order:
--   touch: every customer touch belonging to the deal (definitions.md "Customer touch", window
--     with $lookback_days), with its contact;
--   exchange: every cross-team exchange (rep-to-rep activity between reps of different
--     kinds) between two reps who worked the deal (owner, source rep, claimants, touching
--     reps), from the deal's first event - $overlap_days to its last + $overlap_days, where
--     the first and last events are the window's bounds or a touch outside them. Reading
--     recorded here: the span is widened by overlap_days because the coordination window
--     of a pair of touches reaches that far (definitions.md "uncoordinated_overlap");
--   claim: every claim on the deal (claimed_at < end), detail = registration / credit;
--   stage_change: every stage change (changed_at < end), detail = the new stage.
-- rep_* is the acting rep (the initiator of an exchange), other_rep_* the counterpart.
-- Free-text subjects are left out (presentation mode must not leak them).
-- Parameters: $deal_id, $end, $lookback_days, $overlap_days, $scope_agency (the user's scope,
-- queries/shared/03_scope.sql): no row for a deal out of scope; of a deal in scope, every
-- touch, claim and stage change, and the exchanges with one side the agency's.
with deal as (
    select * from deals_as_of($end) where deal_id = $deal_id and deal_in_scope($scope_agency, deal_id)
),

touches as (
    select * from deal_touches($end, $lookback_days) where deal_id = $deal_id and $deal_id in (select deal_id from deal)
),

deal_claims as (
    select * from claims where deal_id = $deal_id and claimed_at < $end and $deal_id in (select deal_id from deal)
),

workers as (
    select owner_rep_id as rep_id from deal
    union select source_rep_id from deal where source_rep_id is not null
    union select rep_id from deal_claims
    union select rep_id from touches
),

span as (
    select
        least(d.created_at - $lookback_days * interval 1 day, min(t.occurred_at)) - $overlap_days * interval 1 day
            as span_start,
        greatest(coalesce(d.closed_at, $end), max(t.occurred_at)) + $overlap_days * interval 1 day as span_end
    from deal d
    left join touches t on true
    group by d.created_at, d.closed_at
),

exchanges as (
    select a.activity_id, a.occurred_at, a.channel, a.rep_id, a.counterpart_rep_id
    from activities a, span s
    where a.counterpart_rep_id is not null
        and a.occurred_at < $end
        and a.occurred_at between s.span_start and s.span_end
        and a.rep_id in (select rep_id from workers)
        and a.counterpart_rep_id in (select rep_id from workers)
        and ($scope_agency is null
             or a.rep_id in (select rep_id from rep_kinds() where agency = $scope_agency)
             or a.counterpart_rep_id in (select rep_id from rep_kinds() where agency = $scope_agency))
),

events as (
    select occurred_at, 'touch' as event, activity_id, channel, rep_id, null as other_rep_id, contact_id,
           case when by_deal_id then 'names the deal' else 'account touch in the window' end as detail
    from touches
    union all
    select occurred_at, 'exchange', activity_id, channel, rep_id, counterpart_rep_id, null, null
    from exchanges
    union all
    select claimed_at, 'claim', null, null, rep_id, null, null, kind from deal_claims
    union all
    select changed_at, 'stage_change', null, null, rep_id, null, null, stage
    from deal_stage_changes
    where deal_id = $deal_id and changed_at < $end and $deal_id in (select deal_id from deal)
),

final as (
    select
        e.occurred_at, e.event, e.activity_id, e.channel,
        e.rep_id, r.rep_name, r.team_id as rep_team_id, r.team_name as rep_team_name, r.kind as rep_kind,
        e.other_rep_id, o.rep_name as other_rep_name, o.team_id as other_team_id, o.team_name as other_team_name,
        o.kind as other_rep_kind,
        e.contact_id, c.name as contact_name, e.detail
    from events e
    left join rep_kinds() r on r.rep_id = e.rep_id
    left join rep_kinds() o on o.rep_id = e.other_rep_id
    left join contacts c on c.contact_id = e.contact_id
    where e.event <> 'exchange' or r.kind <> o.kind
)

select * from final order by occurred_at, event, activity_id, rep_id
