"""Conversion: how well each team converts, who sources and who closes, and whether coordination pays."""

import streamlit as st

from tandem.figures import conversion
from tandem.model import coverage, wording
from tandem.model.filters import DEFAULT_RULES
from tandem.ui import app, state, widgets

filters = state.current()
deal_params = filters.params("start", "end", "attribution", "teams", "regions", "segments")
lookback = {"lookback_days": DEFAULT_RULES["lookback_days"]}
by = {"owner": "owner", "source": "source rep"}[filters.attribution]

st.title("Conversion")
st.caption(f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded). A deal belongs to the team of its "
           f"**{by}** (sidebar). Win rate = won / (won + lost) over the deals closed in the period, with its Wilson "
           "95% interval; outcomes as of the end of the period.")


present = state.present_tables()
if lacking := coverage.lacking("deals", "conversion per team", present):
    st.info(lacking)
    st.stop()
names, kinds, colours = state.options().teams, state.team_kinds(), state.team_colours()

teams = app.run("team_conversion", **deal_params)
paths = app.run("deals_by_source_and_owner", **deal_params)
if teams["created"].sum() + teams["closed"].sum() == 0 and paths.empty:
    st.info("No deal was created or closed in this period under these filters: widen the period or the selection.")
    st.stop()

st.subheader("Per team")
touches = app.run("won_deal_touches_by_team", **deal_params, **lookback)
figure, _, drawn = app.built(conversion.team_table, teams, touches, colours)
if teams["closed"].sum() == 0:
    st.info("No deal was won or lost in this period under these filters: no win rate to compare. The table "
            "below still counts the deals created.")
else:
    widgets.plot(figure)
right = {"alignment": "right"}  # text columns holding numbers ("—" where there is none)
rows = conversion.team_rows(drawn)
if "activities" not in present:  # no touch at all: 0 per won deal would be a finding, it is a gap
    rows = rows.drop(columns="Touches/won")
st.dataframe(rows, hide_index=True, width="stretch", column_config={
    # widths in pixels: the header's text and its padding, all of them within 1440 px with the sidebar open
    "Team": st.column_config.TextColumn(width=150), "Kind": st.column_config.TextColumn(width=68),
    "Created": st.column_config.NumberColumn(width=66, help="Deals created in the period"),
    "Won": st.column_config.NumberColumn(width=50, help="Deals won in the period"),
    "Lost": st.column_config.NumberColumn(width=50, help="Deals lost in the period"),
    "Win rate": st.column_config.TextColumn(
        width=70, **right, help=f"Won / (won + lost). ⚠: fewer than {conversion.MIN_CLOSED} closed deals, too few "
                                "to compare"),
    "95% interval": st.column_config.TextColumn(width=94, **right, help="Wilson 95% interval of the win rate"),
    wording.money_label("Won amount"): st.column_config.NumberColumn(width=132, format="localized"),
    wording.money_label("Avg deal"): st.column_config.TextColumn(width=106, **right,
                                                                 help="Average deal size: won amount / won deals"),
    "Cycle (days)": st.column_config.TextColumn(width=92, **right,
                                                help="Median sales cycle: days from creation to winning, won deals"),
    "Touches/won": st.column_config.TextColumn(width=96, **right, help="Customer touches per won deal"),
})
st.caption(f"Teams with fewer than {conversion.MIN_CLOSED} deals closed in the period are marked (hollow point, "
           "⚠ beside the win rate): too few to compare; — where there is nothing to compute. Average deal size = "
           "won amount / won deals. Customer touches per won deal: touches by any rep belonging to the deals won in "
           f"the period (deal window from {lookback['lookback_days']} days before creation).")
if "activities" not in present:
    st.caption(coverage.missing("activities", "customer touches per won deal"))
widgets.csv_download(drawn, "team_conversion")

st.subheader("Stage funnel")
stages = app.run("stage_funnel_by_team", **deal_params)
if lacking := coverage.lacking("deal_stage_changes", "which stages the deals reached", present):
    st.info(lacking)
