-- Shared step: the contest signals of every deal, one row per piece of evidence
-- (definitions.md "Contest signals"). A deal is contested as of end_at when it has a row there.
--   double_claim: every claim (claimed_at < end_at) of a deal claimed by at least one
--     internal and at least one external rep; rep_id, evidence_at = claimed_at, detail = kind.
--   out_of_scope: every touch belonging to the deal by a rep whose kind differs from
--     the owner's kind and that no scope rule of the rep's team matches (segment and
--     region equal or '*', stage_from <= stage at the touch's time <= stage_to; 'lost'
--     has no position so matches nothing). Off (no rows) when scope_rules is empty.
--     rep_id, activity_id, evidence_at = the touch; detail = the stage at the touch's time.
--   uncoordinated_overlap: every pair of touches belonging to the deal, one by an
--     internal rep A and one by an external rep B, strictly less than overlap_days apart,
--     with no rep-to-rep activity between A and B (either initiator, any channel, any
--     deal, occurred_at < end_at) in [earlier - overlap_days, later + overlap_days],
--     both ends included. rep_id/activity_id/evidence_at = the internal touch, other_* = the
--     external one.
--
-- contest_evidence_timeline(end_at, ...) computes the evidence from the data as of end_at
-- together with the as-of ends E <= end_at at which each row is evidence, E in
-- (valid_from, valid_until] (valid_until null = no limit):
--   double_claim: valid_from = the later of the claim and the moment the deal has claims
--     of both kinds (both first claims before E);
--   out_of_scope: valid_from = the later of the touch and the deal's creation;
--   uncoordinated_overlap: valid_from = the later of the two touches and the deal's
--     creation; valid_until = the pair's first exchange at or after the window start when
--     it falls in the window (it exists, and coordinates the pair, once E > it).
-- Belonging only grows with E (see deal_touches), so filtering the rows of a later end_at
-- by validity gives exactly the evidence as of E. contest_evidence(E, ...) is that filter,
-- over the pre-computed timeline as of all the data (derived_contest_evidence, built with
-- the database for the definitions' default rule) or, for any
-- other rule, over contest_evidence_timeline(E, ...) computed here.
-- The out_of_scope part takes the scope rules as a list (scope_rule_list(): the table's), so
-- that a what-if passes edited rules as a bound parameter through the same definition.
-- Macros: scope_rule_list(), out_of_scope_timeline(end_at, lookback_days, rules),
-- contest_evidence_timeline(end_at, lookback_days, overlap_days),
-- contest_evidence_intervals(end_at, lookback_days, overlap_days),
-- contest_evidence(end_at, lookback_days, overlap_days).
create or replace macro main.scope_rule_list() as (
    select coalesce(list(struct_pack(team_id := team_id, segment := segment, region := region,
                                     stage_from := stage_from, stage_to := stage_to)), [])
    from scope_rules
);

create or replace macro main.out_of_scope_timeline(end_at, lookback_days, rules) as table
with deals as (
    select * from deals_as_of(end_at)
),

touch_stages as (
    -- stage at the touch's time: the last change with changed_at <= occurred_at, lead before any
    select t.*, coalesce(s.stage, 'lead') as stage_then
    from deal_touches(end_at, lookback_days) t
    asof left join deal_stage_changes s on s.deal_id = t.deal_id and s.changed_at <= t.occurred_at
),

scope_candidates as (
    -- touches by a rep of another kind than the owner's, with what a rule must match
    select t.deal_id, t.rep_id, t.rep_team_id, t.activity_id, t.occurred_at, t.stage_then,
           greatest(t.occurred_at, t.deal_created_at) as valid_from,
           d.segment, d.region, touch_stage.position as stage_position
    from touch_stages t
    join deals d using (deal_id)
    left join stage_order touch_stage on touch_stage.stage = t.stage_then
    where t.rep_kind <> d.owner_kind
),

rule_rows as (
    select r.team_id, r.segment, r.region, rule_from.position as from_position, rule_to.position as to_position
    from (select unnest(rules::struct(team_id varchar, segment varchar, region varchar, stage_from varchar,
                                      stage_to varchar)[], recursive := true)) r
    left join stage_order rule_from on rule_from.stage = r.stage_from
    left join stage_order rule_to on rule_to.stage = r.stage_to
),

scope_checked as (
    select
        c.deal_id, c.rep_id, c.activity_id, c.occurred_at, c.stage_then, c.valid_from,
        coalesce(bool_or(r.segment in (c.segment, '*') and r.region in (c.region, '*')
                         and c.stage_position between r.from_position and r.to_position), false) as in_scope
    from scope_candidates c
    left join rule_rows r on r.team_id = c.rep_team_id
    group by all
)

select deal_id, 'out_of_scope' as signal, rep_id, activity_id, occurred_at as evidence_at,
       null::varchar as other_rep_id, null::varchar as other_activity_id, null::timestamp as other_evidence_at,
       stage_then as detail, valid_from, null::timestamp as valid_until
from scope_checked
where not in_scope and len(rules) > 0;

create or replace macro main.double_claim_timeline(end_at) as table
with claims_as_of as (
    select c.deal_id, c.rep_id, c.claimed_at, c.kind as claim_kind, r.kind as rep_kind
    from claims c
    join rep_kinds() r using (rep_id)
    where c.claimed_at < end_at
),

claimed_by_both as (
    -- from when the deal has claims of both kinds
    select deal_id, greatest(min(claimed_at) filter (where rep_kind = 'internal'),
                             min(claimed_at) filter (where rep_kind = 'external')) as both_claimed_at
    from claims_as_of
    group by deal_id
    having count(*) filter (where rep_kind = 'internal') > 0 and count(*) filter (where rep_kind = 'external') > 0
)

select c.deal_id, 'double_claim' as signal, c.rep_id, null::varchar as activity_id, c.claimed_at as evidence_at,
       null::varchar as other_rep_id, null::varchar as other_activity_id, null::timestamp as other_evidence_at,
       c.claim_kind as detail, greatest(c.claimed_at, b.both_claimed_at) as valid_from,
       null::timestamp as valid_until
from claims_as_of c
join claimed_by_both b using (deal_id);

create or replace macro main.contest_evidence_timeline(end_at, lookback_days, overlap_days) as table
with touches as (
    select * from deal_touches(end_at, lookback_days)
),

overlapping_pairs as (
    select i.deal_id, i.rep_id as internal_rep_id, i.activity_id as internal_activity_id,
           i.occurred_at as internal_at, e.rep_id as external_rep_id, e.activity_id as external_activity_id,
           e.occurred_at as external_at,
           greatest(i.occurred_at, e.occurred_at, i.deal_created_at) as valid_from,
           least(i.rep_id, e.rep_id) as rep_low, greatest(i.rep_id, e.rep_id) as rep_high,
           least(i.occurred_at, e.occurred_at) - overlap_days * interval 1 day as coordination_from,
           greatest(i.occurred_at, e.occurred_at) + overlap_days * interval 1 day as coordination_to
    from touches i
    join touches e
        on e.deal_id = i.deal_id
        and e.rep_kind = 'external'
        and e.occurred_at > i.occurred_at - overlap_days * interval 1 day
        and e.occurred_at < i.occurred_at + overlap_days * interval 1 day
    where i.rep_kind = 'internal'
),

first_exchange_in_window as (
    -- the pair's first exchange at or after the window's start; coordinated when it is
    -- also at or before the window's end
    select p.*, x.occurred_at as first_exchange_at
    from overlapping_pairs p
    asof left join rep_pair_exchanges(end_at) x
        on x.rep_low = p.rep_low and x.rep_high = p.rep_high and x.occurred_at >= p.coordination_from
),

uncoordinated_overlap as (
    -- with the data as of end_at every exchange is before end_at, so a row here is
    -- evidence as of end_at exactly when first_exchange_at is null or after the window
    select deal_id, 'uncoordinated_overlap' as signal, internal_rep_id, internal_activity_id, internal_at,
           external_rep_id, external_activity_id, external_at, null::varchar, valid_from,
           case when first_exchange_at <= coordination_to then first_exchange_at end as valid_until
    from first_exchange_in_window
    -- a pair coordinated before it could be evidence (valid_until <= valid_from) never is
    where first_exchange_at is null or first_exchange_at > coordination_to or first_exchange_at > valid_from
),

final as (
    select * from double_claim_timeline(end_at)
    union all select * from out_of_scope_timeline(end_at, lookback_days, scope_rule_list())
    union all select * from uncoordinated_overlap
)

select * from final;

-- contest_evidence_grain(end_at[, deal_from, deal_to]): the evidence of every rule of the
-- pre-computed range (01_default_rule.sql) at once, as of end_at, for the deals with ids in
-- [deal_from, deal_to) (deal_to null: no end; by default every deal; the build takes a
-- range of deals at a time), with what decides for which rules each row is
-- evidence and until when: the rows of contest_evidence_timeline(end_at, L, O) for any L, O
-- of the range are the rows of the grain that pass its filter (contest_evidence_in_range),
-- column for column. Pre-computed as of all the data (derived_contest_evidence_grain). Per
-- row (times in microseconds as integers: compared to L or O days of 24 h, that is exact,
-- and a third of the filter's cost of timestamp arithmetic on 5 million rows):
--   lookback_needed_us: the deal's creation minus the earliest of its touches that belongs
--     to the deal by the lookback window rather than by its deal_id (null: none does). A
--     touch belongs with lookback L when by_deal_id or occurred_at >= deal_created_at - L
--     days, so the row is evidence under L when this is null or at most L days.
--   uncoordinated_overlap (every internal/external pair of touches of the deal less than
--     max_overlap_days() apart, with the longest lookback): earlier_at and later_at, its
--     two touches in time order, gap_us, the time between them, exchange_before_at, the
--     pair's last exchange before the earlier touch, and exchange_after_at, its first
--     exchange at or after it (null: none). Under overlap O the first exchange at or after
--     earlier - O days is exchange_before_at when that is in [earlier - O days, earlier),
--     else exchange_after_at; so (timeline above) the pair is evidence when gap_us is less
--     than O days, exchange_before_at < earlier - O days, and exchange_after_at is null or
--     after the earlier of valid_from and later + O days; its valid_until is
--     exchange_after_at when that is at or before later + O days. Pairs that fail this for
--     every O of the range (O = 1 is the easiest) are left out.
create or replace macro main.contest_evidence_grain(end_at, deal_from := '', deal_to := null) as table
with touches as (
    select *, case when not by_deal_id then occurred_at end as window_touch_at
    from deal_touches(end_at, max_lookback_days())
    where deal_id >= deal_from and (deal_to is null or deal_id < deal_to)
),

double_claim as (
    select * exclude (valid_until), null::bigint as lookback_needed_us, null::timestamp as earlier_at,
           null::timestamp as later_at, null::bigint as gap_us, null::timestamp as exchange_before_at,
           null::timestamp as exchange_after_at
    from double_claim_timeline(end_at)
    where deal_id >= deal_from and (deal_to is null or deal_id < deal_to)
),

out_of_scope as (
    select o.* exclude (valid_until), epoch_us(t.deal_created_at) - epoch_us(t.window_touch_at) as lookback_needed_us,
           null::timestamp as earlier_at, null::timestamp as later_at, null::bigint as gap_us,
           null::timestamp as exchange_before_at, null::timestamp as exchange_after_at
    from out_of_scope_timeline(end_at, max_lookback_days(), scope_rule_list()) o
    join touches t using (deal_id, activity_id)
),

pairs as (
    select i.deal_id, i.rep_id as internal_rep_id, i.activity_id as internal_activity_id,
           i.occurred_at as internal_at, e.rep_id as external_rep_id, e.activity_id as external_activity_id,
           e.occurred_at as external_at,
           greatest(i.occurred_at, e.occurred_at, i.deal_created_at) as valid_from,
           epoch_us(i.deal_created_at) - epoch_us(least(i.window_touch_at, e.window_touch_at)) as lookback_needed_us,
           least(i.rep_id, e.rep_id) as rep_low, greatest(i.rep_id, e.rep_id) as rep_high,
           least(i.occurred_at, e.occurred_at) as earlier_at, greatest(i.occurred_at, e.occurred_at) as later_at,
           abs(epoch_us(e.occurred_at) - epoch_us(i.occurred_at)) as gap_us
    from touches i
    join touches e
        on e.deal_id = i.deal_id
        and e.rep_kind = 'external'
        and e.occurred_at > i.occurred_at - max_overlap_days() * interval 1 day
        and e.occurred_at < i.occurred_at + max_overlap_days() * interval 1 day
    where i.rep_kind = 'internal'
),

with_exchange_before as (
    select p.*, x.occurred_at as exchange_before_at
    from pairs p
    asof left join rep_pair_exchanges(end_at) x
        on x.rep_low = p.rep_low and x.rep_high = p.rep_high and x.occurred_at < p.earlier_at
),

with_exchanges as (
    select p.*, x.occurred_at as exchange_after_at
    from with_exchange_before p
    asof left join rep_pair_exchanges(end_at) x
        on x.rep_low = p.rep_low and x.rep_high = p.rep_high and x.occurred_at >= p.earlier_at
),

uncoordinated_overlap as (
    select deal_id, 'uncoordinated_overlap' as signal, internal_rep_id, internal_activity_id, internal_at,
           external_rep_id, external_activity_id, external_at, null::varchar, valid_from, lookback_needed_us,
           earlier_at, later_at, gap_us, exchange_before_at, exchange_after_at
    from with_exchanges
    where (exchange_before_at is null or exchange_before_at < earlier_at - interval 1 day)
        and (exchange_after_at is null or exchange_after_at > least(valid_from, later_at + interval 1 day))
)

select * from double_claim
union all select * from out_of_scope
union all select * from uncoordinated_overlap;

-- contest_evidence_in_range(lookback_days, overlap_days): the pre-computed grain's rows that
-- are evidence under the rule, with their validity: contest_evidence_timeline as of all the
-- data for a rule of the range (see contest_evidence_grain).
create or replace macro main.contest_evidence_in_range(lookback_days, overlap_days) as table
select deal_id, signal, rep_id, activity_id, evidence_at, other_rep_id, other_activity_id, other_evidence_at, detail,
       valid_from,
       case when exchange_after_at <= later_at + overlap_days * interval 1 day then exchange_after_at end as valid_until
from derived_contest_evidence_grain
where (lookback_needed_us is null or lookback_needed_us <= lookback_days * 86400000000)
    and (signal <> 'uncoordinated_overlap'
         or (gap_us < overlap_days * 86400000000
             and (exchange_before_at is null or exchange_before_at < earlier_at - overlap_days * interval 1 day)
             and (exchange_after_at is null
                  or exchange_after_at > least(valid_from, later_at + overlap_days * interval 1 day))));

-- DuckDB drops the branch whose condition is false for the bound parameters.
-- contest_evidence_intervals(end_at, ...): the evidence with its validity, for every
-- as-of end up to end_at; contest_evidence(end_at, ...): the evidence as of end_at.
create or replace macro ranged_rule.contest_evidence_intervals(end_at, lookback_days, overlap_days) as table
select * from contest_evidence_in_range(lookback_days, overlap_days);

create or replace macro default_rule.contest_evidence_intervals(end_at, lookback_days, overlap_days) as table
select * from derived_contest_evidence;

create or replace macro main.contest_evidence_intervals(end_at, lookback_days, overlap_days) as table
select * from default_rule.contest_evidence_intervals(end_at, lookback_days, overlap_days)
where lookback_days = default_lookback_days() and overlap_days = default_overlap_days()
union all
select * from ranged_rule.contest_evidence_intervals(end_at, lookback_days, overlap_days)
where rule_in_range(lookback_days, overlap_days)
    and not (lookback_days = default_lookback_days() and overlap_days = default_overlap_days())
union all
select * from contest_evidence_timeline(end_at, lookback_days, overlap_days)
where not rule_in_range(lookback_days, overlap_days);

create or replace macro main.contest_evidence(end_at, lookback_days, overlap_days) as table
select * exclude (valid_from, valid_until)
from contest_evidence_intervals(end_at, lookback_days, overlap_days)
where valid_from < end_at and (valid_until is null or end_at <= valid_until);
