-- Shared step of the Deals page: the deals matching its filters, one row per deal, before
-- any ordering or limit, so that the rows shown and the totals and breakdowns over all
-- matches read the same set.
-- Which deals: the active deals of the period as of end_at kept by the global filters
-- (active_deals, in the scope of scope_agency), then by the page's filters; an empty list means "all":
--   statuses: status as of end_at (a deal closed at or after end_at is open);
--   stages: stage as of end_at (definitions.md "Stage shown as of end");
--   min_amount, max_amount: both ends included, null = no bound;
--   products, lead_sources: a deal with none of them is dropped by any selection;
--   owner_rep_ids, source_rep_ids: the deal's owner / source rep;
--   search: case-insensitive substring of the deal's or the account's name ('' = no
--     search); the text is compared literally (contains, not like: % _ ' " are plain);
--   deal_ids: only those deals (a link from Rules & events' leaks); empty = every deal;
--   contested_only: only the deals contested as of end_at under the rule (lookback_days,
--     overlap_days, signals; empty = every signal; definitions.md "Contest signals"). The signal
--     flags are computed only when contested_only is true (the filter `where
--     contested_only` on a bound value prunes deal_flags_at_ends), and are null otherwise.
-- Adds account_name, stage, stage_position (stage_order: lead 1 .. won 5, null for
-- lost), product, lead_source and the signal flags.
-- Macro: deal_matches(start_at, end_at, attribution, teams, regions, segments, statuses,
--   stages, min_amount, max_amount, products, lead_sources, owner_rep_ids,
--   source_rep_ids, search, contested_only, lookback_days, overlap_days, signals, deal_ids, scope_agency).
create or replace macro main.deal_matches(start_at, end_at, attribution, teams, regions, segments, statuses,
    stages, min_amount, max_amount, products, lead_sources, owner_rep_ids, source_rep_ids, search, contested_only,
    lookback_days, overlap_days, signals, deal_ids, scope_agency) as table
with active as (
    select d.*, raw.product, raw.lead_source, acc.name as account_name
    from active_deals(start_at, end_at, attribution, teams, regions, segments, scope_agency) d
    join deals raw using (deal_id)
    join accounts acc on acc.account_id = d.account_id
    where (len(statuses::varchar[]) = 0 or list_contains(statuses::varchar[], d.status))
        and (min_amount::double is null or d.amount >= min_amount::double)
        and (max_amount::double is null or d.amount <= max_amount::double)
        and (len(products::varchar[]) = 0 or list_contains(products::varchar[], raw.product))
        and (len(lead_sources::varchar[]) = 0 or list_contains(lead_sources::varchar[], raw.lead_source))
        and (len(owner_rep_ids::varchar[]) = 0 or list_contains(owner_rep_ids::varchar[], d.owner_rep_id))
        and (len(source_rep_ids::varchar[]) = 0 or list_contains(source_rep_ids::varchar[], d.source_rep_id))
        and (len(deal_ids::varchar[]) = 0 or list_contains(deal_ids::varchar[], d.deal_id))
        and (search::varchar = ''
             or contains(lower(d.name), lower(search::varchar))
             or contains(lower(acc.name), lower(search::varchar)))
),

stage_as_of_end as (
    select c.deal_id, arg_max(c.stage, c.changed_at) as stage
    from deal_stage_changes c
    semi join active a on a.deal_id = c.deal_id
    where c.changed_at < end_at
    group by c.deal_id
),

staged as (
    select a.* exclude (stage_before_changes), coalesce(s.stage, a.stage_before_changes) as stage
    from active a
    left join stage_as_of_end s using (deal_id)
    where len(stages::varchar[]) = 0 or list_contains(stages::varchar[], coalesce(s.stage, a.stage_before_changes))
),

contested as (
    select deal_id, double_claim, out_of_scope, uncoordinated_overlap
    from deal_flags_at_ends([end_at], start_at, lookback_days, overlap_days, signals)
    where contested_only and is_contested
),

final as (
    select s.*, o.position as stage_position, c.double_claim, c.out_of_scope, c.uncoordinated_overlap
    from staged s
    join stage_order o using (stage)
    left join contested c using (deal_id)
    where not contested_only or c.deal_id is not null
)

select * from final;
