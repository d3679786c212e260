-- Stable pseudonyms for presentation mode: one row per rep, account and contact with
-- its real name and the name shown instead. Internal reps are numbered over all
-- internal reps ("Internal rep 3"); external reps within their agency, agencies
-- lettered in the order of their name ("Agency B rep 2"); accounts and contacts over
-- all of them ("Account 17", "Contact 4"). Numbers follow the ids (plain string order),
-- so the same database always gives the same pseudonyms.
-- Parameters: none.
with rep_rows as (
    select
        r.rep_id as id,
        r.name as real_name,
        t.kind,
        case when t.kind = 'external'
             then dense_rank() over (partition by t.kind order by coalesce(t.agency, t.name)) end as agency_number,
        row_number() over (partition by t.kind, case when t.kind = 'external' then coalesce(t.agency, t.name) end
                           order by r.rep_id) as rep_number
    from reps r
    join teams t using (team_id)
),

reps_named as (
    select
        'rep' as entity,
        id,
        real_name,
        case when kind = 'internal' then 'Internal rep ' || rep_number
             else 'Agency ' || case when agency_number <= 26 then chr(64 + agency_number::int)
                                    else agency_number::varchar end
                  || ' rep ' || rep_number end as pseudonym
    from rep_rows
),

accounts_named as (
    select 'account' as entity, account_id as id, name as real_name,
           'Account ' || row_number() over (order by account_id) as pseudonym
    from accounts
),

contacts_named as (
    select 'contact' as entity, contact_id as id, name as real_name,
           'Contact ' || row_number() over (order by contact_id) as pseudonym
    from contacts
),

final as (
    select * from reps_named
    union all select * from accounts_named
    union all select * from contacts_named
)

select * from final order by entity, id
