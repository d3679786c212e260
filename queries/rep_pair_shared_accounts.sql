-- One pair of reps: the accounts both made customer touches on in the period, with each
-- rep's touches there. Region and segment act on the accounts.
-- Parameters: $start, $end, $rep_a, $rep_b (the two rep ids), $regions, $segments, $scope_agency
-- (the user's scope, queries/shared/03_scope.sql: the touches in it, so none of another
-- agency's rep) (see queries/README.md).
with touches as (
    select a.rep_id, c.account_id, acc.name as account_name
    from activities a
    join contacts c using (contact_id)
    join accounts acc on acc.account_id = c.account_id
    join rep_kinds() r on r.rep_id = a.rep_id
    where touch_in_scope($scope_agency, r.kind, r.agency, a.deal_id)
        and a.occurred_at >= $start
        and a.occurred_at < $end
        and a.rep_id in ($rep_a, $rep_b)
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], acc.region))
        and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], acc.segment))
),

final as (
    select account_id, account_name,
           count(*) filter (where rep_id = $rep_a) as touches_by_rep_a,
           count(*) filter (where rep_id = $rep_b) as touches_by_rep_b
    from touches
    group by all
    having touches_by_rep_a > 0 and touches_by_rep_b > 0
)

select * from final order by touches_by_rep_a + touches_by_rep_b desc, account_id
