-- Demo build: the contacts drawn by the generator; demo_rows holds indexes (contact,
-- account, first and last name, title or -1).
-- Parameters: $first, $last (name lists), $titles.
insert into contacts
select 'CT' || lpad((i + 1)::varchar, 7, '0'), 'AC' || lpad((account + 1)::varchar, 6, '0'),
       $first[first + 1] || ' ' || $last[last + 1],
       case when title >= 0 then $titles[title + 1] end
from demo_rows order by i;
