-- Rows per table of the data contract, in contract order.
-- Parameters: $scope_agency (the user's scope, queries/shared/03_scope.sql): the rows in scope
-- (teams, reps and scope rules: internal and the agency's; deals and their stage changes and
-- claims; accounts of those deals or touched by a rep in scope, and their contacts; customer
-- touches in scope and exchanges with one side the agency's; events in scope and their
-- attendance by reps in scope). With no scope, every row (counted without the joins).
with scoped_teams as (
    select team_id from teams where team_in_scope($scope_agency, kind, rep_agency(kind, agency, name))
),

scoped_reps as (
    select rep_id from reps where team_id in (select team_id from scoped_teams)
),

scoped_deals as (
    select deal_id, account_id from deals where deal_in_scope($scope_agency, deal_id)
),

-- an activity is a customer touch or a rep-to-rep exchange, never both (data contract): the
-- pre-computed tables of each, which carry the reps' agencies, hold them all (a scan of the
-- activities joined to reps twice took 0.4 s at 10 million)
scoped_touches as (
    select account_id from derived_customer_touches where touch_in_scope($scope_agency, kind, agency, deal_id)
),

scoped_exchanges as (
    select activity_id from derived_rep_exchanges
    where exchange_in_scope($scope_agency, initiator_agency, counterpart_agency)
),

scoped_accounts as (
    select account_id from accounts
    where $scope_agency is null
        or account_id in (select account_id from scoped_deals union select account_id from scoped_touches)
),

scoped_events as (
    select event_id from events where event_in_scope($scope_agency, event_id, internal_only, kind)
),

whole as (
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
),

in_scope as (
    select 'teams' as table_name, count(*) as row_count from scoped_teams
    union all select 'reps', count(*) from scoped_reps
    union all select 'accounts', count(*) from scoped_accounts
    union all select 'contacts', count(*) from contacts where account_id in (select account_id from scoped_accounts)
    union all select 'deals', count(*) from scoped_deals
    union all select 'deal_stage_changes', count(*) from deal_stage_changes
        where deal_in_scope($scope_agency, deal_id)
    union all select 'activities', (select count(*) from scoped_touches) + (select count(*) from scoped_exchanges)
    union all select 'claims', count(*) from claims where deal_in_scope($scope_agency, deal_id)
    union all select 'scope_rules', count(*) from scope_rules where team_id in (select team_id from scoped_teams)
    union all select 'events', count(*) from scoped_events
    union all select 'event_attendance', count(*) from event_attendance
        where event_id in (select event_id from scoped_events) and rep_id in (select rep_id from scoped_reps)
)

select * from whole where $scope_agency is null
union all
select * from in_scope where $scope_agency is not null
