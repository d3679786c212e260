"""Contested deals: which deals are contested, why, and what is at stake."""

import streamlit as st

from tandem.figures import contested
from tandem.model import contest, coverage, weekly, wording
from tandem.model.contest import SIGNAL_LABELS
from tandem.model.filters import (
    LOOKBACK_RANGE,
    OVERLAP_RANGE,
    SIGNALS,
    ContestRules,
    deal_from_url,
    rules_from_url,
)
from tandem.ui import app, deal_view, state, widgets

RULES = state.CONTEST_RULES  # the rule of this session, kept while the user visits other pages
DEAL = state.CONTEST_DEAL  # the deal whose evidence is shown
LIST_ROW_HEIGHT = 66  # px: rows of up to 3 lines of text
LIST_ROWS_SHOWN = 9  # rows visible without scrolling the list

filters = state.current()
deal_filters = filters.params("start", "end", "attribution", "teams", "regions", "segments")
session = st.session_state

st.title("Contested deals")
st.caption(f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded). Active deals: created before the end "
           "and not closed before the start. Each deal is judged as of the end of the period.")

present = state.present_tables()
if lacking := coverage.contest_missing(present):
    st.info(lacking)
    st.stop()

if RULES not in session:
    rules, notices = rules_from_url(state.query_params_lists())
    session[RULES] = rules
    session[DEAL], deal_notices = deal_from_url(state.query_params_lists())
    state.show_notices(notices + deal_notices)
rules = session[RULES]
session.setdefault("contest_lookback", rules.lookback_days)
session.setdefault("contest_overlap", rules.overlap_days)
session.setdefault("contest_signals", list(rules.signals))

with st.container(border=True):
    st.markdown("**The rule.** A deal is contested when it has at least one of the chosen signals.")
    left, middle, right = st.columns([1, 1, 2])
    lookback = left.slider("Lookback (days)", *LOOKBACK_RANGE, key="contest_lookback",
                           help="How long before a deal's creation a touch of its account counts for it.")
    overlap = middle.slider("Overlap (days)", *OVERLAP_RANGE, key="contest_overlap",
                            help="How close in time two touches by both forces must be, and how long before and "
                                 "after them the two reps must have talked.")
    chosen = right.pills("Signals that count", list(SIGNALS), selection_mode="multi", key="contest_signals",
                         format_func=SIGNAL_LABELS.get)
    rules = ContestRules(lookback, overlap, tuple(s for s in SIGNALS if s in (chosen or [])))
    sentences = contest.signal_sentences(rules, present)
    st.markdown("\n".join(f"- {'' if s in rules.signals else '~~'}{sentences[s]}{'' if s in rules.signals else '~~'}"
                          for s in SIGNALS) + f"\n\n{contest.window_sentence(rules)}")
    if slower := contest.slower_rule_note(rules):
        st.warning(slower, icon=":material/hourglass_top:")

selected_deal = session.get(DEAL)
state.set_page_params({**rules.to_url(), **({"deal": selected_deal} if selected_deal else {})})
if not rules.signals:
    st.info("Choose at least one signal: with none, no deal can be contested.")
    st.stop()
session[RULES] = rules
rule_params = rules.params()

# 1. Headline
before = contest.previous_period(filters)
previous, current = (row for _, row in app.run(
    "deal_totals", starts=[before["start"], deal_filters["start"]], ends=[before["end"], deal_filters["end"]],
    **rule_params, **filters.params("attribution", "teams", "regions", "segments")).iterrows())
if int(current["active"]) == 0:
    st.info("No active deal in this period under the current filters: widen the period or the team, region "
            "and segment selection.")
    st.stop()
columns = st.columns(4)
for column, figure in zip(columns, contest.headline(current, previous)):
    column.metric(figure["label"], figure["value"], delta=figure["delta"], border=True,
                  delta_color="off" if figure["unchanged"] else "inverse",  # a rise is bad news
                  delta_arrow="off" if figure["unchanged"] else "auto",
                  help=figure["help"] + " The change compares with it.")
with columns[3]:
    st.markdown("**Deals per signal**  \n" + "  \n".join(
        f"{SIGNAL_LABELS[s]}: **{int(current[s]):,}**" + ("" if s in rules.signals else " (not counted)")
        for s in SIGNALS))
st.caption(f"{int(current['active']):,} active deals. Changes compare with the period of the same length just before "
           f"({before['start']:%d %b %Y} to {before['end']:%d %b %Y}). A deal with several signals counts once in the "
           "totals and under each of its signals.")



# 2. Where conflicts happen
st.subheader("Where conflicts happen")
left, right = st.columns(2)
with left:
    figure, title, drawn = app.built(
        contested.region_segment_heatmap, app.run("contested_rate_by_region_segment", **rule_params, **deal_filters))
    st.markdown(f"**{title}**")
    widgets.plot(figure)
    widgets.csv_download(drawn, "contested_by_region_segment")
with right:
    pairs = app.run("contested_rate_by_team_pair", **rule_params, **deal_filters)
    if pairs.empty:
        st.info("No active deal was worked by both an internal team and an agency in this period.")
    else:
        figure, title, drawn = app.built(contested.team_pair_heatmap, pairs)
        st.markdown(f"**{title}**")
        widgets.plot(figure)
        widgets.csv_download(drawn, "contested_by_team_pair")
