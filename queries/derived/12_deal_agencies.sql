-- Pre-computed with the database (tandem.data.db.build_derived), after the touches: the
-- agencies each deal is in the scope of (03_scope.sql): the agency of its owner or source rep,
-- of a rep who claimed it, or of a rep who made a customer touch belonging to it under the
-- longest pre-computed lookback, at any time (derived_deal_touches). deal_in_scope reads it.
insert into derived_deal_agencies by name
select distinct deal_id, agency
from (
    select d.deal_id, r.agency
    from deals d
    join rep_kinds() r on r.rep_id in (d.owner_rep_id, d.source_rep_id)
    union all
    select c.deal_id, r.agency
    from claims c
    join rep_kinds() r using (rep_id)
    union all
    select t.deal_id, r.agency
    from derived_deal_touches t
    join rep_kinds() r using (rep_id)
)
where agency is not null
order by agency, deal_id;
