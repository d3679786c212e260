"""The contest rule in words and numbers: the signals' names and sentences, the headline
changes of the Contested page, its weekly periods, and the explanation of one deal's contest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from tandem.data.db import PRECOMPUTED_RULE_RANGE, rule_is_precomputed
from tandem.model import coverage, wording
from tandem.model.filters import SIGNALS, ContestRules, Filters
from tandem.model.weekly import monday

SIGNAL_LABELS = {"double_claim": "double claim", "out_of_scope": "out of scope",
                 "uncoordinated_overlap": "uncoordinated overlap"}


def signal_names(deals: pd.DataFrame) -> pd.Series:
    """'double claim, out of scope' per deal, from its signal flag columns (vectorised:
    each combination of flags is a number, named once)."""
    keys = list(SIGNAL_LABELS)
    code = sum(deals[key].fillna(False).astype(int).to_numpy() << bit for bit, key in enumerate(keys))
    names = {c: ", ".join(SIGNAL_LABELS[k] for bit, k in enumerate(keys) if c >> bit & 1) for c in range(1 << len(keys))}
    return pd.Series(code, index=deals.index).map(names).astype(object)




def signal_sentences(rules: ContestRules, present: Iterable[str]) -> dict[str, str]:
    """One plain sentence per signal (definitions.md "Contest signals"), with the rule's numbers;
    a signal whose evidence the database lacks (`present`: its tables with rows) says it is off."""
    days = f"{rules.overlap_days} day{'s' if rules.overlap_days != 1 else ''}"
    sentences = {
        "double_claim": "**Double claim**: reps of both forces claimed the deal (a registration or a credit, "
                        "at any time).",
        "out_of_scope": "**Out of scope**: a rep of the other force than the deal's owner touched the customer "
                        "outside their team's agreed scope (segment, region and the deal's stage at that moment).",
        "uncoordinated_overlap": f"**Uncoordinated overlap**: an internal and an external rep touched the deal's "
                                 f"customer less than {days} apart and did not call, email or meet each other from "
                                 f"{days} before the first of the two touches to {days} after the second.",
    }
    off = {  # why a signal is off, for the first of its tables that has no row
        ("double_claim", "claims"): "the data has no claims (claims.csv), so no deal can be claimed twice",
        ("out_of_scope", "activities"): "the data has no activities (activities.csv), so no customer touch can "
                                        "be judged",
        ("out_of_scope", "scope_rules"): "the data has no scope rules, so no touch can be judged against an "
                                         "agreed scope",
        ("uncoordinated_overlap", "activities"): "the data has no activities (activities.csv), so no two touches "
                                                 "can overlap",
    }
    for signal, needs in coverage.SIGNAL_NEEDS.items():
        lacking = coverage.absent(needs, present)
        if lacking:
            sentences[signal] = f"**{SIGNAL_LABELS[signal].capitalize()}** is off: {off[signal, lacking[0]]}."
    return sentences


def window_sentence(rules: ContestRules) -> str:
    return (f"A touch that names no deal counts for every deal of its account whose window it falls in: from "
            f"{rules.lookback_days} day{'s' if rules.lookback_days != 1 else ''} before the deal's creation to "
            "its close.")


def slower_rule_note(rules: ContestRules) -> str | None:
    """What a rule outside the range of pre-computed rules costs, or None inside it."""
    if rule_is_precomputed({"lookback_days": rules.lookback_days, "overlap_days": rules.overlap_days}):
        return None
    (low_lookback, high_lookback), (low_overlap, high_overlap) = PRECOMPUTED_RULE_RANGE.values()
    return (f"This rule is outside the range Tandem prepares in advance (lookback {low_lookback}–{high_lookback} "
            f"days, overlap {low_overlap}–{high_overlap} days), so it is computed from the raw activity: the page "
            "takes longer, up to a minute on a large database.")


def previous_period(filters: Filters) -> dict[str, dt.datetime]:
    """The period of the same length just before the current one."""
    params = filters.params("start", "end")
    length = params["end"] - params["start"]
    return {"start": params["start"] - length, "end": params["start"]}


def headline(current: pd.Series, previous: pd.Series) -> list[dict]:
    """The three headline figures with their change against the previous period: dicts of
    label, value, delta (None when there is nothing to compare), unchanged and help."""
    figures = []
    base = wording.number(previous["contested"]) or 0  # the deals behind the previous count and amount
    for key, label, unit in (("contested", "Contested active deals", "count"),
                             ("contested_amount", wording.money_label("Value at stake"), "money"),
                             ("contested_rate", "Contested rate", "rate")):
        now, before = wording.number(current[key]), wording.number(previous[key])
        if unit == "rate":
            value = "—" if now is None else f"{now:.1%}"
            delta = (None if now is None or before is None else
                     "no change" if round(now, 3) == round(before, 3) else f"{(now - before) * 100:+.1f} pts")
        else:
            value = wording.count(now) if unit == "count" else wording.money(now)
            delta = None
            if before is not None and int(previous["active"]) > 0:
                delta = "no change" if now == before else wording.signed_change(now, before, base)
        shown_before = "—" if before is None else (f"{before:.1%}" if unit == "rate" else f"{before:,.0f}")
        figures.append({"label": label, "value": value, "delta": delta, "unchanged": delta == "no change",
                        "help": f"Previous period of the same length: {shown_before}."})
    return figures


def week_periods(filters: Filters) -> dict[str, list[dt.datetime]]:
    """`deal_totals` parameters for the ISO weeks that overlap the period, each cut to the
    period and judged as of its own end: {'starts': [...], 'ends': [...]}."""
    params = filters.params("start", "end")
    start, end = params["start"], params["end"]
    week_start = monday(start)
    weeks = []
    while week_start < end:
        weeks.append((max(week_start, start), min(week_start + dt.timedelta(days=7), end)))
        week_start += dt.timedelta(days=7)
    return {"starts": [s for s, _ in weeks], "ends": [e for _, e in weeks]}


def weekly_counts(totals: pd.DataFrame, weeks: dict[str, list[dt.datetime]]) -> pd.DataFrame:
    """Per week of the period: active deals and those contested as of the week's end, in
    total (chosen signals) and per signal (a deal counts under each of its signals), from
    `deal_totals` run over `weeks` (`week_periods`)."""
    counts = totals[["active", "contested", *SIGNALS]].astype(int)
    counts.insert(0, "week_start", [monday(s) for s in weeks["starts"]])
    return counts.reset_index(drop=True)


# --- one deal's evidence -------------------------------------------------------------

def _when(value) -> str:
    return f"{pd.Timestamp(value):%d %b %Y %H:%M}"


def _day(value) -> str:
    return f"{pd.Timestamp(value):%d %b %Y}"


def rep_directory(timeline: pd.DataFrame) -> dict[str, dict]:
    """rep_id -> name, team and kind, from the timeline's actors and counterparts."""
    reps = {}
    for prefix, team in (("rep", "rep_team_name"), ("other_rep", "other_team_name")):
        rows = timeline.dropna(subset=[f"{prefix}_id"])
        for row in rows.itertuples():
            reps[getattr(row, f"{prefix}_id")] = {"name": getattr(row, f"{prefix}_name"), "team": getattr(row, team),
                                                   "kind": getattr(row, f"{prefix}_kind")}
    return reps


