-- The evidence of every contest signal of the given deals as of $end: one row per claim
-- (double_claim), offending touch (out_of_scope) or uncoordinated pair of touches
-- (uncoordinated_overlap); see the shared step contest_evidence for the rules.
-- Parameters: $end, $lookback_days, $overlap_days, $deal_ids (list; empty = every deal),
-- $scope_agency (the user's scope, queries/shared/03_scope.sql): deals in scope only, all of
-- their evidence (other agencies' reps are pseudonymised after the query).
select *
from contest_evidence($end, $lookback_days, $overlap_days)
where (len($deal_ids::varchar[]) = 0 or list_contains($deal_ids::varchar[], deal_id))
    and deal_in_scope($scope_agency, deal_id)
order by deal_id, signal, evidence_at, activity_id, other_activity_id, rep_id
