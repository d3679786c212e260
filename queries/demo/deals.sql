-- Demo build: the deals drawn by the generator, named after their product, account and
-- year; demo_rows holds indexes (deal, account, product, status, stage, owner rep, source
-- rep or -1, lead source), the amount, and times in seconds since the period start
-- (closed: -1 while open). The accounts must be inserted first.
-- Parameters: $start_us (the period start in microseconds since 1970), $products,
-- $statuses, $stages, $lead_sources.
insert into deals
select 'D' || lpad((d.i + 1)::varchar, 7, '0'), a.account_id,
       $products[d.product + 1] || ' for ' || a.name || ' (' || year(created_at)::varchar || ')',
       $products[d.product + 1], d.amount, created_at,
       case when d.closed >= 0 then make_timestamp($start_us + d.closed * 1000000) end,
       $statuses[d.status + 1], $stages[d.stage + 1],
       'R' || lpad((d.owner + 1)::varchar, 4, '0'),
       case when d.source >= 0 then 'R' || lpad((d.source + 1)::varchar, 4, '0') end,
       $lead_sources[d.lead_source + 1]
from (select *, make_timestamp($start_us + created * 1000000) as created_at from demo_rows) d
join accounts a on a.account_id = 'AC' || lpad((d.account + 1)::varchar, 6, '0')
order by d.i;
