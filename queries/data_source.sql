-- Where the database came from and what time it covers: one row.
-- source ('demo' or 'import'), detail (demo settings or imported folder), built_at,
-- absent_tables (optional tables missing from the import, comma-separated), the first
-- and last activity and deal creation timestamps, and the first and last timestamp of
-- any dated table (first_data_at, last_data_at).
-- Parameters: $scope_agency (the user's scope, queries/shared/03_scope.sql): under an agency's
-- scope, detail is null (an imported folder's path on the server is not the agency's to see);
-- the time the file covers is no agency's data and stays.
with meta as (
    select
        max(value) filter (where key = 'source') as source,
        case when $scope_agency is null then max(value) filter (where key = 'detail') end as detail,
        max(value) filter (where key = 'built_at') as built_at,
        coalesce(max(value) filter (where key = 'absent_tables'), '') as absent_tables
    from tandem_meta
),

final as (
    -- the spans are pre-computed with the database (queries/derived/40_spans.sql)
    select * from meta, derived_spans
)

select * from final
