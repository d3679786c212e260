-- The bounds of the ranges of deals the big derived steps are built for, one at a time
-- (tandem.data.db.build_derived): every $size-th deal id in id order, the first excluded;
-- the ranges run from '' to the first bound, between bounds, and from the last to the end.
select deal_id
from (select deal_id, row_number() over (order by deal_id) - 1 as position from deals)
where position > 0 and position % $size = 0
order by deal_id;
