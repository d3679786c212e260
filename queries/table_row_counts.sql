-- Rows per table of the data contract, in contract order.
-- Parameters: none.
select 'teams' as table_name, count(*) as row_count from teams
union all select 'reps', count(*) from reps
union all select 'accounts', count(*) from accounts
union all select 'contacts', count(*) from contacts
union all select 'deals', count(*) from deals
union all select 'deal_stage_changes', count(*) from deal_stage_changes
union all select 'activities', count(*) from activities
union all select 'claims', count(*) from claims
union all select 'scope_rules', count(*) from scope_rules
union all select 'events', count(*) from events
union all select 'event_attendance', count(*) from event_attendance
