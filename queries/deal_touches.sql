-- Customer touches resolved to the given deals as of $end (see the shared step
-- deal_touches for the definition), with the acting rep's team and kind, in time order.
-- Parameters: $end, $lookback_days, $deal_ids (list of deal ids; empty = every deal),
-- $scope_agency (the user's scope, queries/shared/03_scope.sql): deals in scope only, all of
-- their touches.
select *
from deal_touches($end, $lookback_days)
where (len($deal_ids::varchar[]) = 0 or list_contains($deal_ids::varchar[], deal_id))
    and deal_in_scope($scope_agency, deal_id)
order by deal_id, occurred_at, activity_id