def _who(reps: dict, rep_id: str) -> str:
    rep = reps.get(rep_id, {"name": rep_id, "team": "?", "kind": "?"})
    return f"**{wording.literal(rep['name'])}** ({wording.literal(rep['team'])}, {rep['kind']})"


def _a(word: str) -> str:
    """'an email', 'a call', 'an SMB': an acronym takes the article of its first letter's name."""
    text = str(word)
    vowel_sounds = "aefhilmnorsx" if text.isupper() and len(text) > 1 else "aeiou"
    return f"{'an' if text[:1].lower() in vowel_sounds else 'a'} {text}"


def _scope_text(rules: pd.DataFrame) -> str:
    if rules.empty:
        return "has no scope rule, so no touch is in its scope"
    parts = []
    for rule in rules.itertuples():
        segment = "any segment" if rule.segment == "*" else f"{wording.humanise(rule.segment)} accounts"
        region = "any region" if rule.region == "*" else f"the {wording.humanise(rule.region)} region"
        parts.append(f"{wording.literal(segment)} in {wording.literal(region)}, stages {rule.stage_from} to "
                     f"{rule.stage_to}")
    return "agreed scope: " + "; ".join(parts)


def deal_line(record: pd.Series, with_product: bool = False) -> tuple[str, str]:
    """A deal record (query deal_record) as its name and one line: account, region and
    segment, amount, status or stage, owner and source rep."""
    product = f" · {record['product']}" if with_product and isinstance(record["product"], str) else ""
    # a closed deal's stage is its status (won, lost)
    status = record["status"] if record["status"] != "open" else f"open, stage {record['stage']}"
    source = (f" · source {record['source_rep_name']} ({record['source_team_name']})"
              if isinstance(record["source_rep_name"], str) else " · no source rep")
    return record["deal_name"], (
        f"{record['account_name']} ({wording.humanise(record['region'])}, {wording.humanise(record['segment'])}) · "
        f"{wording.money_with_currency(record['amount'])}{product} · {status} · "
        f"owner {record['owner_rep_name']} ({record['owner_team_name']}){source}")


