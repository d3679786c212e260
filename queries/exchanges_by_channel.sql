-- Rep-to-rep exchanges in the period, kept by the team filter: one row per exchange_kind x
-- channel (every one, 0 when none), with call minutes.
-- Parameters: $start, $end, $teams, $scope_agency (see queries/README.md).
with exchanges as (
    select * from rep_exchanges($start, $end, $teams, $scope_agency)
),

grid as (
    select k.exchange_kind, c.channel
    from exchange_kinds() k
    cross join channels() c
),

counted as (
    select exchange_kind, channel, count(*) as exchanges, call_minutes(channel, duration_s) as call_minutes
    from exchanges
    group by all
),

final as (
    select g.exchange_kind, g.channel, coalesce(c.exchanges, 0) as exchanges,
           coalesce(c.call_minutes, 0.0) as call_minutes
    from grid g
    left join counted c using (exchange_kind, channel)
)

select * from final order by exchange_kind, channel
