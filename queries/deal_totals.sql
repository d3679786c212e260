-- Deal figures of one or more periods (definitions.md "Deal figures"), each as of its own
-- end: one row per period, in the order given: active, created, won, lost, won_amount, won
-- and lost by the kind of the deal's team (deals of no team count in neither), contested,
-- contested_amount, contested_rate, a count per signal, and the ids of the contested deals.
-- Reading recorded here: as of a period's end a deal closed later is open, so the deals as
-- of the last end serve every period (closed_at < end decides, per period).
-- Parameters: $starts, $ends (lists of the same length: the periods), $lookback_days,
-- $overlap_days, $attribution, $teams, $regions, $segments, $signals, $scope_agency (see queries/README.md).
with periods as (
    select unnest($starts::timestamp[]) as period_start, unnest($ends::timestamp[]) as period_end,
           unnest(range(len($ends::timestamp[]))) as position
),

deals as (
    -- every deal a period counts (active, created, won or lost in it) is open or closed at
    -- or after the period's start
    select *
    from active_deals(list_min($starts::timestamp[]), list_max($ends::timestamp[]), $attribution, $teams, $regions,
                      $segments, $scope_agency)
),

signals as (
    select * from deal_flags_at_ends($ends, list_min($starts::timestamp[]), $lookback_days, $overlap_days, $signals)
),

flagged as (
    select
        p.position, p.period_start, p.period_end, d.deal_id, d.amount, d.created_at,
        d.closed_at < p.period_end and d.closed_at >= p.period_start and d.status = 'won' as won_in_period,
        d.closed_at < p.period_end and d.closed_at >= p.period_start and d.status = 'lost' as lost_in_period,
        t.kind as team_kind,
        coalesce(s.is_contested, false) as is_contested,
        coalesce(s.double_claim, false) as double_claim, coalesce(s.out_of_scope, false) as out_of_scope,
        coalesce(s.uncoordinated_overlap, false) as uncoordinated_overlap
    from periods p
    -- only the deals active in the period: a deal created, won or lost in it is active too
    join deals d on d.created_at < p.period_end and (d.closed_at is null or d.closed_at >= p.period_start)
    left join teams t on t.team_id = d.team_id
    left join signals s on s.deal_id = d.deal_id and s.end_at = p.period_end
),

totals as (
    select
        position,
        count(*) as active,
        count(*) filter (where created_at >= period_start) as created,
        count(*) filter (where won_in_period) as won,
        count(*) filter (where lost_in_period) as lost,
        coalesce(sum(amount) filter (where won_in_period), 0)::double as won_amount,
        count(*) filter (where won_in_period and team_kind = 'internal') as won_internal,
        count(*) filter (where lost_in_period and team_kind = 'internal') as lost_internal,
        count(*) filter (where won_in_period and team_kind = 'external') as won_external,
        count(*) filter (where lost_in_period and team_kind = 'external') as lost_external,
        count(*) filter (where is_contested) as contested,
        coalesce(sum(amount) filter (where is_contested), 0)::double as contested_amount,
        (count(*) filter (where is_contested)) / count(*) as contested_rate,
        count(*) filter (where double_claim) as double_claim,
        count(*) filter (where out_of_scope) as out_of_scope,
        count(*) filter (where uncoordinated_overlap) as uncoordinated_overlap,
        coalesce(list(deal_id order by deal_id) filter (where is_contested), [])
            as contested_deal_ids
    from flagged
    group by position
),

final as (
    -- every period has a row, also one before any deal
    select
        p.position, p.period_start, p.period_end,
        coalesce(t.active, 0) as active, coalesce(t.created, 0) as created, coalesce(t.won, 0) as won,
        coalesce(t.lost, 0) as lost, coalesce(t.won_amount, 0)::double as won_amount,
        coalesce(t.won_internal, 0) as won_internal, coalesce(t.lost_internal, 0) as lost_internal,
        coalesce(t.won_external, 0) as won_external, coalesce(t.lost_external, 0) as lost_external,
        coalesce(t.contested, 0) as contested, coalesce(t.contested_amount, 0)::double as contested_amount,
        t.contested_rate,
        coalesce(t.double_claim, 0) as double_claim, coalesce(t.out_of_scope, 0) as out_of_scope,
        coalesce(t.uncoordinated_overlap, 0) as uncoordinated_overlap,
        coalesce(t.contested_deal_ids, []) as contested_deal_ids
    from periods p
    left join totals t using (position)
)

select * exclude (position) from final order by position