elif stages.empty:
    st.info("No deal was created in this period under these filters: there is no cohort to follow.")
else:
    figure, _, drawn = app.built(conversion.funnel, stages, names, kinds, colours)
    widgets.plot(figure)
    st.caption("Cohort: the deals created in the period. A deal reached a stage if it ever moved to it or further "
               "(as of the end of the period); recent deals may still move on.")
    widgets.csv_download(drawn, "stage_funnel")

st.subheader("Sourced by × closed by")
left, right = st.columns([3, 1])
measure = left.segmented_control("Colour by", ["created", "created_amount"], default="created", key="conv_measure",
                                 format_func={"created": "Deals created",
                                              "created_amount": wording.money_label("Value created")}.get)
by_team = right.toggle("Team × team", key="conv_by_team", help="Split each kind into its teams and agencies.")
if paths.empty:
    st.info("No deal was created or closed in this period under these filters.")
elif (paths["source_kind"] == "none").all():
    st.info("No deal of this period names a source rep: to see who sources the deals and who closes them, fill "
            "source_rep_id in deals.csv.")
else:
    figure, _, drawn = app.built(conversion.source_owner_matrix, paths, by_team, measure or "created")
    widgets.plot(figure)
    st.caption("Colour: deals created in the period (or their amount). Win rate and its 95% interval: the deals "
               "of that path closed in the period.")
    widgets.csv_download(drawn,
                        "sourced_by_closed_by_team" if by_team else "sourced_by_closed_by_kind")

st.subheader("Handoff latency")
buckets = app.run("handoff_latency_by_bucket", **deal_params, **lookback)
if lacking := coverage.lacking("activities", "how soon owners first touched the customer", present):
    st.info(lacking)
elif buckets["deals"].sum() == 0:
    st.info("No deal sourced by an external rep and owned by an internal rep closed in this period.")
else:
    figure, _, drawn = app.built(conversion.handoff_latency, buckets)
    widgets.plot(figure)
    st.caption("Deals sourced by an external rep and owned by an internal rep, closed in the period. Latency: "
               "from the deal's creation to its owner's first customer touch belonging to it, at or after creation.")
    widgets.csv_download(drawn, "handoff_latency")

st.subheader("Cohort trend")
months = app.run("win_rate_by_creation_month", **deal_params)
closed_so_far = int(months["won"].sum() + months["lost"].sum())
if months.empty:
    st.info("No deal was created in this period under these filters.")
elif closed_so_far == 0:
    created = int(months["created"].sum())
    deals = "The only deal created in this period has not" if created == 1 else \
        f"None of the {created:,} deals created in this period has"
    st.info(f"{deals} closed yet (as of {filters.end:%d %b %Y}): there is no win rate by creation month to show. "
            "A longer period shows how earlier cohorts ended.")
else:
    figure, _, drawn = app.built(conversion.cohort_trend, months, filters.start, filters.end)
    widgets.plot(figure)
    st.caption(" ".join(filter(None, [
        "Deals grouped by the month they were created in, outcome as of the end of the period: recent months "
        "have had less time to close, and quick wins or losses dominate them. A month with no closed deal yet "
        "has no point.", conversion.partial_months_note(filters.start, filters.end)])))
    widgets.csv_download(drawn, "win_rate_by_creation_month")

st.subheader("Does coordination pay?")
quartiles = app.run("win_rate_by_exchange_quartile", **deal_params, **lookback)
if lacking := coverage.lacking("activities", "whether exchanges between the owner and the source rep pay", present):
    st.info(lacking)
elif quartiles.empty:
    st.info("No deal shared by an internal and an external rep (one the owner, the other the source) "
            "closed in this period.")
else:
    figure, _, drawn = app.built(conversion.coordination, quartiles)
    widgets.plot(figure)
    st.caption("Deals whose owner and source rep are of different kinds, closed in the period, cut into four "
               "equal groups by the number of calls, emails and meetings between those two reps in the deal "
               f"window ({lookback['lookback_days']} days before creation to closing).")
    widgets.csv_download(drawn, "win_rate_by_exchange_quartile")
