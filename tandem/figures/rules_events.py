"""The Rules & events page's figures: the rules of engagement as a matrix, where they leak,
and the events with their attendance by force.

Each builder returns (figure or frame, takeaway title, drawn frame) like the other pages'.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from tandem.figures.style import LAYOUT, NEUTRAL
from tandem.model import wording

NO_RULE = "no rule"
ANY = "*"


def _range(rule) -> str:
    stages = f"{wording.humanise(rule.stage_from)} → {wording.humanise(rule.stage_to)}"
    return stages if rule.region == ANY else f"{stages} ({wording.humanise(rule.region)})"


def rules_matrix(rules: pd.DataFrame, segments: list[str]) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """One row per team (query rules_of_engagement), one column per segment of the data: the
    stage ranges the team may work there (with the region when a rule names one), a rule
    for any segment written in every column; "no rule" for a team without any."""
    rows = []
    for (team_id, name, kind, agency), team_rules in rules.groupby(["team_id", "team_name", "kind", "agency"],
                                                                   sort=False):
        listed = team_rules.dropna(subset=["segment"]).sort_values(["from_position", "to_position", "region"])
        row = {"Team": name, "Force": "internal" if kind == "internal" else agency}
        for segment in segments:
            matching = listed[listed["segment"].isin([segment, ANY])]
            row[wording.humanise(segment)] = "; ".join(_range(r) for r in matching.itertuples()) or (
                NO_RULE if listed.empty else "—")
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["Team", "Force", *map(wording.humanise, segments)])
    teams = rules["team_id"].nunique()
    without = rules[rules["segment"].isna()]["team_name"].tolist()
    counted = len(rules.dropna(subset=["segment"]))
    if counted == 0:
        title = "No rules of engagement: no touch is out of scope"
    else:
        title = f"{wording.plural(counted, 'rule')} for {teams - len(without)} of {teams} teams"
        if without:
            title += (f"; {', '.join(without)} {'has' if len(without) == 1 else 'have'} none, so every touch of "
                      f"{'its' if len(without) == 1 else 'their'} reps on the other force's deals is out of scope")
    return frame, title, rules


LEAK_ROW_PX, LEAK_PLOT_PX = 48, 900  # a team's row; the plot's width at 1440 px


def leaks_by_team_month(leaks: pd.DataFrame) -> tuple[go.Figure, str, pd.DataFrame]:
    """Out-of-scope touches per team (rows) and month (columns), from query
    out_of_scope_by_team_month: one square per team and month with touches, its count
    written in it, the deals touched on hover. Squares of a scatter, not a heatmap: a
    heatmap sends no click, and a click opens the cell's deals (`selected_leak`)."""
    months = sorted(leaks["month"].unique())
    teams = list(dict.fromkeys(leaks["team_name"]))
    labels = {month: f"{pd.Timestamp(month):%b %Y}" for month in months}
    highest = max(int(leaks["touches"].max()) if len(leaks) else 0, 1)
    size = min(0.8 * min(LEAK_ROW_PX, LEAK_PLOT_PX / max(len(months), 1)), 44)
    counts = leaks["touches"].astype(int).to_numpy()
    figure = go.Figure(go.Scatter(
        x=leaks["month"].map(labels), y=leaks["team_name"], mode="markers+text",
        customdata=list(range(len(leaks))),  # the row of `leaks`: one number (a list comes back as an object)
        text=[f"{n:,}" for n in counts], textposition="middle center",
        textfont={"size": 14, "color": ["white" if n > 0.55 * highest else "#67000d" for n in counts]},
        hovertext=[f"{wording.plural(int(d), 'deal')} touched; click to open them" for d in leaks["deals"]],
        marker={"symbol": "square", "size": size, "color": counts, "cmin": 0, "cmax": highest,
                "colorscale": "Reds", "line": {"width": 1, "color": "rgba(103, 0, 13, 0.3)"},
                "colorbar": {"title": {"text": "touches"}}, "showscale": True},
        hovertemplate="%{y}, %{x}: %{marker.color:,} out-of-scope touches<br>%{hovertext}<extra></extra>",
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 0.5}}))
    total = int(leaks["touches"].sum())
    by_team = leaks.groupby("team_name", sort=False)["touches"].sum().sort_values(ascending=False)
    title = f"{wording.plural(total, 'out-of-scope touch', 'out-of-scope touches')}"
    if len(by_team) > 1:
        title += f"; {by_team.index[0]} made {by_team.iloc[0] / total:.0%} of them"
    elif len(by_team) == 1:
        title += f", all by {by_team.index[0]}"
    category = {"type": "category", "categoryorder": "array", "showgrid": True, "gridcolor": "#e5e5e5",
                "tickson": "boundaries", "zeroline": False, "fixedrange": True}
    figure.update_layout(**LAYOUT, title=title, hovermode="closest", height=max(260, LEAK_ROW_PX * len(teams) + 160),
                         xaxis={**category, "title": {"text": "Month of the touch"},
                                "categoryarray": [labels[m] for m in months], "range": [-0.5, len(months) - 0.5]},
                         yaxis={**category, "categoryarray": teams, "range": [len(teams) - 0.5, -0.5]})
    return figure, title, leaks.drop(columns="deal_ids")


