-- Rep-to-rep exchanges per ISO week (Monday 00:00 start), kind (cross_team: reps of
-- different kinds; within_team: same kind) and channel in the period, with call
-- minutes. Every week that starts in the period (or contains its start), kind and
-- channel appears, 0 when none; a period starting mid-week counts only its own days.
-- Exchanges are filtered by team only.
-- Parameters: $start, $end (period [start, end)), $teams (list, empty = all).
with exchanges as (
    select * from rep_exchanges($start, $end, $teams)
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
