-- Shared step: deals as they stood at end_at (definitions.md "Period": everything is computed
-- as of end). Deals created at or after end_at do not exist; a deal closed at or after
-- end_at is open then (closed_at null, status 'open'). Adds the account's segment and
-- region and the owner's and source rep's team and kind.
-- deal_facts_live(): every deal with those joined columns, as recorded (final closed_at
-- and status). It is a pure function of the tables, pre-computed with the database as
-- derived_deals (queries/derived/), which deals_as_of reads: the joins cost 20 ms on
-- every query at 200,000 deals.
-- unstaged_stage: the deals.csv stage of a deal with no stage change in the data at all (an
-- export without stage history), null for the others. deals_as_of turns it into
-- stage_before_changes, the stage a deal shows as of end_at before its first change
-- (definitions.md "Stage shown as of end"): lead, or for a deal with no change at all its
-- deals.csv stage when it is closed as of end_at or still open in the data (when it closes
-- later, its stage as of end_at is unknown: lead).
-- Macros: deal_facts_live(), deals_as_of(end_at).
create or replace macro main.deal_facts_live() as table
select
    d.deal_id,
    d.account_id,
    d.name,
    d.amount,
    d.created_at,
    d.closed_at,
    d.status,
    d.owner_rep_id,
    owner.team_id as owner_team_id,
    owner.kind as owner_kind,
    d.source_rep_id,
    source.team_id as source_team_id,
    source.kind as source_kind,
    a.segment,
    a.region,
    case when not exists (select 1 from deal_stage_changes c where c.deal_id = d.deal_id) then d.stage end
        as unstaged_stage
from deals d
join accounts a using (account_id)
join rep_kinds() owner on owner.rep_id = d.owner_rep_id
left join rep_kinds() source on source.rep_id = d.source_rep_id;

create or replace macro main.deals_as_of(end_at) as table
select
    deal_id,
    account_id,
    name,
    amount,
    created_at,
    case when closed_at < end_at then closed_at end as closed_at,
    case when closed_at < end_at then status else 'open' end as status,
    owner_rep_id,
    owner_team_id,
    owner_kind,
    source_rep_id,
    source_team_id,
    source_kind,
    segment,
    region,
    case when unstaged_stage is not null and (closed_at < end_at or status = 'open') then unstaged_stage
         else 'lead' end as stage_before_changes
from derived_deals
where created_at < end_at;
