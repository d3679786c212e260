-- Shared step: one row per deal with at least one contest signal as of end_at, with a
-- flag per signal (whatever the selection), and whether it is contested under the
-- selected signals: is_contested when any of its signals is in `signals` (a list of
-- signal names; empty = every signal). first/last_evidence_at span the evidence of the
-- selected signals only (claim times and touch times; null when not contested), and
-- evidence_rep_ids the reps named by that evidence (sorted).
-- Every page and query that asks "is this deal contested" goes through here.
-- Macro: deal_signals(end_at, lookback_days, overlap_days, signals).
create or replace macro memory.main.deal_signals(end_at, lookback_days, overlap_days, signals) as table
with evidence as (
    select *, (len(signals::varchar[]) = 0 or list_contains(signals::varchar[], signal)) as selected
    from contest_evidence(end_at, lookback_days, overlap_days)
)

select
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
group by deal_id;
