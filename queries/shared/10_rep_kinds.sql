-- Shared step: every rep with its team and kind (definitions.md: the kind of a rep is the kind
-- of the rep's team).
-- Macro: rep_kinds().
create or replace macro main.rep_kinds() as table
select r.rep_id, r.name as rep_name, r.team_id, t.name as team_name, t.kind
from reps r
join teams t using (team_id);
