-- Shared step: the rows of a count laid out by week and by channel, so that every week and
-- channel appears (0 when none).
-- period_weeks(start_at, end_at): the ISO weeks (Monday 00:00) of the period [start_at,
--   end_at), week_start as a timestamp: every week that starts in it or contains start_at.
-- channels(): the activity channels of the data contract.
-- week_channel_grid(start_at, end_at): every week of the period by every channel.
create or replace macro main.period_weeks(start_at, end_at) as table
select unnest(generate_series(date_trunc('week', start_at::timestamp), end_at::timestamp - interval 1 microsecond,
                              interval 7 day)) as week_start;

create or replace macro main.channels() as table
select * from (values ('call'), ('email'), ('meeting')) c(channel);

create or replace macro main.week_channel_grid(start_at, end_at) as table
select w.week_start, c.channel
from period_weeks(start_at, end_at) w
cross join channels() c;
