"""The data contract (docs/data-contract.md) as data: tables, columns, types, enumerations, references.

`data/schema.sql` is the same contract as DDL; `tests/test_schema.py` checks that the
two agree. The importer validates CSV files against this module, the exporter writes
columns in this order, and the demo generator fills exactly these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STAGES = ("lead", "qualified", "proposal", "negotiation", "won")  # ordered
ALL_STAGES = STAGES + ("lost",)  # 'lost' ends a deal at any stage


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # id | text | timestamp | date | amount | duration | bool
    required: bool = True
    allowed: tuple[str, ...] | None = None  # enumeration, when there is one
    references: str | None = None  # "table.column"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # unique key ("ids unique"), empty when none
    optional: bool = False  # the CSV file may be absent
    checks: tuple[str, ...] = field(default=())  # names of cross-column rules, see importer

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name, type_="text", required=True, allowed=None, references=None):
    return Column(name, type_, required, allowed, references)


TABLES: tuple[Table, ...] = (
    Table("teams", (
        _c("team_id", "id"),
        _c("name"),
        _c("kind", allowed=("internal", "external")),
        _c("agency", required=False),
    ), key=("team_id",)),
    Table("reps", (
        _c("rep_id", "id"),
        _c("name"),
        _c("team_id", "id", references="teams.team_id"),
        _c("email", required=False),
        _c("started_on", "date"),
        _c("left_on", "date", required=False),
    ), key=("rep_id",)),
    Table("accounts", (
        _c("account_id", "id"),
        _c("name"),
        _c("segment"),
        _c("region"),
        _c("industry", required=False),
        _c("owner_rep_id", "id", required=False, references="reps.rep_id"),
    ), key=("account_id",)),
    Table("contacts", (
        _c("contact_id", "id"),
        _c("account_id", "id", references="accounts.account_id"),
        _c("name"),
        _c("title", required=False),
    ), key=("contact_id",), optional=True),
    Table("deals", (
        _c("deal_id", "id"),
        _c("account_id", "id", references="accounts.account_id"),
        _c("name"),
        _c("product", required=False),
        _c("amount", "amount"),
        _c("created_at", "timestamp"),
        _c("closed_at", "timestamp", required=False),
        _c("status", allowed=("open", "won", "lost")),
        _c("stage", allowed=ALL_STAGES),
        _c("owner_rep_id", "id", references="reps.rep_id"),
        _c("source_rep_id", "id", required=False, references="reps.rep_id"),
        _c("lead_source", required=False),
    ), key=("deal_id",), checks=("closed_after_created", "status_open_iff_not_closed", "status_agrees_with_stage"),
       optional=True),
    Table("deal_stage_changes", (
        _c("deal_id", "id", references="deals.deal_id"),
        _c("stage", allowed=ALL_STAGES),
        _c("changed_at", "timestamp"),
        _c("rep_id", "id", required=False, references="reps.rep_id"),
    ), key=("deal_id", "changed_at"), optional=True),
    Table("activities", (
        _c("activity_id", "id"),
        _c("occurred_at", "timestamp"),
        _c("channel", allowed=("call", "email", "meeting")),
        _c("rep_id", "id", references="reps.rep_id"),
        _c("counterpart_rep_id", "id", required=False, references="reps.rep_id"),
        _c("contact_id", "id", required=False, references="contacts.contact_id"),
        _c("deal_id", "id", required=False, references="deals.deal_id"),
        _c("direction", allowed=("outbound", "inbound")),
        _c("duration_s", "duration", required=False),
        _c("subject", required=False),
    ), key=("activity_id",), checks=("one_counterpart",), optional=True),
    Table("claims", (
        _c("deal_id", "id", references="deals.deal_id"),
        _c("rep_id", "id", references="reps.rep_id"),
        _c("claimed_at", "timestamp"),
        _c("kind", allowed=("registration", "credit")),
    ), optional=True),
    Table("scope_rules", (
        _c("team_id", "id", references="teams.team_id"),
        _c("segment"),
        _c("region"),
        _c("stage_from", allowed=STAGES),
        _c("stage_to", allowed=STAGES),
    ), optional=True),
    Table("events", (
        _c("event_id", "id"),
        _c("name"),
        _c("kind", allowed=("convention", "seminar", "product_launch", "team_building", "strategy_meeting")),
        _c("held_on", "date"),
        _c("internal_only", "bool"),
    ), key=("event_id",), optional=True),
    Table("event_attendance", (
        _c("event_id", "id", references="events.event_id"),
        _c("rep_id", "id", references="reps.rep_id"),
    ), optional=True),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}
