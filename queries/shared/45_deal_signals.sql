-- Shared step: which deals are contested, and why, as of one or several ends.
--
-- signal_selected(signal, signals): the signal counts under the selection `signals` (a
-- list of signal names; empty = every signal).
-- deal_flag_intervals_live / deal_flag_intervals: for each deal, the as-of ends at which
--   it has a signal (the validity of its evidence rows, contest_evidence_intervals), cut
--   where its set of signals changes (below); pre-computed for the definitions' default rule.
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

-- deal_flag_intervals_live(end_at, lookback_days, overlap_days): per deal, the as-of ends
-- E <= end_at at which it has at least one signal, cut into disjoint intervals
-- E in (valid_from, valid_until] (null = no limit) over which its set of signals does not
-- change, with a flag per signal; one row per deal and end, so deal_flags_at_ends needs no
-- grouping. Pre-computed for the default rule as derived_deal_flag_intervals;
-- deal_flag_intervals serves it. How:
--   per deal and signal, the rows valid with no limit count from the first of them on, so
--   they are one interval, and a bounded row starting at or after it adds nothing;
--   then one sweep over the moments at which an interval starts or ends: an interval
--   (valid_from, valid_until] counts for every E in (t, next moment] when
--   valid_from <= t < valid_until, so the running count per signal after all the changes
--   at moment t (summed first: no order among them matters) gives the flags up to the
--   next moment; a piece starts at each moment where the flags differ from the moment before.
create or replace macro main.deal_flag_intervals_live(end_at, lookback_days, overlap_days) as table
with per_signal as (
    -- one pass: the start of the rows valid with no limit, and the bounded rows
    select deal_id, signal, min(valid_from) filter (where valid_until is null) as unlimited_from,
           list(struct_pack(valid_from := valid_from, valid_until := valid_until))
               filter (where valid_until is not null) as bounded
    from contest_evidence_intervals(end_at, lookback_days, overlap_days)
    group by deal_id, signal
),

bounded as (
    select deal_id, signal, unlimited_from, unnest(bounded) as piece from per_signal where bounded is not null
),

intervals as (
    select deal_id, signal, unlimited_from as valid_from, null::timestamp as valid_until
    from per_signal
    where unlimited_from is not null
    union all
    select deal_id, signal, piece.valid_from, piece.valid_until
    from bounded
    where unlimited_from is null or piece.valid_from < unlimited_from
),

changes as (
    select deal_id, valid_from as moment, signal, 1 as change from intervals
    union all
    select deal_id, valid_until, signal, -1 from intervals where valid_until is not null
),

per_moment as (
    select deal_id, moment,
           coalesce(sum(change) filter (where signal = 'double_claim'), 0) as double_claim_change,
           coalesce(sum(change) filter (where signal = 'out_of_scope'), 0) as out_of_scope_change,
           coalesce(sum(change) filter (where signal = 'uncoordinated_overlap'), 0) as uncoordinated_overlap_change
    from changes
    group by deal_id, moment
),

flags as (
    select deal_id, moment,
           sum(double_claim_change) over so_far > 0 as double_claim,
           sum(out_of_scope_change) over so_far > 0 as out_of_scope,
           sum(uncoordinated_overlap_change) over so_far > 0 as uncoordinated_overlap
    from per_moment
    window so_far as (partition by deal_id order by moment rows unbounded preceding)
),

piece_starts as (
    select * from flags
    qualify (double_claim, out_of_scope, uncoordinated_overlap) is distinct from
            lag((double_claim, out_of_scope, uncoordinated_overlap)) over (partition by deal_id order by moment)
),

pieces as (
    select deal_id, moment as valid_from, lead(moment) over (partition by deal_id order by moment) as valid_until,
           double_claim, out_of_scope, uncoordinated_overlap
    from piece_starts
)

select p.deal_id, p.valid_from, p.valid_until, p.double_claim, p.out_of_scope, p.uncoordinated_overlap,
       d.closed_at as deal_closed_at
from pieces p
left join deals d using (deal_id)
where p.double_claim or p.out_of_scope or p.uncoordinated_overlap;

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
