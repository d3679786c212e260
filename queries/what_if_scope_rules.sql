-- What-if for the rules of engagement (definitions.md "What-if scope rules"): the out-of-scope
-- signal under edited rules $rules (a list of structs: team_id, segment, region, stage_from,
-- stage_to, bound as a parameter, never written into the SQL; null for the database's own
-- rules unedited, which then need no live recomputation) against the database's own rules, by the same definition (shared step out_of_scope_timeline, which the contest
-- signal uses with the table's rules), as of $end. One row:
--   touches_before, touches_after: out-of-scope touches made in the period, distinct
--     activities, kept as the leaks are (the touching rep's team; the deal's region and
--     segment); touches_to_in_scope, touches_to_out_of_scope: those that change side;
--   deals_before, deals_after: the active deals of the period kept by the global filters
--     (attribution, teams, regions, segments) with the out-of-scope signal as of $end (any
--     touch before $end, as the signal); deals_gaining, deals_losing: those that change;
--   contested_before, contested_after, at_stake_before, at_stake_after: those active deals
--     contested under the rule's signals ($signals, empty = every signal; the other signals
--     unchanged) and their amount summed.
-- Parameters: $start, $end, $attribution, $teams, $regions, $segments, $lookback_days,
-- $overlap_days, $signals, $rules, $scope_agency (see queries/README.md).
with active as (
    select deal_id, amount
    from active_deals($start, $end, $attribution, $teams, $regions, $segments, $scope_agency)
),

evidence as (
    select deal_id, signal from contest_evidence($end, $lookback_days, $overlap_days)
),

-- the deals with the signal as of $end: the database's rules, and the edited ones
out_before as (
    select distinct deal_id from evidence where signal = 'out_of_scope'
),

out_after as (
    -- $rules null: the database's own rules, read like the signal (no live recomputation)
    select distinct deal_id from evidence where signal = 'out_of_scope' and $rules is null
    union
    select distinct deal_id from out_of_scope_timeline($end, $lookback_days, $rules)
    where $rules is not null and valid_from < $end
),

other_signals as (
    select distinct deal_id
    from evidence
    where signal <> 'out_of_scope' and (len($signals::varchar[]) = 0 or list_contains($signals::varchar[], signal))
),

-- the touches of the period, kept as the leaks are
touch_sides as (
    select activity_id, bool_or(side = 'before') as out_before, bool_or(side = 'after') as out_after
    from (
        select 'before' as side, activity_id
        from out_of_scope_touches($start, $end, $lookback_days, $overlap_days, $teams, $regions, $segments, null, $scope_agency)
        union all
        select 'after', activity_id
        from out_of_scope_touches($start, $end, $lookback_days, $overlap_days, $teams, $regions, $segments, $rules, $scope_agency)
    )
    group by activity_id
),

deal_sides as (
    select a.deal_id, a.amount,
           a.deal_id in (select deal_id from out_before) as out_before,
           a.deal_id in (select deal_id from out_after) as out_after,
           a.deal_id in (select deal_id from other_signals) as other,
           len($signals::varchar[]) = 0 or list_contains($signals::varchar[], 'out_of_scope') as out_counts
    from active a
),

deal_counts as (
    select
        count(*) filter (where out_before) as deals_before,
        count(*) filter (where out_after) as deals_after,
        count(*) filter (where out_after and not out_before) as deals_gaining,
        count(*) filter (where out_before and not out_after) as deals_losing,
        count(*) filter (where other or (out_counts and out_before)) as contested_before,
        count(*) filter (where other or (out_counts and out_after)) as contested_after,
        coalesce(sum(amount) filter (where other or (out_counts and out_before)), 0) as at_stake_before,
        coalesce(sum(amount) filter (where other or (out_counts and out_after)), 0) as at_stake_after
    from deal_sides
),

touch_counts as (
    select
        count(*) filter (where out_before) as touches_before,
        count(*) filter (where out_after) as touches_after,
        count(*) filter (where out_before and not out_after) as touches_to_in_scope,
        count(*) filter (where out_after and not out_before) as touches_to_out_of_scope
    from touch_sides
)

select * from touch_counts, deal_counts
