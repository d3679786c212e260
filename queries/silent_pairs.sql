-- Silent pairs, where uncoordinated overlap comes from: one row per internal and external
-- rep who both made customer touches on an account in the period (they share it) but had
-- fewer than $max_exchanges rep-to-rep activities with each other in it (either initiator),
-- with the shared accounts and the exchange count. The team filter keeps a pair when either
-- rep's team is selected; region and segment act on the shared accounts.
-- Parameters: $start, $end, $max_exchanges, $teams, $regions, $segments, $scope_agency (the
-- user's scope, queries/shared/03_scope.sql: the touches of reps in it, so the external rep of a
-- pair is the agency's) (see queries/README.md).
with touches as (
    -- every rep's touches, whatever the team filter: a pair is kept below when either
    -- rep's team is selected
    select distinct rep_id, kind, team_id, account_id
    from customer_touches($start, $end, [], $regions, $segments, $scope_agency)
),

shared as (
    select i.rep_id as internal_rep_id, i.team_id as internal_team_id,
           e.rep_id as external_rep_id, e.team_id as external_team_id,
           count(*) as shared_accounts, list(i.account_id order by i.account_id) as shared_account_ids
    from touches i
    join touches e on e.account_id = i.account_id and e.kind = 'external'
    where i.kind = 'internal'
        and (len($teams::varchar[]) = 0
             or list_contains($teams::varchar[], i.team_id) or list_contains($teams::varchar[], e.team_id))
    group by all
),

exchanges as (
    select rep_low, rep_high, count(*) as exchanges
    from rep_pair_exchanges($end)
    where occurred_at >= $start
    group by all
),

final as (
    select s.internal_rep_id, internal.name as internal_rep_name, s.internal_team_id,
           internal_team.name as internal_team_name,
           s.external_rep_id, external.name as external_rep_name, s.external_team_id,
           external_team.name as external_team_name,
           s.shared_accounts, s.shared_account_ids, coalesce(x.exchanges, 0) as exchanges
    from shared s
    left join exchanges x
        on x.rep_low = least(s.internal_rep_id, s.external_rep_id)
        and x.rep_high = greatest(s.internal_rep_id, s.external_rep_id)
    join reps internal on internal.rep_id = s.internal_rep_id
    join teams internal_team on internal_team.team_id = s.internal_team_id
    join reps external on external.rep_id = s.external_rep_id
    join teams external_team on external_team.team_id = s.external_team_id
    where coalesce(x.exchanges, 0) < $max_exchanges
)

select * from final order by shared_accounts desc, exchanges, internal_rep_id, external_rep_id
