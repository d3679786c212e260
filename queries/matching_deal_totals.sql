-- How many deals match the Deals page's filters, and their amount, over every match
-- (macro deal_matches, whose header gives the readings) whatever the page shows. One row
-- per group: breakdown 'total' (key null), 'stage' (key = stage as of end, position = its
-- place, lost after won), 'team' (key = team_id by attribution, null for no team; label,
-- detail = kind) or 'month' (key = first day of the creation month: a reading chosen here,
-- since an active deal may close later or not at all). amount: 0 when none.
-- Parameters: $start, $end, $attribution, $teams, $regions, $segments, $statuses, $stages,
-- $min_amount, $max_amount (null = no bound), $products, $lead_sources, $owner_rep_ids,
-- $source_rep_ids (lists, empty = all), $search ('' = none), $contested_only, $lookback_days,
-- $overlap_days, $signals, $deal_ids (empty = all), $scope_agency (see queries/README.md).
with matches as (
    select deal_id, amount, stage, team_id, date_trunc('month', created_at)::date as month
    from deal_matches($start, $end, $attribution, $teams, $regions, $segments, $statuses, $stages, $min_amount,
                      $max_amount, $products, $lead_sources, $owner_rep_ids, $source_rep_ids, $search,
                      $contested_only, $lookback_days, $overlap_days, $signals, $deal_ids, $scope_agency)
),

grouped as (
    select
        case when grouping(stage) = 0 then 'stage' when grouping(team_id) = 0 then 'team'
             when grouping(month) = 0 then 'month' else 'total' end as breakdown,
        coalesce(stage, team_id, month::varchar) as key,
        count(*) as deals,
        coalesce(sum(amount), 0)::double as amount
    from matches
    group by grouping sets ((), (stage), (team_id), (month))
),

final as (
    select g.breakdown, g.key,
           case g.breakdown when 'team' then coalesce(t.name, 'No team') else g.key end as label,
           case g.breakdown when 'team' then t.kind end as detail,
           case g.breakdown when 'stage' then coalesce(o.position, 6) end as position,
           g.deals, g.amount
    from grouped g
    left join teams t on g.breakdown = 'team' and t.team_id = g.key
    left join stage_order o on g.breakdown = 'stage' and o.stage = g.key
)

select * from final
order by case breakdown when 'total' then 0 when 'stage' then 1 when 'team' then 2 else 3 end, position, key
