"""Map the Maven-shaped fixture (tests/fixtures/maven) to the data contract, as a user
would by hand: see its README for the choices."""

from __future__ import annotations

import csv
from pathlib import Path

MAVEN = Path(__file__).parent / "fixtures" / "maven"
STAGES = {"Won": ("won", "won"), "Lost": ("lost", "lost"), "Engaging": ("open", "qualified"),
          "Prospecting": ("open", "lead")}


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _read(name: str) -> list[dict]:
    with open(MAVEN / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write(folder: Path, name: str, header: list[str], rows: list[list]) -> None:
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def to_contract(folder: Path, external_managers: tuple[str, ...] = ("Cleo Varga",)) -> Path:
    """Write teams, reps, accounts and deals CSVs into `folder` (no other table)."""
    folder.mkdir(parents=True, exist_ok=True)
    agents = _read("sales_teams.csv")
    managers = sorted({a["manager"] for a in agents})
    _write(folder, "teams", ["team_id", "name", "kind", "agency"],
           [[slug(m), m, "external" if m in external_managers else "internal",
             f"{m} Partners" if m in external_managers else ""] for m in managers])
    _write(folder, "reps", ["rep_id", "name", "team_id", "started_on"],
           [[slug(a["sales_agent"]), a["sales_agent"], slug(a["manager"]), "2016-01-01"] for a in agents])
    _write(folder, "accounts", ["account_id", "name", "segment", "region"],
           [[slug(a["account"]), a["account"], a["sector"], a["office_location"]] for a in _read("accounts.csv")])
    prices = {p["product"]: p["sales_price"] for p in _read("products.csv")}
    deals = []
    for o in _read("sales_pipeline.csv"):
        if not o["account"] or not o["engage_date"]:
            continue  # cannot be placed in time or with a customer
        status, stage = STAGES[o["deal_stage"]]
        deals.append([o["opportunity_id"], slug(o["account"]), f"{o['product']} for {o['account']}", o["product"],
                      o["close_value"] or prices[o["product"]], o["engage_date"], o["close_date"], status, stage,
                      slug(o["sales_agent"])])
    _write(folder, "deals", ["deal_id", "account_id", "name", "product", "amount", "created_at", "closed_at", "status",
                             "stage", "owner_rep_id"], deals)
    return folder
