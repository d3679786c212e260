-- Stable pseudonyms: one row per rep, team, account and contact with its real name and the
-- name shown instead, in presentation mode (every row) and to a role that must not see some
-- names (tandem.model.pseudonyms.names_hidden_from): `kind` (internal/external, reps and
-- teams) and `other_agency` (true for a rep or team of an agency other than the scope's).
-- Internal reps are numbered over all internal reps ("Internal rep 3"); external reps
-- within their agency, agencies lettered in the order of their name ("Agency B rep 2");
-- accounts and contacts over all of them ("Account 17", "Contact 4"). Numbers follow the ids
-- (plain string order), so the same database always gives the same pseudonyms. Teams keep
-- their names in presentation mode (they name no person), except another agency's.
-- Parameters: $scope_agency (the user's scope, queries/shared/03_scope.sql): under an agency's
-- scope the other agencies are one "Other agency" (their teams "Other agency", their reps
-- "Other agency rep 5", numbered over all of their reps: neither their number nor their names
-- show) and its own reps are "Agency rep 2".
with rep_rows as (
    select
        r.rep_id as id,
        r.rep_name as real_name,
        r.kind,
        other_agency($scope_agency, r.kind, r.agency) as other_agency,
        case when $scope_agency is null then r.agency
             when r.agency = $scope_agency then 'own'
             when r.kind = 'external' then 'other' end as agency_group,
        case when r.kind = 'external' and $scope_agency is null
             then dense_rank() over (partition by r.kind order by r.agency) end as agency_number,
        row_number() over (partition by r.kind, agency_group order by r.rep_id) as rep_number
    from rep_kinds() r
),

reps_named as (
    select
        'rep' as entity,
        id,
        real_name,
        case when kind = 'internal' then 'Internal rep ' || rep_number
             when agency_group = 'own' then 'Agency rep ' || rep_number
             when agency_group = 'other' then other_agency_name() || ' rep ' || rep_number
             else 'Agency ' || case when agency_number <= 26 then chr(64 + agency_number::int)
                                    else agency_number::varchar end
                  || ' rep ' || rep_number end as pseudonym,
        kind,
        other_agency
    from rep_rows
),

teams_named as (
    select 'team' as entity, team_id as id, name as real_name,
           team_shown_name($scope_agency, kind, rep_agency(kind, agency, name), name) as pseudonym, kind,
           other_agency($scope_agency, kind, rep_agency(kind, agency, name)) as other_agency
    from teams
),

accounts_named as (
    select 'account' as entity, account_id as id, name as real_name,
           'Account ' || row_number() over (order by account_id) as pseudonym, null as kind, false as other_agency
    from accounts
),

contacts_named as (
    select 'contact' as entity, contact_id as id, name as real_name,
           'Contact ' || row_number() over (order by contact_id) as pseudonym, null as kind, false as other_agency
    from contacts
),

final as (
    select * from reps_named
    union all select * from teams_named
    union all select * from accounts_named
    union all select * from contacts_named
)

select * from final order by entity, id
