-- Demo build: the stage changes drawn by the generator; demo_rows holds indexes (deal,
-- stage, rep or -1 for automation) and the time in seconds since the period start.
-- Parameters: $start_us (the period start in microseconds since 1970), $stages.
insert into deal_stage_changes
select 'D' || lpad((deal + 1)::varchar, 7, '0'), $stages[stage + 1],
       make_timestamp($start_us + t * 1000000),
       case when rep >= 0 then 'R' || lpad((rep + 1)::varchar, 4, '0') end
from demo_rows order by deal, t;
