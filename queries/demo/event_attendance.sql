-- Demo build: who attended which event; demo_rows holds indexes (event, rep).
-- Parameters: none.
insert into event_attendance
select 'EV' || lpad((event + 1)::varchar, 3, '0'), 'R' || lpad((rep + 1)::varchar, 4, '0')
from demo_rows order by event, rep;