def selected_leak(event, leaks: pd.DataFrame) -> pd.Series | None:
    """The row of `leaks` (query out_of_scope_by_team_month) whose cell of
    `leaks_by_team_month` the user clicked, from `st.plotly_chart(on_select="rerun")`'s event;
    None when nothing (or an empty cell) is selected."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    custom = points[0].get("customdata") if points else None
    if not isinstance(custom, (int, float)):
        return None
    number = int(custom)
    return leaks.iloc[number] if 0 <= number < len(leaks) else None


def leak_sentence(row: pd.Series) -> str:
    """'Crestview Promotions, Nov 2026: 5 out-of-scope touches on 1 deal (0 won, 0 lost, 1 open)'."""
    return (f"{row['team_name']}, {pd.Timestamp(row['month']):%b %Y}: "
            f"{wording.plural(int(row['touches']), 'out-of-scope touch', 'out-of-scope touches')} on "
            f"{wording.plural(int(row['deals']), 'deal')} ({int(row['won'])} won, {int(row['lost'])} lost, "
            f"{int(row['open'])} open)")


LEAK_COLUMNS = {"segment": "Segment", "region": "Region", "stage": "Stage at the touch", "touches": "Touches",
                "deals": "Deals touched", "won": "Won", "lost": "Lost", "open": "Open"}


def leak_cells(cells: pd.DataFrame) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """Query out_of_scope_by_cell as a table in words, the most touched cell named in the title."""
    frame = cells[list(LEAK_COLUMNS)].rename(columns=LEAK_COLUMNS)
    for column in ("Segment", "Region", "Stage at the touch"):
        frame[column] = frame[column].map(wording.humanise)
    frame[wording.money_label("Amount of the deals")] = cells["amount"].map(wording.money)
    if cells.empty:
        return frame, "No out-of-scope touch", cells
    top = cells.sort_values(["touches", "deals"], ascending=False).iloc[0]
    title = (f"Most leaks: {wording.humanise(top['segment'])} accounts in {wording.humanise(top['region'])} at "
             f"{wording.humanise(top['stage'])} ({wording.plural(int(top['touches']), 'touch', 'touches')} on "
             f"{wording.plural(int(top['deals']), 'deal')})")
    return frame, title, cells


OUT_OF_PLACE = "Out of place"  # agency reps at an event closed to them (definitions.md "Intrusion")


def events_table(attendance: pd.DataFrame) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """Query events_attendance as one row per event: date, name, kind (and whether it was for
    internal reps only), the attendees of the internal force and of each agency, and the agency reps who had no place
    there (intruders)."""
    forces = [f for f in dict.fromkeys(attendance["force"].dropna()) if f != "internal"]
    rows = []
    for event_id, rows_of in attendance.groupby("event_id", sort=False):
        first = rows_of.iloc[0]
        counts = dict(zip(rows_of["force"], rows_of["attendees"]))
        row = {"Date": first["held_on"], "Event": first["name"],
               "Kind": wording.humanise(first["kind"]) + (", internal only" if first["internal_only"] else ""),
               "Internal": int(counts.get("internal", 0))}
        row.update({force: int(counts.get(force, 0)) for force in forces})
        row[OUT_OF_PLACE] = int(rows_of["intruders"].sum())
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["Date", "Event", "Kind", "Internal", *forces, OUT_OF_PLACE])
    events = len(frame)
    intruded = frame[frame[OUT_OF_PLACE] > 0]
    if events == 0:
        title = "No event in this period"
    elif intruded.empty:
        title = f"{wording.plural(events, 'event')}; no agency rep at an internal-only or strategy meeting"
    else:
        title = (f"{wording.plural(events, 'event')}; agency reps attended "
                 f"{wording.plural(len(intruded), 'meeting')} closed to them")
    return frame, title, attendance


INTRUSION_COLUMNS = {"held_on": "Date", "event_name": "Event", "rep_name": "Agency rep", "team_name": "Team",
                     "agency": "Agency"}


def intrusion_title(intrusions: pd.DataFrame) -> str:
    """'3 agency reps at 1 meeting closed to agencies'."""
    return (f"{wording.plural(len(intrusions), 'agency rep')} at "
            f"{wording.plural(intrusions['event_id'].nunique(), 'meeting')} closed to agencies")


def intrusion_sentence(intrusions: pd.DataFrame) -> str:
    """'3 agency reps attended Strategy Meeting Q4 2026 (10 Sep 2026), an internal-only strategy meeting'."""
    parts = []
    for (name, held_on, kind, internal_only), reps in intrusions.groupby(
            ["event_name", "held_on", "kind", "internal_only"], sort=False):
        what = ("an internal-only " + ("strategy meeting" if kind == "strategy_meeting" else "event")
                if internal_only else "a strategy meeting")
        parts.append(f"{wording.plural(len(reps), 'agency rep')} attended {name} ({pd.Timestamp(held_on):%d %b %Y}), "
                     f"{what}: {', '.join(reps['rep_name'])}")
    return "; ".join(parts)


WHAT_IF_FIGURES = (("touches", "Out-of-scope touches", wording.count),
                   ("deals", "Deals with the out-of-scope signal", wording.count),
                   ("contested", "Contested deals", wording.count),
                   ("at_stake", "Value at stake", wording.money))


def what_if_sentence(row: pd.Series) -> str:
    """What the edited rules would change in the period, in one sentence (query what_if_scope_rules)."""
    changes = [f"{wording.plural(int(row['touches_to_in_scope']), 'touch', 'touches')} would be in scope and "
               f"{wording.count(int(row['touches_to_out_of_scope']))} more out of scope",
               f"{wording.plural(int(row['deals_losing']), 'deal')} would lose the out-of-scope signal and "
               f"{wording.count(int(row['deals_gaining']))} gain it",
               f"value at stake {wording.money_with_currency(row['at_stake_before'])} → "
               f"{wording.money_with_currency(row['at_stake_after'])}"]
    if not any(int(row[k]) for k in ("touches_to_in_scope", "touches_to_out_of_scope", "deals_losing",
                                      "deals_gaining")):
        return "Under the edited rules nothing changes in this period"
    return "Under the edited rules, " + "; ".join(changes)


DEFAULT_WEEKS = 4  # definitions.md "Before / after an event": N's default


def _rate(k, n, low, high) -> str:
    """'1 of 3 (33%; 6–79%)': a proportion with its Wilson 95% interval; '—' without a base."""
    return "—" if not n else f"{int(k)} of {int(n)} ({k / n:.0%}; {low:.0%}–{high:.0%})"


def coordination_verdict(row) -> str:
    """Whether the attending pairs talked more after the event than before: 'rose' when the
    share of pairs with an exchange after lies wholly above its share before (their Wilson 95%
    intervals do not overlap), 'fell' when wholly below, else 'cannot be told apart from
    noise'; 'after window not over' while the data does not reach its end."""
    if not row["after_complete"]:
        return "after window not over"
    if row["talking_after_low"] > row["talking_before_high"]:
        return "rose"
    if row["talking_after_high"] < row["talking_before_low"]:
        return "fell"
    return "cannot be told apart from noise"


