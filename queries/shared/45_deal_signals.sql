-- Shared step: which deals are contested, and why, as of one or several ends.
--
-- signal_selected(signal, signals): the signal counts under the selection `signals` (a
-- list of signal names; empty = every signal).
-- signal_intervals_live(end_at, lookback_days, overlap_days): for each deal and signal,
--   the as-of ends E <= end_at at which the deal has that signal, as disjoint intervals
--   E in (valid_from, valid_until] (null = no limit): the union of the validity of its
--   evidence rows (contest_evidence_intervals), touching intervals merged.
-- deal_flag_intervals_live / deal_flag_intervals: those intervals cut per deal where its
--   set of signals changes (below); pre-computed for the definitions' default rule.
-- deal_flags_at_ends(ends, active_since, lookback_days, overlap_days, signals): for each
--   end of `ends` (a list of timestamps) one row per deal with at least one signal as of
--   that end: a flag per signal (whatever the selection) and is_contested (any selected
--   signal). Deals closed before active_since (a timestamp, or null for every deal) are
--   left out: callers that only count active deals say from when.
-- evidence_first_at / evidence_last_at: aggregates summarising the evidence of a deal
--   (first and last claim or touch time), for the queries that summarise the evidence of
--   the deals they show only.
-- Every page and query that asks "is this deal contested" goes through here.
create or replace macro main.signal_selected(signal, signals) as
    len(signals::varchar[]) = 0 or list_contains(signals::varchar[], signal);

create or replace macro main.evidence_first_at(evidence_at, other_evidence_at) as
    min(least(evidence_at, coalesce(other_evidence_at, evidence_at)));

create or replace macro main.evidence_last_at(evidence_at, other_evidence_at) as
    max(greatest(evidence_at, coalesce(other_evidence_at, evidence_at)));

create or replace macro main.signal_intervals_live(end_at, lookback_days, overlap_days) as table
with validity as (
    select deal_id, signal, valid_from, coalesce(valid_until, 'infinity'::timestamp) as valid_until
    from contest_evidence_intervals(end_at, lookback_days, overlap_days)
),

ordered as (
    -- (a, b] and (c, d] with c <= b make one interval; the latest end seen so far decides
    select *, max(valid_until) over (partition by deal_id, signal order by valid_from, valid_until
                                     rows between unbounded preceding and 1 preceding) as reached
    from validity
),

islands as (
    select *, sum(case when reached is null or valid_from > reached then 1 else 0 end)
                  over (partition by deal_id, signal order by valid_from, valid_until rows unbounded preceding) as island
    from ordered
)

select i.deal_id, i.signal, min(i.valid_from) as valid_from,
       nullif(max(i.valid_until), 'infinity'::timestamp) as valid_until, any_value(d.closed_at) as deal_closed_at
from islands i
left join deals d using (deal_id)
group by i.deal_id, i.signal, i.island;

-- deal_flag_intervals_live(end_at, lookback_days, overlap_days): per deal, the as-of ends
-- E <= end_at at which it has at least one signal, cut into disjoint intervals
-- E in (valid_from, valid_until] (null = no limit) over which its set of signals does not
-- change, with a flag per signal: every start and end of its signal intervals is a cut,
-- and a signal interval covers a piece whole or not at all. One row per deal and end, so
-- deal_flags_at_ends needs no grouping. Pre-computed for the default rule as
-- derived_deal_flag_intervals; deal_flag_intervals serves it.
create or replace macro main.deal_flag_intervals_live(end_at, lookback_days, overlap_days) as table
with intervals as (
    select * from signal_intervals_live(end_at, lookback_days, overlap_days)
),

cuts as (
    select deal_id, valid_from as cut_at from intervals
    union
    select deal_id, valid_until from intervals where valid_until is not null
),

pieces as (
    select deal_id, cut_at as valid_from, lead(cut_at) over (partition by deal_id order by cut_at) as valid_until
    from cuts
)

select
    p.deal_id,
    p.valid_from,
    p.valid_until,
    bool_or(i.signal = 'double_claim') as double_claim,
    bool_or(i.signal = 'out_of_scope') as out_of_scope,
    bool_or(i.signal = 'uncoordinated_overlap') as uncoordinated_overlap,
    any_value(i.deal_closed_at) as deal_closed_at
from pieces p
join intervals i
    on i.deal_id = p.deal_id
    and i.valid_from <= p.valid_from
    and (i.valid_until is null or i.valid_until >= p.valid_until)
group by p.deal_id, p.valid_from, p.valid_until;

-- DuckDB drops the branch whose condition is false for the bound parameters.
create or replace macro default_rule.deal_flag_intervals(end_at, lookback_days, overlap_days) as table
select * from derived_deal_flag_intervals;

create or replace macro main.deal_flag_intervals(end_at, lookback_days, overlap_days) as table
select * from default_rule.deal_flag_intervals(end_at, lookback_days, overlap_days)
where lookback_days = default_lookback_days() and overlap_days = default_overlap_days()
union all
select * from deal_flag_intervals_live(end_at, lookback_days, overlap_days)
where not (lookback_days = default_lookback_days() and overlap_days = default_overlap_days());

create or replace macro main.deal_flags_at_ends(ends, active_since, lookback_days, overlap_days, signals) as table
select
    a.end_at,
    f.deal_id,
    f.double_claim,
    f.out_of_scope,
    f.uncoordinated_overlap,
    (f.double_claim and signal_selected('double_claim', signals))
        or (f.out_of_scope and signal_selected('out_of_scope', signals))
        or (f.uncoordinated_overlap and signal_selected('uncoordinated_overlap', signals)) as is_contested
from deal_flag_intervals(list_max(ends::timestamp[]), lookback_days, overlap_days) f
join (select unnest(ends::timestamp[]) as end_at) a
    on f.valid_from < a.end_at and (f.valid_until is null or a.end_at <= f.valid_until)
-- deals closed before active_since are active in no period starting then or later
where active_since is null or f.deal_closed_at is null or f.deal_closed_at >= active_since;
