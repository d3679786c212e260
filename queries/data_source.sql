-- Where the database came from and what time it covers: one row.
-- source ('demo' or 'import'), detail (demo settings or imported folder), built_at,
-- absent_tables (optional tables missing from the import, comma-separated), the first
-- and last activity and deal creation timestamps, and the first and last timestamp of
-- any dated table (first_data_at, last_data_at).
-- Parameters: none.
with meta as (
    select
        max(value) filter (where key = 'source') as source,
        max(value) filter (where key = 'detail') as detail,
        max(value) filter (where key = 'built_at') as built_at,
        coalesce(max(value) filter (where key = 'absent_tables'), '') as absent_tables
    from tandem_meta
),

final as (
    -- the spans are pre-computed with the database (queries/derived/40_spans.sql)
    select * from meta, derived_spans
)

select * from final