def before_after(pairs: pd.DataFrame, weeks: int) -> tuple[go.Figure, str, pd.DataFrame]:
    """Query shared_event_pairs as a dumbbell per event: the share of its attending pairs who
    exchanged at least once in the `weeks` weeks before and after, with Wilson 95% intervals."""
    drawn = pairs.assign(verdict=[coordination_verdict(row) for _, row in pairs.iterrows()])
    drawn["coordination"] = drawn["verdict"].replace({"cannot be told apart from noise": "within noise",
                                                      "after window not over": "not over yet"})  # the table's
    for side in ("before", "after"):
        drawn[f"contested_rate_{side}"] = [
            _rate(row[f"contested_{side}"], row[f"deals_{side}"], row[f"contested_{side}_low"],
                  row[f"contested_{side}_high"]) for _, row in drawn.iterrows()]
    labels = [f"{row['name']} ({pd.Timestamp(row['held_on']):%d %b %Y}, {wording.plural(int(row['pairs']), 'pair')})"
              for _, row in drawn.iterrows()]
    figure = go.Figure()
    # before as a ring, after as a dot inside it: both show when they are equal
    for side, colour, marker in (("before", NEUTRAL, {"size": 15, "symbol": "circle-open", "line": {"width": 2}}),
                                 ("after", "#009E73", {"size": 8})):
        share = drawn[f"talking_{side}"] / drawn["pairs"]
        figure.add_trace(go.Scatter(
            x=share, y=labels, mode="markers", name=f"{weeks} weeks {side}", marker={**marker, "color": colour},
            error_x={"type": "data", "symmetric": False, "array": drawn[f"talking_{side}_high"] - share,
                     "arrayminus": share - drawn[f"talking_{side}_low"], "color": colour, "thickness": 1.5},
            customdata=drawn[[f"talking_{side}", "pairs", f"exchanges_{side}"]].to_numpy(),
            hovertemplate="%{customdata[0]} of %{customdata[1]} pairs talked (%{x:.0%}), %{customdata[2]} "
                          "exchanges<extra>" + side + "</extra>"))
    counts = drawn["verdict"].value_counts()
    judged = len(drawn) - int(counts.get("after window not over", 0))
    if len(drawn) == 0:
        title = "No shared event with both forces attending in this period"
    elif judged == 0:
        title = "The after window of every shared event is not over yet"
    else:
        title = (f"Of {wording.plural(judged, 'shared event')}, coordination rose after {int(counts.get('rose', 0))}, "
                 f"fell after {int(counts.get('fell', 0))}, and cannot be told apart from noise after "
                 f"{int(counts.get('cannot be told apart from noise', 0))}")
    # the legend at the foot of the figure, under the axis title, however many events
    figure.update_layout(**{**LAYOUT, "legend": {"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
                            "margin": {"t": 60, "l": 10, "r": 10, "b": 90}}, title=title,
                         height=max(320, 44 * len(drawn) + 220),
                         xaxis={"title": "Share of the attending pairs with at least one exchange", "tickformat": ".0%",
                                "range": [-0.02, 1.02]}, yaxis={"autorange": "reversed"})
    return figure, title, drawn


BEFORE_AFTER_COLUMNS = {"name": "Event", "pairs": "Pairs", "exchanges_before": "Exchanges before",
                        "exchanges_after": "Exchanges after", "talking_before": "Talking before",
                        "talking_after": "Talking after", "contested_rate_before": "Contested before",
                        "contested_rate_after": "Contested after", "coordination": "Coordination"}
# every column visible at 1440 px (the headers are explained under the table)
BEFORE_AFTER_WIDTHS = {"Event": 185, "Pairs": 55, "Exchanges before": 80, "Exchanges after": 80, "Talking before": 80,
                       "Talking after": 80, "Contested before": 145, "Contested after": 145, "Coordination": 125}
