-- Demo build: the activities drawn by the generator, in the order the generator sorted
-- them (i, which also makes the ids); demo_rows holds indexes (rep, counterpart rep or -1,
-- contact or -1, deal or -1, channel, direction, subject or -1), the duration in seconds
-- (null for emails) and the time in seconds since the period start. Inserted in slices,
-- one transaction each.
-- Parameters: $start_us (the period start in microseconds since 1970), $activity_digits
-- (digits of the ids: 8, 9 from 100 million activities), $channels,
-- $directions, $subjects.
insert into activities
select 'ACT' || lpad((i + 1)::varchar, $activity_digits, '0'),
       make_timestamp($start_us + t * 1000000),
       $channels[channel + 1],
       'R' || lpad((rep + 1)::varchar, 4, '0'),
       case when counterpart >= 0 then 'R' || lpad((counterpart + 1)::varchar, 4, '0') end,
       case when contact >= 0 then 'CT' || lpad((contact + 1)::varchar, 7, '0') end,
       case when deal >= 0 then 'D' || lpad((deal + 1)::varchar, 7, '0') end,
       $directions[direction + 1],
       duration,
       case when subject >= 0 then $subjects[subject + 1] end
from demo_rows;
