"""The pandas baseline of the benchmark: the figures of our DuckDB queries,
computed the way a typical Streamlit app would compute them.

A typical app loads every table once into pandas (`load_tables`, the step an app wraps
in `st.cache_data`) and then, at every interaction, filters, merges and groups those
DataFrames with pandas only. This module does exactly that, vectorised (merges,
groupby, `pd.merge_asof`, boolean masks; no Python loop over rows), with the
definitions of docs/definitions.md as the shared SQL steps implement them
(`queries/shared/*.sql`). Everything is computed live as of `end`: unlike the
dashboard, no pre-computed table is used. `tests/test_bench_pandas.py` proves the
figures equal the queries' for the same arguments.

Used by the benchmark harness (`tandem/cli/bench.py`); not by any page.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tandem.model.filters import DEFAULT_RULES

TABLES = ("teams", "reps", "accounts", "contacts", "deals", "deal_stage_changes", "activities", "claims",
          "scope_rules", "stage_order")
Z = 1.959963984540054  # definitions.md "Win rate": the 97.5% normal quantile
WEEKLY_COLUMNS = ("cross_calls", "cross_emails", "touches_internal", "touches_external", "created", "won",
                  "won_amount", "contested", "contested_amount", "win_rate_internal", "win_rate_external")
MATRIX_COLUMNS = ("internal_rep_id", "external_rep_id", "exchanges", "calls", "emails", "meetings", "call_minutes",
                  "initiated_by_internal", "initiated_by_external")
SIGNAL_COLUMNS = ("double_claim", "out_of_scope", "uncoordinated_overlap")
TEAM_COLUMNS = ("team_id", "created", "won", "lost", "won_amount", "win_rate", "win_rate_low", "win_rate_high",
                "median_cycle_days")


# ---------------------------------------------------------------------------------------
# Loading (once per database, like st.cache_data in an app)

def load_tables(db: str | Path) -> dict[str, pd.DataFrame]:
    """Every table the figures need, read once into pandas (`select * from <table>`).

    Optional tables that are absent (claims, scope_rules) come back empty."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        present = {name for (name,) in con.execute("select table_name from information_schema.tables").fetchall()}
        tables = {}
        for name in TABLES:
            if name in present:
                tables[name] = con.execute(f"select * from {name}").df()
        for name, columns in (("claims", ["deal_id", "rep_id", "claimed_at", "kind"]),
                              ("scope_rules", ["team_id", "segment", "region", "stage_from", "stage_to"])):
            tables.setdefault(name, pd.DataFrame(columns=columns))
        return tables
    finally:
        con.close()


# ---------------------------------------------------------------------------------------
# Shared steps (the pandas twins of queries/shared/*.sql)

def _rep_kinds(tables) -> pd.DataFrame:
    """rep_id -> team_id, kind (the kind of a rep is the kind of the rep's team)."""
    return tables["reps"][["rep_id", "team_id"]].merge(tables["teams"][["team_id", "kind"]], on="team_id")


def _deals_as_of(tables, end: dt.datetime, attribution: str = "owner") -> pd.DataFrame:
    """Deals as they stood at `end`: created before end; closed at or after end = open.
    With the owner's kind, the team by attribution, the account's segment and region."""
    deals = tables["deals"]
    deals = deals.loc[deals["created_at"] < end,
                      ["deal_id", "account_id", "amount", "created_at", "closed_at", "status", "owner_rep_id",
                       "source_rep_id"]]
    closed = deals["closed_at"] < end  # NaT compares False
    deals = deals.assign(closed_at=deals["closed_at"].where(closed), status=deals["status"].where(closed, "open"))
    kinds = _rep_kinds(tables).set_index("rep_id")
    deals["owner_kind"] = deals["owner_rep_id"].map(kinds["kind"])
    rep_for_team = deals["owner_rep_id"] if attribution == "owner" else deals["source_rep_id"]
    deals["team_id"] = rep_for_team.map(kinds["team_id"])
    return deals


def _active(deals: pd.DataFrame, start: dt.datetime) -> pd.DataFrame:
    """Active in [start, end): created before end (deals_as_of) and open or closed >= start."""
    return deals[deals["closed_at"].isna() | (deals["closed_at"] >= start)]


