-- Pre-computed with the database (tandem.data.db.build_derived), first, because the other
-- steps read deals through deals_as_of: every deal with its account's segment and region
-- and its owner's and source rep's team and kind (deal_facts_live).
insert into derived_deals by name
select * from deal_facts_live()
order by deal_id;