st.caption(f"Each cell: contested rate and the number of deals behind it; ⚠ marks fewer than "
           f"{contested.MIN_CELL_DEALS} deals, read those with care. The titles rank only regions, segments and pairs "
           f"with at least {contested.MIN_CELL_DEALS} deals when there are any, and say how many they left out. "
           "Team pairs: the deals both teams worked (owned, sourced, claimed or touched). A contested deal counts "
           "for a pair when both teams are involved in its conflict (the owner's team and the teams of the reps "
           "named by its evidence), so a deal can count for several pairs.")

# 3. Trend
weeks = contest.week_periods(filters)  # each week of the period judged as of its own end
per_week = app.run("deal_totals", **weeks, **rule_params, **filters.params("attribution", "teams", "regions", "segments"))
figure, _, drawn = app.built(contested.trend_figure, contest.weekly_counts(per_week, weeks), rules,
                             *weekly.period_weeks(filters.start, filters.end))
if drawn["contested"].any():
    widgets.plot(figure, events=state.event_markers(filters.start, filters.end))
    widgets.csv_download(drawn, "contested_by_week")
else:  # a blank chart says nothing
    st.info("No contested deal at the end of any week of the period (under the rule above).")

# 4. The list
st.subheader("All contested deals")
deals = app.run("contested_deals", **rule_params, **deal_filters)
rows = []
if deals.empty:
    st.info("No contested deal in this period under the rule above and the current filters.")
else:
    shown_signals = st.pills("Show deals with", list(rules.signals), selection_mode="multi",
                             default=list(rules.signals), format_func=SIGNAL_LABELS.get, key="contest_list_signals")
    listed = deals[deals[list(shown_signals)].any(axis=1)] if shown_signals else deals.iloc[0:0]
    table = contested.deal_table(listed)
    shown = table.head(widgets.ROW_LIMIT)
    at_stake = wording.money_with_currency(table["amount"].sum())
    st.caption(f"{len(table):,} of {len(deals):,} contested deals, {at_stake} at stake. "
               + (f"The {len(shown):,} largest are listed; the CSV has all {len(table):,}. "
                  if len(shown) < len(table) else "")
               + "Click a row to see why it is contested; click a column header to sort. The CSV also has each "
                 "deal's team, status and the dates of its first and last conflicting evidence.")
    if shown.empty:
        st.info("Choose at least one signal above to list the deals that have it.")
    else:
        # every column visible beside the sidebar of a 1440 px window: narrow columns whose text
        # wraps onto up to 3 lines (Streamlit wraps text only in rows taller than 64 px)
        event = st.dataframe(
            shown.assign(stage=shown["stage"].map(wording.humanise)), hide_index=True, width="stretch",
            on_select="rerun", selection_mode="single-row",
            key=widgets.table_key("contest_table", tuple(shown["deal_id"])), placeholder="—",
            row_height=LIST_ROW_HEIGHT,
            height=LIST_ROW_HEIGHT * min(len(shown), LIST_ROWS_SHOWN) + 37,  # and the header
            column_order=["deal_name", "account_name", "owner_rep_name", "teams_involved", "signals", "amount",
                          "stage"],
            column_config={
                "deal_name": st.column_config.TextColumn("Deal", width=170),
                "account_name": st.column_config.TextColumn("Account", width=130),
                "owner_rep_name": st.column_config.TextColumn("Owner", width=100),
                "teams_involved": st.column_config.TextColumn(
                    "Teams involved", width=170,
                    help="The owner's team and the teams of the reps named by the evidence"),
                "signals": st.column_config.TextColumn("Signals", width=155),
                "amount": st.column_config.NumberColumn(wording.money_label("Amount"), format="localized", width=95),
                "stage": st.column_config.TextColumn("Stage", width=90,
                                                     help="As of the end of the period; won or lost once closed"),
            })
        widgets.csv_download(table, "contested_deals")
        rows = event.selection.rows if event else []
if rows:
    selected_deal = shown.iloc[rows[0]]["deal_id"]
    session[DEAL] = selected_deal
    state.set_page_params({**rules.to_url(), "deal": selected_deal})

# 5. Evidence for one deal
if selected_deal or not deals.empty:
    st.subheader("Why is it contested?")
    if not selected_deal:
        st.info("Select a deal in the list above to see its timeline and the evidence of each signal.")
    else:
        deal_view.show_deal(selected_deal, filters, rules, key="contest")

# 6. Outcome
st.subheader("How contested deals end")
outcomes = app.built(contested.outcome_figures, app.run("contest_outcomes", **rule_params, **deal_filters))
for (figure, title, drawn), name in zip(outcomes, ("contest_outcomes_by_owner", "contest_outcomes")):
    if figure is None:
        st.info(title + ".")
    else:
        widgets.plot(figure)
        widgets.csv_download(drawn, name)
st.caption("Deals closed in the period; contested means contested as of the end of the period under the rule above. "
           "Who ended up with the deal is the kind of its owner's team at close. Bars show the Wilson 95% interval.")
