-- Demo build: the teams of the cast (tandem.data.demo.cast.TEAMS), one row each in demo_rows.
-- Parameters: none.
insert into teams
select team_id, name, kind, agency
from demo_rows;
