-- Where the rules of engagement leak, by the touching rep's team and calendar month of the
-- touch (shared step out_of_scope_touches: the contest signal's out-of-scope evidence made
-- in the period, as of $end): one row per team and month with at least one such touch.
-- touches counts distinct activities (a touch belonging to two deals counts once); deals
-- the distinct deals they touched, split by their status as of $end (won, lost, open);
-- deal_ids lists them (the link to the Deals page).
-- Parameters: $start, $end, $lookback_days, $overlap_days, $teams, $regions, $segments, $scope_agency
-- (the user's scope, queries/shared/03_scope.sql: out_of_scope_touches keeps deals and reps in it).
select o.team_id, t.name as team_name, t.kind, date_trunc('month', o.occurred_at)::date as month,
       count(distinct o.activity_id) as touches,
       count(distinct o.deal_id) as deals,
       count(distinct o.deal_id) filter (where o.status = 'won') as won,
       count(distinct o.deal_id) filter (where o.status = 'lost') as lost,
       count(distinct o.deal_id) filter (where o.status = 'open') as open,
       list(distinct o.deal_id order by o.deal_id) as deal_ids
from out_of_scope_touches($start, $end, $lookback_days, $overlap_days, $teams, $regions, $segments, null, $scope_agency) o
join teams t using (team_id)
group by all
order by t.kind, t.name, o.team_id, month