def _rep_exchanges(tables, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """Rep-to-rep activities in [start, end) with the kinds of both reps."""
    acts = tables["activities"]
    mask = acts["counterpart_rep_id"].notna() & (acts["occurred_at"] >= start) & (acts["occurred_at"] < end)
    x = acts.loc[mask, ["rep_id", "counterpart_rep_id", "channel", "duration_s"]]
    kind = _rep_kinds(tables).set_index("rep_id")["kind"]
    x["initiator_kind"] = x["rep_id"].map(kind)
    x["counterpart_kind"] = x["counterpart_rep_id"].map(kind)
    return x


def _customer_touches(tables, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """Customer touches (activities with a contact) in [start, end) with the rep's kind."""
    acts = tables["activities"]
    mask = acts["contact_id"].notna() & (acts["occurred_at"] >= start) & (acts["occurred_at"] < end)
    touches = acts.loc[mask, ["rep_id", "channel"]]
    touches["kind"] = touches["rep_id"].map(_rep_kinds(tables).set_index("rep_id")["kind"])
    return touches


def _deal_touches(tables, deals: pd.DataFrame, end: dt.datetime, lookback_days: int) -> pd.DataFrame:
    """Customer touches before `end` resolved to the deals (of `deals`) they belong to:
    by deal_id whatever the time, or, without deal_id, by the contact's account and the
    deal window [created_at - lookback, coalesce(closed_at, end))."""
    acts = tables["activities"]
    touches = acts.loc[acts["contact_id"].notna() & (acts["occurred_at"] < end),
                       ["activity_id", "occurred_at", "rep_id", "contact_id", "deal_id"]]
    with_deal = touches["deal_id"].notna()
    by_deal_id = touches[with_deal].drop(columns="contact_id").merge(deals[["deal_id", "created_at"]], on="deal_id")

    loose = touches.loc[~with_deal, ["activity_id", "occurred_at", "rep_id", "contact_id"]]
    loose = loose.merge(tables["contacts"][["contact_id", "account_id"]], on="contact_id")
    loose = loose.merge(deals[["deal_id", "account_id", "created_at", "closed_at"]], on="account_id")
    in_window = ((loose["occurred_at"] >= loose["created_at"] - pd.Timedelta(days=lookback_days))
                 & (loose["occurred_at"] < loose["closed_at"].fillna(end)))
    by_window = loose.loc[in_window, ["activity_id", "occurred_at", "rep_id", "deal_id", "created_at"]]

    belonging = pd.concat([by_deal_id, by_window], ignore_index=True)
    belonging = belonging.rename(columns={"created_at": "deal_created_at"})
    kinds = _rep_kinds(tables).rename(columns={"team_id": "rep_team_id", "kind": "rep_kind"})
    return belonging.merge(kinds, on="rep_id")


def _double_claim(tables, end: dt.datetime) -> pd.Index:
    """Deals claimed (before end) by at least one internal and one external rep."""
    claims = tables["claims"]
    claims = claims.loc[claims["claimed_at"] < end, ["deal_id", "rep_id"]]
    claims = claims.merge(_rep_kinds(tables)[["rep_id", "kind"]], on="rep_id")
    kinds_per_deal = claims.groupby("deal_id")["kind"].nunique()
    return kinds_per_deal.index[kinds_per_deal == 2]


def _out_of_scope(tables, deals: pd.DataFrame, touches: pd.DataFrame) -> pd.Index:
    """Deals with a touch by a rep of another kind than the owner's that no scope rule of
    the rep's team matches (segment, region, stage at the touch's time)."""
    rules = tables["scope_rules"]
    if rules.empty:
        return pd.Index([], name="deal_id")  # definitions.md: no rules at all -> the signal is off
    accounts = tables["accounts"].set_index("account_id")
    deal_info = deals[["deal_id", "account_id", "owner_kind"]]
    candidates = touches[["deal_id", "activity_id", "occurred_at", "rep_team_id", "rep_kind"]].merge(
        deal_info, on="deal_id")
    candidates = candidates[candidates["rep_kind"] != candidates["owner_kind"]]
    candidates["segment"] = candidates["account_id"].map(accounts["segment"])
    candidates["region"] = candidates["account_id"].map(accounts["region"])

    # stage at the touch's time: the last change with changed_at <= occurred_at, lead before any
    changes = tables["deal_stage_changes"][["deal_id", "changed_at", "stage"]].sort_values("changed_at")
    candidates = pd.merge_asof(candidates.sort_values("occurred_at"), changes, left_on="occurred_at",
                               right_on="changed_at", by="deal_id", direction="backward")
    candidates["stage"] = candidates["stage"].fillna("lead")
    position = tables["stage_order"].set_index("stage")["position"]  # lost: no position
    candidates["position"] = candidates["stage"].map(position).astype(float)
    candidates = candidates.reset_index(drop=True).rename_axis("candidate").reset_index()

    rules = rules.assign(position_from=rules["stage_from"].map(position).astype(float),
                         position_to=rules["stage_to"].map(position).astype(float))
    checked = candidates[["candidate", "rep_team_id", "segment", "region", "position"]].merge(
        rules, left_on="rep_team_id", right_on="team_id", suffixes=("", "_rule"))
    matches = ((checked["segment_rule"] == "*") | (checked["segment_rule"] == checked["segment"])) \
        & ((checked["region_rule"] == "*") | (checked["region_rule"] == checked["region"])) \
        & (checked["position"] >= checked["position_from"]) & (checked["position"] <= checked["position_to"])
    in_scope = checked.loc[matches, "candidate"].unique()
    return pd.Index(candidates.loc[~candidates["candidate"].isin(in_scope), "deal_id"].unique(), name="deal_id")


def _uncoordinated_overlap(tables, touches: pd.DataFrame, end: dt.datetime, overlap_days: int) -> pd.Index:
    """Deals with a touch by an internal rep A and one by an external rep B strictly less
    than overlap_days apart, where A and B had no exchange (before end) in
    [earlier - overlap_days, later + overlap_days], both ends included."""
    # in seconds, so times keep their unit (pandas 2 turns us - ns into ns; merge_asof refuses mixed units)
    overlap = pd.Timedelta(days=overlap_days).as_unit("s")
    cols = ["deal_id", "rep_id", "occurred_at"]
    internal = touches.loc[touches["rep_kind"] == "internal", cols]
    external = touches.loc[touches["rep_kind"] == "external", cols]
    pairs = internal.merge(external, on="deal_id", suffixes=("_i", "_e"))
    pairs = pairs[(pairs["occurred_at_e"] - pairs["occurred_at_i"]).abs() < overlap]
    if pairs.empty:
        return pd.Index([], name="deal_id")
    low_first = pairs["rep_id_i"] < pairs["rep_id_e"]
    pairs = pd.DataFrame({
        "deal_id": pairs["deal_id"],
        "rep_low": pairs["rep_id_i"].where(low_first, pairs["rep_id_e"]),
        "rep_high": pairs["rep_id_e"].where(low_first, pairs["rep_id_i"]),
        "coordination_from": pairs[["occurred_at_i", "occurred_at_e"]].min(axis=1) - overlap,
        "coordination_to": pairs[["occurred_at_i", "occurred_at_e"]].max(axis=1) + overlap,
    })

    # rep-to-rep activities as unordered pairs (either initiator, any channel, any deal)
    acts = tables["activities"]
    x = acts.loc[acts["counterpart_rep_id"].notna() & (acts["occurred_at"] < end),
                 ["rep_id", "counterpart_rep_id", "occurred_at"]]
    x_low_first = x["rep_id"] < x["counterpart_rep_id"]
    exchanges = pd.DataFrame({
        "rep_low": x["rep_id"].where(x_low_first, x["counterpart_rep_id"]),
        "rep_high": x["counterpart_rep_id"].where(x_low_first, x["rep_id"]),
        "first_exchange_at": x["occurred_at"],
    }).sort_values("first_exchange_at")

    # the pair's first exchange at or after the window's start: coordinated when it is
    # also at or before the window's end
    pairs = pd.merge_asof(pairs.sort_values("coordination_from"), exchanges, left_on="coordination_from",
                          right_on="first_exchange_at", by=["rep_low", "rep_high"], direction="forward")
    uncoordinated = pairs["first_exchange_at"].isna() | (pairs["first_exchange_at"] > pairs["coordination_to"])
    return pd.Index(pairs.loc[uncoordinated, "deal_id"].unique(), name="deal_id")


def _signals(tables, deals: pd.DataFrame, end: dt.datetime, lookback_days: int, overlap_days: int) -> pd.DataFrame:
    """deal_id and the three signal flags of every deal of `deals` with at least one signal
    as of end, sorted by deal_id."""
    touches = _deal_touches(tables, deals, end, lookback_days)
    found = {
        "double_claim": _double_claim(tables, end),
        "out_of_scope": _out_of_scope(tables, deals, touches),
        "uncoordinated_overlap": _uncoordinated_overlap(tables, touches, end, overlap_days),
    }
    ids = deals["deal_id"]
    flags = pd.DataFrame({"deal_id": ids.to_numpy()} | {name: ids.isin(found[name]).to_numpy() for name in found})
    flags = flags[flags[list(SIGNAL_COLUMNS)].any(axis=1)]
    return flags.sort_values("deal_id", ignore_index=True)


def _wilson(k: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The Wilson 95% score interval of k / n (no continuity correction, no clamping);
    NaN when n = 0."""
    n = n.astype(float).where(n > 0)
    p = k / n
    centre = p + Z ** 2 / (2 * n)
    spread = Z * np.sqrt(p * (1 - p) / n + Z ** 2 / (4 * n * n))
    denominator = 1 + Z ** 2 / n
    return (centre - spread) / denominator, (centre + spread) / denominator


# ---------------------------------------------------------------------------------------
# The four figures of the benchmark

def contested_signals(tables, start: dt.datetime, end: dt.datetime,
                      lookback_days: int = DEFAULT_RULES["lookback_days"],
                      overlap_days: int = DEFAULT_RULES["overlap_days"]) -> pd.DataFrame:
    """Per active deal of [start, end) with at least one signal as of end: deal_id and the
    flags double_claim, out_of_scope, uncoordinated_overlap, sorted by deal_id."""
    active = _active(_deals_as_of(tables, end), start)  # signals are per deal: only active ones are asked
    return _signals(tables, active, end, lookback_days, overlap_days)


def communication_matrix(tables, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
    """Cross-team exchanges in [start, end) per (internal rep, external rep): counts by
    channel and by initiator's kind, call minutes; sorted by the two rep ids."""
    x = _rep_exchanges(tables, start, end)
    x = x[x["initiator_kind"] != x["counterpart_kind"]]
    by_internal = x["initiator_kind"] == "internal"
    is_call = x["channel"] == "call"
    x = pd.DataFrame({
        "internal_rep_id": x["rep_id"].where(by_internal, x["counterpart_rep_id"]),
        "external_rep_id": x["counterpart_rep_id"].where(by_internal, x["rep_id"]),
        "calls": is_call,
        "emails": x["channel"] == "email",
        "meetings": x["channel"] == "meeting",
        "call_seconds": x["duration_s"].fillna(0.0).where(is_call, 0.0),
        "initiated_by_internal": by_internal,
        "initiated_by_external": ~by_internal,
    })
    matrix = x.groupby(["internal_rep_id", "external_rep_id"], sort=True).agg(
        exchanges=("calls", "size"), calls=("calls", "sum"), emails=("emails", "sum"),
        meetings=("meetings", "sum"), call_seconds=("call_seconds", "sum"),
        initiated_by_internal=("initiated_by_internal", "sum"),
        initiated_by_external=("initiated_by_external", "sum")).reset_index()
    matrix["call_minutes"] = matrix.pop("call_seconds") / 60.0
    return matrix[list(MATRIX_COLUMNS)]


def conversion_per_team(tables, start: dt.datetime, end: dt.datetime, attribution: str = "owner") -> pd.DataFrame:
    """Per team of the teams table (sorted by team_id): deals created in the period, won
    and lost in it (as of end), won amount, win rate with its Wilson interval (NaN when
    nothing closed) and the median sales cycle in days of those won deals (NaN when none)."""
    deals = _deals_as_of(tables, end, attribution)
    deals = deals[deals["team_id"].notna()]
    closed_in_period = deals["closed_at"] >= start
    won = deals[(deals["status"] == "won") & closed_in_period]
    won_cycle = (won["closed_at"] - won["created_at"]).dt.total_seconds() / 86400.0
    per_team = pd.DataFrame({
        "created": deals.loc[deals["created_at"] >= start, "team_id"].value_counts(),
        "won": won["team_id"].value_counts(),
        "lost": deals.loc[(deals["status"] == "lost") & closed_in_period, "team_id"].value_counts(),
        "won_amount": won.groupby("team_id")["amount"].sum(),
        "median_cycle_days": won_cycle.groupby(won["team_id"]).median(),
    })
    teams = tables["teams"][["team_id"]].sort_values("team_id").set_index("team_id")
    result = teams.join(per_team)
    counts = ["created", "won", "lost"]
    result[counts] = result[counts].fillna(0).astype("int64")
    result["won_amount"] = result["won_amount"].fillna(0.0).astype(float)
    closed = result["won"] + result["lost"]
    result["win_rate"] = (result["won"] / closed.where(closed > 0)).astype(float)
    result["win_rate_low"], result["win_rate_high"] = _wilson(result["won"], closed)
    result["median_cycle_days"] = result["median_cycle_days"].astype(float)
    return result.reset_index()[list(TEAM_COLUMNS)]


def _week_kpis(tables, start: dt.datetime, end: dt.datetime, lookback_days: int, overlap_days: int) -> dict:
    x = _rep_exchanges(tables, start, end)
    cross = x.loc[x["initiator_kind"] != x["counterpart_kind"], "channel"].value_counts()
    touches = _customer_touches(tables, start, end)["kind"].value_counts()

    deals = _deals_as_of(tables, end)
    won = deals[(deals["status"] == "won") & (deals["closed_at"] >= start)]
    lost = deals[(deals["status"] == "lost") & (deals["closed_at"] >= start)]
    active = _active(deals, start)
    contested = active[active["deal_id"].isin(_signals(tables, active, end, lookback_days, overlap_days)["deal_id"])]

    # team_conversion summed per kind of team: under owner attribution the owner's kind
    team_kinds = set(tables["teams"]["kind"])
    won_by_kind, lost_by_kind = won["owner_kind"].value_counts(), lost["owner_kind"].value_counts()

    def win_rate(kind: str) -> float:
        w, n = won_by_kind.get(kind, 0), won_by_kind.get(kind, 0) + lost_by_kind.get(kind, 0)
        return float(w / n) if kind in team_kinds and n else math.nan

    return {
        "cross_calls": int(cross.get("call", 0)), "cross_emails": int(cross.get("email", 0)),
        "touches_internal": int(touches.get("internal", 0)), "touches_external": int(touches.get("external", 0)),
        "created": int((deals["created_at"] >= start).sum()), "won": len(won),
        "won_amount": float(won["amount"].sum()),
        "contested": len(contested), "contested_amount": float(contested["amount"].sum()),
        "win_rate_internal": win_rate("internal"), "win_rate_external": win_rate("external"),
    }


def weekly_review(tables, week_start: dt.date, weeks: int = 8) -> pd.DataFrame:
    """The weekly review's KPIs for the `weeks` ISO weeks ending with the one starting on
    week_start (oldest first, indexed by week_start): no filters, owner attribution,
    the definitions' default rule. Win rates are NaN where tandem.model.weekly.week_kpis gives None."""
    starts = [week_start - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    rows = []
    for day in starts:  # one as-of end per week, as the weekly review asks
        start = dt.datetime.combine(day, dt.time())
        rows.append(_week_kpis(tables, start, start + dt.timedelta(days=7), DEFAULT_RULES["lookback_days"],
                               DEFAULT_RULES["overlap_days"]))
    return pd.DataFrame(rows, index=pd.Index(starts, name="week_start"), columns=list(WEEKLY_COLUMNS))
