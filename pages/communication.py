"""Communication: how much internal and external reps call and email each other, and who with whom."""

import streamlit as st

from tandem.figures import communication
from tandem.model import coverage
from tandem.ui import app, state, widgets

filters = state.current()
period = filters.params("start", "end", "teams")
with_accounts = filters.params("start", "end", "teams", "regions", "segments")

st.title("Communication")
st.caption(f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded). Exchanges between reps are "
           "filtered by team only; region and segment filters act on customer touches and shared accounts. "
           "Trends compare the last 4 complete weeks of the period with the 4 before (none under 8 weeks).")

if lacking := coverage.lacking("activities", "exchanges between reps and customer touches", state.present_tables()):
    st.info(lacking)
    st.stop()
exchanges = app.run("exchanges_by_week", **period)
touches = app.run("customer_touches_by_week", **with_accounts)
if exchanges["exchanges"].sum() == 0:
    st.info("No exchanges between reps in this period: widen the period or the team selection.")
    st.stop()

events = state.event_markers(filters.start, filters.end)  # on the time charts below
measure = st.segmented_control("Measure", ["exchanges", "call_minutes"], default="exchanges", key="comm_measure",
                               format_func={"exchanges": "Exchanges", "call_minutes": "Call minutes"}.get)
figure, _, drawn = app.built(communication.weekly_volumes, exchanges, measure or "exchanges", filters.start, filters.end)
widgets.plot(figure, events=events)
widgets.csv_download(drawn, f"weekly_{measure or 'exchanges'}")

figure, _, drawn = app.built(communication.coordination_ratio, exchanges, touches, filters.start, filters.end)
widgets.plot(figure, events=events)
widgets.csv_download(drawn, "coordination_ratio")


def rep_pair_detail(pairs, internal_rep_id: str, external_rep_id: str) -> None:
    """What a click on a square of the rep matrix opens: the pair's sentence, weeks and shared accounts."""
    sentence = communication.pair_summary(pairs, internal_rep_id, external_rep_id)
    if sentence is None:
        return
    row = pairs[(pairs["internal_rep_id"] == internal_rep_id) & (pairs["external_rep_id"] == external_rep_id)].iloc[0]
    internal_name, external_name = row["internal_rep_name"], row["external_rep_name"]
    st.markdown(sentence)
    reps = {"rep_a": internal_rep_id, "rep_b": external_rep_id}
    history = app.run("rep_pair_exchanges_by_week", **reps, **filters.params("start", "end"))
    figure, _, drawn = app.built(communication.pair_history, history, internal_name, external_name,
                                 filters.start, filters.end)
    widgets.plot(figure, events=events)
    widgets.csv_download(drawn, "pair_exchanges")
    shared = app.run("rep_pair_shared_accounts", **reps, **filters.params("start", "end", "regions", "segments"))
    if shared.empty:
        st.info("They touched no account in common in this period.")
    else:
        st.dataframe(shared.drop(columns="account_id"), hide_index=True, width="stretch", column_config={
            "account_name": "Shared account", "touches_by_rep_a": f"Touches by {internal_name}",
            "touches_by_rep_b": f"Touches by {external_name}"})


def team_pair_detail(pairs, internal_team_id: str, external_team_id: str) -> None:
    """What a click on a square of the team matrix opens: the two teams' sentence, weeks and rep pairs."""
    sentence = communication.team_pair_summary(pairs, internal_team_id, external_team_id)
    if sentence is None:
        return
    st.markdown(sentence)
    reps = communication.team_pair_reps(pairs, internal_team_id, external_team_id)
    if reps.empty:
        return
    internal_name = pairs.loc[pairs["internal_team_id"] == internal_team_id, "internal_team_name"].iloc[0]
    external_name = pairs.loc[pairs["external_team_id"] == external_team_id, "external_team_name"].iloc[0]
    history = app.run("team_pair_exchanges_by_week", internal_team=internal_team_id, external_team=external_team_id,
                      **filters.params("start", "end"))
    figure, _, drawn = app.built(communication.pair_history, history, internal_name, external_name,
                                 filters.start, filters.end)
    widgets.plot(figure, events=events)
    widgets.csv_download(drawn, "team_pair_exchanges")
    st.markdown(f"**Pairs of reps**, busiest first ({len(reps):,}):")
    st.dataframe(reps, hide_index=True, width="stretch", column_config={
        "internal_rep_name": "Internal rep", "external_rep_name": "External rep", "exchanges": "Exchanges",
        "calls": "Calls", "call_minutes": "Call minutes", "emails": "Emails", "meetings": "Meetings",
        "initiated_by_internal": "Started by the internal rep"})
    widgets.csv_download(reps, "team_pair_reps")


