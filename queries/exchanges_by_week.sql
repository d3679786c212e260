-- Rep-to-rep exchanges in the period, kept by the team filter: one row per week x
-- exchange_kind x channel (every one, 0 when none), with call minutes.
-- Parameters: $start, $end, $teams, $scope_agency (see queries/README.md).
with exchanges as (
    select * from rep_exchanges($start, $end, $teams, $scope_agency)
),

grid as (
    select g.week_start, k.exchange_kind, g.channel
    from week_channel_grid($start, $end) g
    cross join exchange_kinds() k
),

counted as (
    select date_trunc('week', occurred_at) as week_start, exchange_kind, channel, count(*) as exchanges,
           call_minutes(channel, duration_s) as call_minutes
    from exchanges
    group by all
),

final as (
    select g.week_start::date as week_start, g.exchange_kind, g.channel, coalesce(c.exchanges, 0) as exchanges,
           coalesce(c.call_minutes, 0.0) as call_minutes
    from grid g
    left join counted c using (week_start, exchange_kind, channel)
)

select * from final order by week_start, exchange_kind, channel
