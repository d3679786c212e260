-- Where the database came from and what time it covers: one row.
-- source ('demo' or 'import'), detail (demo settings or imported folder), built_at,
-- absent_tables (optional tables missing from the import, comma-separated), and the
-- first and last activity and deal creation timestamps.
-- Parameters: none.
with meta as (
    select
        max(value) filter (where key = 'source') as source,
        max(value) filter (where key = 'detail') as detail,
        max(value) filter (where key = 'built_at') as built_at,
        coalesce(max(value) filter (where key = 'absent_tables'), '') as absent_tables
    from tandem_meta
),

activity_span as (
    select min(occurred_at) as first_activity_at, max(occurred_at) as last_activity_at from activities
),

deal_span as (
    select min(created_at) as first_deal_created_at, max(created_at) as last_deal_created_at from deals
),

final as (
    select * from meta, activity_span, deal_span
)

select * from final
