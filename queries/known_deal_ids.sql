-- Which of the deal ids a link names are in the data (any creation date): the Deals page
-- says which ones it left out. Parameters: $deal_ids (a list).
select deal_id
from deals
where list_contains($deal_ids, deal_id)
