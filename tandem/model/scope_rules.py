"""Edited rules of engagement for the what-if: the editor's rows checked and turned into the
list of structs the query takes as a bound parameter, and into a scope_rules.csv to import."""

from __future__ import annotations

import csv
import io

import pandas as pd

from tandem.data.contract import ALL_STAGES
from tandem.data.formulas import neutralise

FIELDS = ("team_id", "segment", "region", "stage_from", "stage_to")  # data contract, scope_rules
RULE_STAGES = tuple(stage for stage in ALL_STAGES if stage != "lost")  # a rule's range: lost has no position
ANY = "*"


def from_table(rules: pd.DataFrame) -> pd.DataFrame:
    """The rules of query rules_of_engagement as the editor's rows (a team without a rule has none)."""
    return rules.dropna(subset=["segment"])[list(FIELDS)].reset_index(drop=True)


def checked(rows: pd.DataFrame, teams, segments, regions) -> tuple[list[dict], list[str]]:
    """The complete, valid rows as rule dicts, and one sentence per row left out (numbered as
    the editor shows them, from 1). Empty rows are ignored silently."""
    rules, problems = [], []
    allowed = {"team_id": set(teams), "segment": {ANY, *segments}, "region": {ANY, *regions},
               "stage_from": set(RULE_STAGES), "stage_to": set(RULE_STAGES)}
    for number, row in enumerate(rows.itertuples(index=False), start=1):
        values = {field: getattr(row, field) for field in FIELDS}
        given = {f: v for f, v in values.items() if isinstance(v, str) and v.strip()}
        if not given:
            continue
        if len(given) < len(FIELDS):
            problems.append(f"Row {number} is left out: choose its team, segment, region and both stages.")
        elif any(value not in allowed[field] for field, value in given.items()):
            problems.append(f"Row {number} is left out: one of its values is not a team, segment, region or stage "
                            "of this database.")
        elif RULE_STAGES.index(given["stage_from"]) > RULE_STAGES.index(given["stage_to"]):
            problems.append(f"Row {number} is left out: its range starts at {given['stage_from']}, after "
                            f"{given['stage_to']}.")
        else:
            rules.append(given)
    return rules, problems


def csv_bytes(rules: list[dict]) -> bytes:
    """The rules as scope_rules.csv, ready for `python -m tandem import`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: neutralise(v) if isinstance(v, str) else v for k, v in rule.items()} for rule in rules)
    return out.getvalue().encode("utf-8")
