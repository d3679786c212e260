-- Shared step: customer touches resolved to the deals they belong to, as of end_at.
-- definitions.md "Customer touch": a touch belongs to deal d when its deal_id is d (whatever
-- its time or its contact's account), or when its deal_id is empty, the contact's
-- account is d's account and the touch falls in d's window
-- [created_at - lookback_days, coalesce(closed_at, end_at)), half-open, days of 24 h
-- (timestamps are naive, so an interval of n days is exactly n * 24 hours).
-- A touch without deal_id can belong to several deals; one with a deal_id belongs to
-- that deal only (and to none if the deal does not exist as of end_at).
-- Belonging only grows with end_at: as of end_at it is the belonging over all the data
-- (end_at = infinity) restricted to occurred_at < end_at and deal_created_at < end_at.
-- And a touch belonging with lookback L belongs with any longer one: with lookback L it is
-- the belonging with a longer lookback M restricted to by_deal_id or occurred_at >=
-- deal_created_at - L days. The pre-computed table derived_deal_touches holds the belonging
-- over all the data with the longest lookback of the range (max_lookback_days(), built with
-- the database, queries/derived/), so deal_touches serves any lookback of the range from it
-- and computes a longer one here (deal_touches_live).
-- Macros: deal_touches_live(end_at, lookback_days), deal_touches(end_at, lookback_days).
create or replace macro main.deal_touches_live(end_at, lookback_days) as table
with touches as (
    select a.activity_id, a.occurred_at, a.channel, a.rep_id, a.contact_id, a.deal_id,
           c.account_id as contact_account_id
    from activities a
    join contacts c using (contact_id)
    where a.occurred_at < end_at
),

deals as (
    select * from deals_as_of(end_at)
),

by_deal_id as (
    select t.*, d.deal_id as belongs_to, d.created_at as deal_created_at
    from touches t
    join deals d on d.deal_id = t.deal_id
),

by_window as (
    select t.*, d.deal_id as belongs_to, d.created_at as deal_created_at
    from touches t
    join deals d
        on t.deal_id is null
        and d.account_id = t.contact_account_id
        and t.occurred_at >= d.created_at - lookback_days * interval 1 day
        and t.occurred_at < coalesce(d.closed_at, end_at)
),

final as (
    select
        b.belongs_to as deal_id,
        b.activity_id,
        b.occurred_at,
        b.channel,
        b.rep_id,
        r.team_id as rep_team_id,
        r.kind as rep_kind,
        b.contact_id,
        b.deal_id is not null as by_deal_id,
        b.deal_created_at
    from (select * from by_deal_id union all select * from by_window) b
    join rep_kinds() r using (rep_id)
)

select * from final;

-- DuckDB drops the branch whose condition is false for the bound
-- parameter, so only one side runs; with a rule in the range tandem.data.queries resolves
-- the name to ranged_rule (00_schemas.sql), so the live side is not even planned.
create or replace macro ranged_rule.deal_touches(end_at, lookback_days) as table
select deal_id, activity_id, occurred_at, channel, rep_id, rep_team_id, rep_kind, contact_id, by_deal_id,
       deal_created_at
from derived_deal_touches
where occurred_at < end_at and deal_created_at < end_at
    and (by_deal_id or occurred_at >= deal_created_at - lookback_days * interval 1 day);

create or replace macro main.deal_touches(end_at, lookback_days) as table
select * from ranged_rule.deal_touches(end_at, lookback_days) where rule_in_range(lookback_days, 1)
union all
select * from deal_touches_live(end_at, lookback_days) where not rule_in_range(lookback_days, 1);

-- Per deal and rep, what the pages ask of touches without needing each one:
-- deal_rep_touch_summary(end_at, lookback_days): per deal and rep with a touch belonging
--   to the deal as of end_at: the rep's team, the deal's creation, the first touch, the
--   first touch at or after the deal's creation, the number of touches before the deal's
--   recorded close (all of them while it has none), and the times of those at or after
--   it (only a touch naming the deal can fall there). The live definition.
-- deal_rep_touch_grain(end_at): the same for every lookback of the pre-computed range at
--   once: the columns of the summary over the touches that belong with any lookback (by
--   deal_id, or at or after the deal's creation; first_touch_at null when none), plus
--   early_window_touches_at, the times of the others (by the window, before the creation:
--   all before the close), which belong with lookback L when at or after
--   deal_created_at - L days. Pre-computed as of all the data as derived_deal_rep_touches
--   (queries/derived/), which serves, for a lookback of the range:
-- deal_rep_first_touches(end_at, lookback_days): per deal and rep that touched it as of
--   end_at, the first touch and the first touch at or after the deal's creation (null
--   when none). Exact from the table: a minimum below end_at is the minimum of the
--   touches before end_at, and the pair exists as of end_at exactly then.
-- closed_deal_touch_counts(end_at, lookback_days): per deal closed as of end_at with at
--   least one touch, the touches belonging to it as of end_at: those before its close
--   (all before end_at) plus those after it and before end_at.
create or replace macro main.deal_rep_touch_summary(end_at, lookback_days) as table
select
    t.deal_id,
    t.rep_id,
    t.rep_team_id,
    any_value(t.deal_created_at) as deal_created_at,
    min(t.occurred_at) as first_touch_at,
    min(t.occurred_at) filter (where t.occurred_at >= t.deal_created_at) as first_touch_from_creation_at,
    count(*) filter (where d.closed_at is null or t.occurred_at < d.closed_at) as touches_before_close,
    coalesce(list(t.occurred_at order by t.occurred_at) filter (where t.occurred_at >= d.closed_at),
             []::timestamp[]) as touched_after_close_at
from deal_touches(end_at, lookback_days) t
join deals d using (deal_id)
group by t.deal_id, t.rep_id, t.rep_team_id;

create or replace macro main.deal_rep_touch_grain(end_at) as table
with touches as (
    select t.*, d.closed_at, t.by_deal_id or t.occurred_at >= t.deal_created_at as with_any_lookback
    from deal_touches(end_at, max_lookback_days()) t
    join deals d using (deal_id)
)

select
    deal_id,
    rep_id,
    rep_team_id,
    any_value(deal_created_at) as deal_created_at,
    min(occurred_at) filter (where with_any_lookback) as first_touch_at,
    min(occurred_at) filter (where occurred_at >= deal_created_at) as first_touch_from_creation_at,
    count(*) filter (where with_any_lookback and (closed_at is null or occurred_at < closed_at)) as touches_before_close,
    coalesce(list(occurred_at order by occurred_at) filter (where occurred_at >= closed_at),
             []::timestamp[]) as touched_after_close_at,
    coalesce(list(occurred_at order by occurred_at) filter (where not with_any_lookback),
             []::timestamp[]) as early_window_touches_at
from touches
group by deal_id, rep_id, rep_team_id;

-- derived_deal_rep_touches with lookback_days: the early touches that belong then counted in
create or replace macro main.deal_rep_touches_at(lookback_days) as table
with early as (
    select *, list_filter(early_window_touches_at,
                          lambda touched_at: touched_at >= deal_created_at - lookback_days * interval 1 day) as belonging
    from derived_deal_rep_touches
)

select deal_id, rep_id, rep_team_id, deal_created_at,
       least(first_touch_at, list_min(belonging)) as first_touch_at,  -- least skips nulls
       first_touch_from_creation_at, touches_before_close + len(belonging) as touches_before_close,
       touched_after_close_at
from early;

create or replace macro ranged_rule.deal_rep_first_touches(end_at, lookback_days) as table
select deal_id, rep_id, rep_team_id, first_touch_at,
       case when first_touch_from_creation_at < end_at then first_touch_from_creation_at end
           as first_touch_from_creation_at
from deal_rep_touches_at(lookback_days)
where first_touch_at < end_at and deal_created_at < end_at;

create or replace macro main.deal_rep_first_touches(end_at, lookback_days) as table
select * from ranged_rule.deal_rep_first_touches(end_at, lookback_days) where rule_in_range(lookback_days, 1)
union all
select deal_id, rep_id, rep_team_id, first_touch_at, first_touch_from_creation_at
from deal_rep_touch_summary(end_at, lookback_days)
where not rule_in_range(lookback_days, 1);

create or replace macro ranged_rule.closed_deal_touch_counts(end_at, lookback_days) as table
select s.deal_id,
       sum(s.touches_before_close
           + len(list_filter(s.touched_after_close_at, lambda touched_at: touched_at < end_at)))::bigint as touches
from deal_rep_touches_at(lookback_days) s
join deals d using (deal_id)
where d.closed_at < end_at
group by s.deal_id
having touches > 0;  -- a deal whose only touches fall at or after end_at has none yet

create or replace macro main.closed_deal_touch_counts(end_at, lookback_days) as table
select * from ranged_rule.closed_deal_touch_counts(end_at, lookback_days) where rule_in_range(lookback_days, 1)
union all
select t.deal_id, count(*) as touches
from deal_touches(end_at, lookback_days) t
join deals_as_of(end_at) d using (deal_id)
where not rule_in_range(lookback_days, 1) and d.closed_at is not null
group by t.deal_id;
