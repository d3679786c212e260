"""One deal's record and evidence, drawn the same way on every page that opens a deal
(Contested deals, Deals): the header line, why it is contested under the rule, its
timeline (`tandem.figures.contested.timeline_figure`), the events, and on request the account's
contacts touched, the claims and the stage history.

Data comes through `tandem.ui.app.run` (cached, pseudonymised in presentation mode) from
the queries deal_record, deal_timeline, contest_evidence and scope_rules_by_team.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tandem.figures import contested
from tandem.model import contest, coverage, wording
from tandem.model.filters import ContestRules, Filters
from tandem.ui import app, state, widgets

# the timeline's columns as listed under the chart (ids, kinds and the counterpart's team left
# out: the chart shows them), with widths that fit a 1440 px window
EVENT_COLUMNS = {"occurred_at": ("When", 125), "event": ("Event", 95), "channel": ("Channel", 70),
                 "rep_name": ("Rep", 110), "rep_team_name": ("Team", 140), "other_rep_name": ("With rep", 110),
                 "contact_name": ("Contact", 110), "detail": ("Detail", 175)}


def contacts_touched(timeline: pd.DataFrame) -> pd.DataFrame:
    """One row per contact touched for the deal: touches, first and last, by whom."""
    touches = timeline[timeline["event"] == "touch"]
    if touches.empty:
        return pd.DataFrame(columns=["contact_id", "contact_name", "touches", "first_touch_at", "last_touch_at",
                                     "reps"])
    grouped = touches.groupby(["contact_id", "contact_name"], dropna=False, sort=False)
    return grouped.agg(touches=("occurred_at", "size"), first_touch_at=("occurred_at", "min"),
                       last_touch_at=("occurred_at", "max"),
                       reps=("rep_name", lambda names: ", ".join(sorted(set(names.dropna()))))) \
        .reset_index().sort_values(["touches", "last_touch_at"], ascending=[False, False]).reset_index(drop=True)


def _events(timeline: pd.DataFrame, event: str, detail: str) -> pd.DataFrame:
    rows = timeline[timeline["event"] == event]
    return rows[["occurred_at", "detail", "rep_name", "rep_team_name"]].rename(columns={"detail": detail}) \
        .reset_index(drop=True)


def show_deal(deal_id: str, filters: Filters, rules: ContestRules, key: str, details: bool = False) -> bool:
    """Draw deal `deal_id` as of the end of the period; False (with a warning) when it does
    not exist then. `key` keeps the widgets of two pages apart; `details` adds the
    contacts touched, the claims and the stage history."""
    end = filters.params("end")["end"]
    record = app.run("deal_record", deal_id=deal_id, end=end, lookback_days=rules.lookback_days)
    if record.empty:
        named = wording.literal(repr(deal_id[:40]))
        if app.current_scope().agency is not None:  # a link shared by someone who sees more than this user
            st.warning(f"There is no deal {named} among the deals you can see as of {filters.end:%d %b %Y}. A link "
                       "from a colleague who sees more can name deals that are not in your view.",
                       icon=":material/search_off:")
        else:
            st.warning(f"There is no deal {named} as of {filters.end:%d %b %Y}.", icon=":material/search_off:")
        return False
    record = record.iloc[0]
    timeline = app.run("deal_timeline", deal_id=deal_id, end=end, lookback_days=rules.lookback_days,
                       overlap_days=rules.overlap_days)
    evidence = app.run("contest_evidence", deal_ids=[deal_id], end=end, lookback_days=rules.lookback_days,
                       overlap_days=rules.overlap_days)
    evidence = evidence[evidence["signal"].isin(rules.signals)]
    scope_rules = app.run("scope_rules_by_team")
    name, rest = contest.deal_line(record, with_product=details)
    st.markdown(f"**{wording.literal(name)}** · {wording.literal(rest)}")
    if details:
        closed = f", closed {record['closed_at']:%d %b %Y}" if not wording.missing(record["closed_at"]) else ", open at the end"
        lead = (f" · lead source {wording.literal(wording.humanise(record['lead_source']))}"
                if isinstance(record["lead_source"], str) else "")
        st.caption(f"Created {record['created_at']:%d %b %Y}{closed}{lead}. Deal window (touches of the account "
                   f"count for the deal): {record['window_start']:%d %b %Y} to {record['window_end']:%d %b %Y}.")
    for sentence in contest.explain(record, timeline, evidence, scope_rules, rules):
        st.markdown(f"- {sentence}")
    figure, _ = app.built(contested.timeline_figure, record, timeline, evidence, state.team_colours())
    widgets.plot(figure, key=f"{key}_timeline")
    if details:
        # two halves, the contacts beside the claims and the stage history: at 1440 px each
        # table shows all its columns (widths in px)
        left, right = st.columns(2)
        with left:
            contacts = contacts_touched(timeline)
            st.markdown(f"**Contacts touched** ({len(contacts):,})")
            if contacts.empty:
                st.caption(coverage.lacking("activities", "who touched this deal's customer", state.present_tables())
                           or "No customer touch belongs to this deal.")
            else:
                st.dataframe(contacts.drop(columns="contact_id"), hide_index=True, width="stretch", placeholder="—",
                             column_config={
                    "contact_name": st.column_config.TextColumn("Contact", width=105),
                    "touches": st.column_config.NumberColumn("Touches", width=60),
                    "reps": st.column_config.TextColumn("By", width=155),
                    # short dates leave room for two reps' names
                    "first_touch_at": st.column_config.DatetimeColumn("First", format="D MMM YY", width=78),
                    "last_touch_at": st.column_config.DatetimeColumn("Last", format="D MMM YY", width=78)})
        # a deal with no stage change at all shows its deals.csv stage (definitions.md "Stage shown as of end")
        no_change = ("No stage change: the deal is still a lead." if record["stage"] == "lead" else
                     f"No stage change in the data: its stage is the one of deals.csv, "
                     f"{wording.humanise(record['stage']).lower()}.")
        for event, detail, title, empty in (
                ("claim", "kind", "Claims", "No claim on this deal."),
                ("stage_change", "stage", "Stage history", no_change)):
            with right:
                rows = _events(timeline, event, detail)
                st.markdown(f"**{title}** ({len(rows):,})")
                if rows.empty:
                    st.caption(empty)
                else:
                    st.dataframe(rows, hide_index=True, width="stretch", placeholder="—", column_config={
                        "occurred_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm", width=125),
                        "rep_name": st.column_config.TextColumn("Rep", width=110),
                        "rep_team_name": st.column_config.TextColumn("Team", width=130),
                        detail: st.column_config.TextColumn(detail.capitalize(), width=95)})
    with st.expander(f"The {len(timeline):,} events of this timeline"):
        events = timeline.assign(event=timeline["event"].map(wording.humanise))
        st.dataframe(events, hide_index=True, width="stretch", placeholder="—", column_order=list(EVENT_COLUMNS),
                     column_config={**{c: st.column_config.Column(label, width=width)
                                       for c, (label, width) in EVENT_COLUMNS.items()},
                                    "occurred_at": st.column_config.DatetimeColumn(
                                        "When", format="YYYY-MM-DD HH:mm", width=EVENT_COLUMNS["occurred_at"][1])})
        widgets.csv_download(timeline, f"deal_{deal_id}_timeline")
    return True
