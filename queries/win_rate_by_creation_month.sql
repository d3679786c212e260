-- Cohort trend: deals created in the period, by creation month (the calendar month of
-- created_at, dated its 1st; the first and last months may be cut by the period: such a
-- month counts only the deals of the days it shares with the period, and the page draws
-- it hollow and names those days, see tandem.figures.conversion.cohort_trend) and by the
-- kind of their team by attribution, kept by the filters; deals without a team (source
-- attribution, no source rep) are left out. Outcome as of end, whenever the deal
-- closed: created, won, lost, still open, win rate = won / (won + lost) with its
-- Wilson 95% interval (null when none closed). Recent cohorts have had less time to
-- close. Only (month, kind) pairs with a created deal are listed.
-- Parameters: $start, $end, $attribution ('owner' or 'source'), $teams, $regions,
-- $segments (lists, empty = all).
with cohort as (
    select date_trunc('month', d.created_at)::date as month, t.kind, d.status
    from filtered_deals($end, $attribution, $teams, $regions, $segments) d
    join teams t using (team_id)
    where d.created_at >= $start
),

per_month as (
    select
        month,
        kind,
        count(*) as created,
        count(*) filter (where status = 'won') as won,
        count(*) filter (where status = 'lost') as lost,
        count(*) filter (where status = 'open') as open
    from cohort
    group by all
),

final as (
    select
        *,
        win_rate(won, lost) as win_rate,
        win_rate_low(won, lost) as win_rate_low,
        win_rate_high(won, lost) as win_rate_high
    from per_month
)

select * from final order by month, kind