def explain(record: pd.Series, timeline: pd.DataFrame, evidence: pd.DataFrame, scope_rules: pd.DataFrame,
            rules: ContestRules) -> list[str]:
    """Markdown sentences, one per signal and rep (pair), saying why the deal is contested."""
    reps = rep_directory(timeline)
    owner = (f"**{wording.literal(record['owner_rep_name'])}** ({wording.literal(record['owner_team_name'])}, "
             f"{record['owner_kind']})")
    sentences = []
    claims = evidence[evidence["signal"] == "double_claim"]
    if not claims.empty:
        listed = "; ".join(f"{_who(reps, c.rep_id)}: {c.detail} on {_day(c.evidence_at)}"
                           for c in claims.sort_values("evidence_at").itertuples())
        sentences.append(f"**Double claim**: both forces claimed this deal. {listed}.")
    outside = evidence[evidence["signal"] == "out_of_scope"]
    for rep_id, touches in outside.groupby("rep_id", sort=True):
        team = reps.get(rep_id, {}).get("team")
        team_rules = scope_rules[scope_rules["team_name"] == team]
        stages = ", ".join(dict.fromkeys(touches.sort_values("evidence_at")["detail"]))
        count = len(touches)
        when = (f"on {_day(touches['evidence_at'].min())} at stage {stages}" if count == 1 else
                f"{count} times (first {_day(touches['evidence_at'].min())}, last {_day(touches['evidence_at'].max())};"
                f" stages then: {stages})")
        sentences.append(
            f"**Out of scope**: {_who(reps, rep_id)} touched the customer {when} on a deal owned by {owner}. "
            f"This is {wording.literal(_a(wording.humanise(record['segment'])))} account in the "
            f"{wording.literal(wording.humanise(record['region']))} region; "
            f"{wording.literal(wording.possessive(str(team)))} {_scope_text(team_rules)}.")
    overlaps = evidence[evidence["signal"] == "uncoordinated_overlap"]
    days = rules.overlap_days
    for (internal, external), pairs in overlaps.groupby(["rep_id", "other_rep_id"], sort=True):
        gaps = (pairs["other_evidence_at"] - pairs["evidence_at"]).abs()
        closest = pairs.loc[gaps.idxmin()]
        first, second = sorted([closest["evidence_at"], closest["other_evidence_at"]])
        window_from = first - pd.Timedelta(days=days)
        window_to = second + pd.Timedelta(days=days)
        talks = timeline[(timeline["event"] == "exchange")
                         & (((timeline["rep_id"] == internal) & (timeline["other_rep_id"] == external))
                            | ((timeline["rep_id"] == external) & (timeline["other_rep_id"] == internal)))]
        if talks.empty:
            nearest = "They had no exchange at all in the deal's timeline."
        else:
            gap = (talks["occurred_at"] - first).abs()
            near = talks.loc[gap.idxmin()]
            nearest = (f"Their nearest exchange, {_a(near['channel'])} on {_when(near['occurred_at'])}, is outside "
                       f"the {days}-day margin ({_when(window_from)} to {_when(window_to)}).")
        count = len(pairs)
        sentences.append(
            f"**Uncoordinated overlap**: {_who(reps, internal)} and {_who(reps, external)} made "
            f"{count} pair{'s' if count != 1 else ''} of touches less than {days} days apart (closest: {_when(first)} and "
            f"{_when(second)}, {(second - first) / pd.Timedelta(days=1):.1f} days apart) without talking to each "
            f"other from {days} days before to {days} days after. {nearest}")
    return sentences
