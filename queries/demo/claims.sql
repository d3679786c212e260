-- Demo build: the claims drawn by the generator; demo_rows holds indexes (deal, rep, kind)
-- and the time in seconds since the period start.
-- Parameters: $start_us (the period start in microseconds since 1970), $kinds.
insert into claims
select 'D' || lpad((deal + 1)::varchar, 7, '0'), 'R' || lpad((rep + 1)::varchar, 4, '0'),
       make_timestamp($start_us + t * 1000000), $kinds[kind + 1]
from demo_rows order by t, deal, kind;
