-- Demo build: the scope rules of the cast (tandem.data.demo.cast.SCOPE_RULES), one row each
-- in demo_rows.
-- Parameters: none.
insert into scope_rules
select team_id, segment, region, stage_from, stage_to
from demo_rows;
