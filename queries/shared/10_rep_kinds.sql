-- Shared step: every rep with its team and kind (definitions.md: the kind of a rep is the kind
-- of the rep's team); agency: an external rep's agency (03_scope.sql), null for internal reps.
-- team_kinds(): the two kinds of team (data contract).
-- Macros: rep_kinds(), team_kinds().
create or replace macro main.rep_kinds() as table
select r.rep_id, r.name as rep_name, r.team_id, t.name as team_name, t.kind, rep_agency(t.kind, t.agency, t.name) as agency
from reps r
join teams t using (team_id);

create or replace macro main.team_kinds() as table
select * from (values ('internal'), ('external')) k(kind);
