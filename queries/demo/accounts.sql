-- Demo build: the accounts drawn by the generator; demo_rows holds indexes (account, name
-- prefix, core and form, segment, region, owner rep or -1), the number that makes a name
-- unique beyond the name space (0: none) and whether the industry is known.
-- Parameters: $prefixes, $cores, $forms (name parts), $industries (per core), $segments,
-- $regions.
insert into accounts
select 'AC' || lpad((i + 1)::varchar, 6, '0'),
       $prefixes[prefix + 1] || ' ' || $cores[core + 1] || ' ' || $forms[form + 1]
           || case when number > 0 then ' ' || (number + 1)::varchar else '' end,
       $segments[segment + 1], $regions[region + 1],
       case when has_industry then $industries[core + 1] end,
       case when owner >= 0 then 'R' || lpad((owner + 1)::varchar, 4, '0') end
from demo_rows order by i;
