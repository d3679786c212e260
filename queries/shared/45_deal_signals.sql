-- Shared step: the contested deals as of several ends at once. For each end of `ends`
-- (a list of timestamps), one row per deal with at least one contest signal as of that
-- end, with a flag per signal (whatever the selection), and whether it is contested
-- under the selected signals: is_contested when any of its signals is in `signals` (a
-- list of signal names; empty = every signal). first/last_evidence_at span the evidence
-- of the selected signals only (claim times and touch times; null when not contested),
-- and evidence_rep_ids lists the reps named by that evidence (sorted).
-- The evidence comes with its validity in time (contest_evidence_intervals), computed
-- once as of the last end, so several ends cost one evaluation.
-- Every page and query that asks "is this deal contested" goes through here.
-- Macros: deal_signals_at_ends(ends, lookback_days, overlap_days, signals),
-- deal_signals(end_at, lookback_days, overlap_days, signals) (one end, no end column).
create or replace macro memory.main.deal_signals_at_ends(ends, lookback_days, overlap_days, signals) as table
with as_of as (
    select unnest(ends::timestamp[]) as end_at
),

evidence as (
    select a.end_at, e.*, (len(signals::varchar[]) = 0 or list_contains(signals::varchar[], e.signal)) as selected
    from contest_evidence_intervals(list_max(ends::timestamp[]), lookback_days, overlap_days) e
    join as_of a on e.valid_from < a.end_at and (e.valid_until is null or a.end_at <= e.valid_until)
)

select
    end_at,
    deal_id,
    bool_or(signal = 'double_claim') as double_claim,
    bool_or(signal = 'out_of_scope') as out_of_scope,
    bool_or(signal = 'uncoordinated_overlap') as uncoordinated_overlap,
    bool_or(selected) as is_contested,
    min(least(evidence_at, coalesce(other_evidence_at, evidence_at))) filter (where selected) as first_evidence_at,
    max(greatest(evidence_at, coalesce(other_evidence_at, evidence_at))) filter (where selected) as last_evidence_at,
    list_sort(list_distinct(flatten(list([rep_id, coalesce(other_rep_id, rep_id)]) filter (where selected))))
        as evidence_rep_ids
from evidence
group by end_at, deal_id;

create or replace macro memory.main.deal_signals(end_at, lookback_days, overlap_days, signals) as table
select * exclude (end_at) from deal_signals_at_ends([end_at], lookback_days, overlap_days, signals);