st.subheader("Who talks with whom")
# keyed by id, shown by name: two reps of one name are told apart by their id
pairs = communication.labelled(app.run("cross_team_exchanges_by_rep_pair", **period))
if pairs.empty:
    st.info("No exchange between an internal and an external rep in this period.")
else:
    left, right = st.columns([3, 1])
    channel = left.segmented_control("Channel", ["all", "call", "email", "meeting"], default="all",
                                     key="comm_channel", format_func={"all": "All channels", "call": "Calls",
                                                                      "email": "Emails", "meeting": "Meetings"}.get)
    by_team = right.toggle("Team × team", key="comm_by_team", help="Aggregate reps to their internal team and agency.")
    size_column, search_column = st.columns([1, 3])
    per_side = size_column.selectbox(
        "Reps per side", communication.MATRIX_SIZES, index=communication.MATRIX_SIZES.index(communication.MATRIX_SIZE),
        key="comm_matrix_size", disabled=by_team,
        help="The matrix draws at most this many internal and this many external reps: those of the busiest pairs.")
    choices = communication.rep_choices(pairs)
    searched = search_column.multiselect(
        "Find a rep", list(choices), format_func=choices.get, key="comm_rep_search", disabled=by_team,
        placeholder="Type a name", help="Draws the reps you choose in the matrix, even outside the busiest.")
    matrix = (pairs, channel or "all", by_team, per_side, tuple(sorted(searched)))
    figure, _, drawn = app.built(communication.pair_matrix, *matrix)
    event = widgets.plot(figure, on_select="rerun", selection_mode="points", key="comm_matrix")
    cell = communication.selected_cell(event, pairs, by_team)
    st.caption(communication.matrix_note(*matrix) + (
        f" Click a square to see that {'team pair' if by_team else 'pair'}'s exchanges week by week; "
        "double-click the matrix to close it." if cell is None else ""))
    if by_team:
        widgets.csv_download(drawn, "team_matrix")
    else:
        with st.container(horizontal=True):  # what is drawn, and every pair (the file made only on a click)
            widgets.csv_download(drawn, "rep_matrix")
            widgets.csv_download(pairs, "rep_pairs", label="Full matrix (CSV)",
                                 help="Every pair of an internal and an external rep who exchanged in the period, "
                                      "with their teams and exchanges by channel.")
    if cell is not None:
        with st.container(border=True):
            (team_pair_detail if by_team else rep_pair_detail)(pairs, *cell)

    figure, _, drawn = app.built(communication.initiator_shares, pairs)
    widgets.plot(figure)
    widgets.csv_download(drawn, "initiator_shares")

st.subheader("Silent pairs")
threshold = st.number_input("List pairs who exchanged fewer than", min_value=1, max_value=1000, value=1, step=1,
                            key="comm_silent_threshold", help="Exchanges between the two reps in the period.")
silent = app.run("silent_pairs", max_exchanges=int(threshold), **with_accounts)
if silent.empty:
    st.info(communication.silent_pairs_title(0, int(threshold)) + ".")
else:
    st.markdown(f"**{communication.silent_pairs_title(len(silent), int(threshold))}**: "
                "this is where uncoordinated overlap comes from.")
    shown = communication.labelled(silent).drop(columns=["internal_rep_id", "internal_team_id", "external_rep_id",
                                                         "external_team_id", "shared_account_ids"])
    st.dataframe(shown, hide_index=True, width="stretch", column_config=communication.SILENT_COLUMNS)
    widgets.csv_download(shown, "silent_pairs")
