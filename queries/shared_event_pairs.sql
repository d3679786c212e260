-- Before and after each shared event held in the period (definitions.md "Shared event" and
-- "Before / after an event"): for an event held on day D and $weeks weeks N, before =
-- [D - 7N days, D) and after = [D + 1 day, D + 1 day + 7N days). Its attending pairs are
-- every internal and external rep who both attended. One row per shared event with at
-- least one pair:
--   pairs; exchanges_before / _after: the pairs' rep-to-rep activities (either initiator,
--     any channel) in each window; talking_before / _after: the pairs with at least one,
--     and its Wilson 95% interval over the pairs (talking_*_low / _high);
--   deals_before / _after: the deals both reps of a pair touched in the window (deal
--     touches as of the window's end, with the rule's lookback); contested_before /
--     _after: those contested as of the window's end under the rule ($lookback_days,
--     $overlap_days, $signals), with the Wilson interval of the rate (null without deals);
--   after_complete: whether the data reaches the end of the after window (a recent event's
--     after window is cut by the end of the data: its counts are partial).
-- The team filter keeps a pair when either rep's team is selected (as for exchanges).
-- Parameters: $start, $end, $weeks, $teams, $lookback_days, $overlap_days, $signals, $scope_agency
-- (the user's scope, queries/shared/03_scope.sql): the events in scope, their attendees in
-- scope (internal reps and the agency's), and the deals in scope.
with shared as (
    select event_id, name, kind, held_on,
           held_on::timestamp - ($weeks * 7) * interval 1 day as before_from,
           held_on::timestamp as before_to,
           held_on::timestamp + interval 1 day as after_from,
           held_on::timestamp + interval 1 day + ($weeks * 7) * interval 1 day as after_to
    from events
    where not internal_only
        and kind in ('convention', 'seminar', 'product_launch', 'team_building')
        and held_on >= $start::date and held_on < $end::date
        and event_in_scope($scope_agency, event_id, internal_only, kind)
),

attendees as (
    select a.event_id, a.rep_id, r.kind, r.team_id
    from event_attendance a
    join rep_kinds() r using (rep_id)
    where team_in_scope($scope_agency, r.kind, r.agency)
),

pairs as (
    select s.*, i.rep_id as internal_rep_id, e.rep_id as external_rep_id,
           least(i.rep_id, e.rep_id) as rep_low, greatest(i.rep_id, e.rep_id) as rep_high
    from shared s
    join attendees i on i.event_id = s.event_id and i.kind = 'internal'
    join attendees e on e.event_id = s.event_id and e.kind = 'external'
    where len($teams::varchar[]) = 0
        or list_contains($teams::varchar[], i.team_id) or list_contains($teams::varchar[], e.team_id)
),

pair_exchanges as (
    select p.event_id, p.rep_low, p.rep_high,
           count(x.occurred_at) filter (where x.occurred_at < p.before_to) as before_n,
           count(x.occurred_at) filter (where x.occurred_at >= p.after_from) as after_n
    from pairs p
    left join rep_pair_exchanges((select max(after_to) from shared)) x
        on x.rep_low = p.rep_low and x.rep_high = p.rep_high
        and x.occurred_at >= p.before_from and x.occurred_at < p.after_to
        and (x.occurred_at < p.before_to or x.occurred_at >= p.after_from)
    group by all
),

touches as (
    -- belonging as of a window's end E is belonging as of the latest end restricted to
    -- occurred_at < E and deal_created_at < E (shared step deal_touches)
    select deal_id, rep_id, occurred_at, deal_created_at
    from deal_touches((select max(after_to) from shared), $lookback_days)
),

windows as (
    select event_id, 'before' as side, before_from as window_from, before_to as window_to from shared
    union all
    select event_id, 'after', after_from, after_to from shared
),

attendee_deals as (
    -- per event, window and deal: which kinds of attendee touched it there, and whether one
    -- of them is of a selected team (every attendee is when no team is selected)
    select w.event_id, w.side, w.window_to, t.deal_id,
           bool_or(a.kind = 'internal') as internal_touched,
           bool_or(a.kind = 'external') as external_touched,
           bool_or(a.kind = 'internal' and (len($teams::varchar[]) = 0
                                            or list_contains($teams::varchar[], a.team_id))) as selected_internal_touched,
           bool_or(a.kind = 'external' and (len($teams::varchar[]) = 0
                                            or list_contains($teams::varchar[], a.team_id))) as selected_external_touched
    from windows w
    join attendees a on a.event_id = w.event_id
    join touches t on t.rep_id = a.rep_id and t.occurred_at >= w.window_from and t.occurred_at < w.window_to
        and t.deal_created_at < w.window_to
    group by all
),

pair_deals as (
    -- the deals both reps of a kept pair touched: every internal attendee pairs with every
    -- external one, and a pair is kept when either rep's team is selected
    select event_id, side, window_to, deal_id
    from attendee_deals
    where ((selected_internal_touched and external_touched) or (internal_touched and selected_external_touched))
        and deal_in_scope($scope_agency, deal_id)
),

contested as (
    select end_at, deal_id
    from deal_flags_at_ends((select coalesce(list(distinct window_to), []) from pair_deals), null, $lookback_days,
                            $overlap_days, $signals)
    where is_contested
),

deal_counts as (
    select d.event_id,
           count(*) filter (where d.side = 'before') as deals_before,
           count(c.deal_id) filter (where d.side = 'before') as contested_before,
           count(*) filter (where d.side = 'after') as deals_after,
           count(c.deal_id) filter (where d.side = 'after') as contested_after
    from pair_deals d
    left join contested c on c.deal_id = d.deal_id and c.end_at = d.window_to
    group by d.event_id
),

pair_counts as (
    select event_id, count(*) as pairs,
           sum(before_n)::bigint as exchanges_before, sum(after_n)::bigint as exchanges_after,
           count(*) filter (where before_n > 0) as talking_before,
           count(*) filter (where after_n > 0) as talking_after
    from pair_exchanges
    group by event_id
)

select s.event_id, s.name, s.kind, s.held_on, p.pairs, p.exchanges_before, p.exchanges_after,
       p.talking_before, wilson_low(p.talking_before::double, p.pairs::double) as talking_before_low,
       wilson_high(p.talking_before::double, p.pairs::double) as talking_before_high,
       p.talking_after, wilson_low(p.talking_after::double, p.pairs::double) as talking_after_low,
       wilson_high(p.talking_after::double, p.pairs::double) as talking_after_high,
       coalesce(d.deals_before, 0) as deals_before, coalesce(d.contested_before, 0) as contested_before,
       case when d.deals_before > 0 then wilson_low(d.contested_before::double, d.deals_before::double) end
           as contested_before_low,
       case when d.deals_before > 0 then wilson_high(d.contested_before::double, d.deals_before::double) end
           as contested_before_high,
       coalesce(d.deals_after, 0) as deals_after, coalesce(d.contested_after, 0) as contested_after,
       case when d.deals_after > 0 then wilson_low(d.contested_after::double, d.deals_after::double) end
           as contested_after_low,
       case when d.deals_after > 0 then wilson_high(d.contested_after::double, d.deals_after::double) end
           as contested_after_high,
       s.after_to <= (select last_data_at from derived_spans) as after_complete
from shared s
join pair_counts p using (event_id)
left join deal_counts d using (event_id)
order by s.held_on, s.event_id
