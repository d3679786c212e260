-- Cohort trend: the deals created in the period, kept by the filters (deals of no team left
-- out): one row per creation month (dated its 1st) x kind of their team with a created
-- deal: created, won, lost, still open and win rate, outcome as of end whenever the deal
-- closed (recent cohorts have had less time to close). The first and last months may be
-- cut by the period and count only its days (the page draws them hollow).
-- Parameters: $start, $end, $attribution, $teams, $regions, $segments, $scope_agency (see queries/README.md).
with cohort as (
    select date_trunc('month', d.created_at)::date as month, t.kind, d.status
    from filtered_deals($end, $attribution, $teams, $regions, $segments, $scope_agency) d
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
