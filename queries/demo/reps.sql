-- Demo build: the reps drawn by the generator; demo_rows holds indexes (rep, team, first
-- and last name), whether the rep has an email address and has left, and days counted
-- from the period start (started may be negative: hired before the period).
-- Parameters: $first, $last (name lists), $team_ids, $domains (per team, in the cast's
-- order), $start_date (the first day of the period).
insert into reps
select 'R' || lpad((i + 1)::varchar, 4, '0'),
       $first[first + 1] || ' ' || $last[last + 1],
       $team_ids[team + 1],
       case when has_email then lower($first[first + 1] || '.' || $last[last + 1]) || '@' || $domains[team + 1] end,
       $start_date + started::integer,
       case when has_left then $start_date + left_day::integer end
from demo_rows order by i;
