-- Demo build: the events drawn by the generator, named with their year; demo_rows holds
-- the event's index, kind, name, day (counted from the period start) and whether it is
-- internal only.
-- Parameters: $start_date (the first day of the period).
insert into events
select 'EV' || lpad((i + 1)::varchar, 3, '0'),
       name || ' ' || year($start_date + held::integer)::varchar,
       kind, $start_date + held::integer, internal_only
from demo_rows order by i;
