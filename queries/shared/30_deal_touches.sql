-- Shared step: customer touches resolved to the deals they belong to, as of end_at.
-- DESIGN "Customer touch": a touch belongs to deal d when its deal_id is d (whatever
-- its time or its contact's account), or when its deal_id is empty, the contact's
-- account is d's account and the touch falls in d's window
-- [created_at - lookback_days, coalesce(closed_at, end_at)), half-open, days of 24 h
-- (timestamps are naive, so an interval of n days is exactly n * 24 hours).
-- A touch without deal_id can belong to several deals; one with a deal_id belongs to
-- that deal only (and to none if the deal does not exist as of end_at).
-- Belonging only grows with end_at: as of end_at it is the belonging over all the data
-- (end_at = infinity) restricted to occurred_at < end_at and deal_created_at < end_at.
-- That is what the pre-computed table derived_deal_touches (DESIGN default lookback of
-- 30 days, built with the database, queries/derived/) holds, so deal_touches serves
-- lookback 30 from it and computes any other lookback here (deal_touches_live).
-- Macros: deal_touches_live(end_at, lookback_days), deal_touches(end_at, lookback_days).
create or replace macro memory.main.deal_touches_live(end_at, lookback_days) as table
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

-- The constant 30 is DESIGN's default lookback (tandem.filters.DEFAULT_RULES; a test
-- checks they agree). DuckDB drops the branch whose condition is false for the bound
-- parameter, so only one side runs.
create or replace macro memory.main.deal_touches(end_at, lookback_days) as table
select deal_id, activity_id, occurred_at, channel, rep_id, rep_team_id, rep_kind, contact_id, by_deal_id,
       deal_created_at
from derived_deal_touches
where lookback_days = 30 and occurred_at < end_at and deal_created_at < end_at
union all
select * from deal_touches_live(end_at, lookback_days) where lookback_days <> 30;
