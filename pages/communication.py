"""Communication: how much internal and external reps call and email each other, and who with whom."""

import streamlit as st

from tandem import app, charts, communication, state

filters = state.current()
period = filters.params("start", "end", "teams")
with_accounts = filters.params("start", "end", "teams", "regions", "segments")

st.title("Communication")
st.caption(f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded). Exchanges between reps are "
           "filtered by team only; region and segment filters act on customer touches and shared accounts.")



exchanges = app.run("exchanges_by_week", **period)
touches = app.run("customer_touches_by_week", **with_accounts)
if exchanges["exchanges"].sum() == 0:
    st.info("No exchanges between reps in this period: widen the period or the team selection.")
    st.stop()

measure = st.segmented_control("Measure", ["exchanges", "call_minutes"], default="exchanges", key="comm_measure",
                               format_func={"exchanges": "Exchanges", "call_minutes": "Call minutes"}.get)
figure, _, drawn = app.built(communication.weekly_volumes, exchanges, measure or "exchanges")
charts.plot(figure)
charts.csv_download(drawn, f"weekly_{measure or 'exchanges'}")

figure, _, drawn = app.built(communication.coordination_ratio, exchanges, touches)
charts.plot(figure)
charts.csv_download(drawn, "coordination_ratio")

st.subheader("Who talks with whom")
pairs = app.run("cross_team_exchanges_by_rep_pair", **period)
left, right = st.columns([3, 1])
channel = left.segmented_control("Channel", ["all", "call", "email", "meeting"], default="all", key="comm_channel",
                                 format_func={"all": "All channels", "call": "Calls", "email": "Emails",
                                              "meeting": "Meetings"}.get)
by_team = right.toggle("Team × team", key="comm_by_team", help="Aggregate reps to their internal team and agency.")
figure, _, drawn = app.built(communication.pair_matrix, pairs, channel or "all", by_team)
event = charts.plot(figure, on_select="rerun", selection_mode="points", key="comm_matrix")
charts.csv_download(drawn, "rep_matrix" if not by_team else "team_matrix")

points = (event or {}).get("selection", {}).get("points", []) if not by_team else []
if points:
    internal_name, external_name = points[0]["y"], points[0]["x"]
    pair = pairs[(pairs["internal_rep_name"] == internal_name) & (pairs["external_rep_name"] == external_name)]
    if not pair.empty:
        row = pair.iloc[0]
        st.markdown(f"**{internal_name} ({row['internal_team_name']}) × {external_name} "
                    f"({row['external_team_name']})**: {row['exchanges']:,} exchanges, "
                    f"{row['calls']:,} calls ({row['call_minutes']:,.0f} minutes), {row['emails']:,} emails, "
                    f"{row['meetings']:,} meetings; {row['initiated_by_internal']:,} started by the internal rep.")
        reps = {"rep_a": row["internal_rep_id"], "rep_b": row["external_rep_id"]}
        history = app.run("rep_pair_exchanges_by_week", **reps, **filters.params("start", "end"))
        figure, _, drawn = app.built(communication.pair_history, history, internal_name, external_name)
        charts.plot(figure)
        charts.csv_download(drawn, "pair_exchanges")
        shared = app.run("rep_pair_shared_accounts", **reps, **filters.params("start", "end", "regions", "segments"))
        if shared.empty:
            st.info("They touched no account in common in this period.")
        else:
            st.dataframe(shared.drop(columns="account_id"), hide_index=True, width="stretch", column_config={
                "account_name": "Shared account", "touches_by_rep_a": f"Touches by {internal_name}",
                "touches_by_rep_b": f"Touches by {external_name}"})
else:
    st.caption("Click a cell of the rep matrix to see that pair's exchanges.")

figure, _, drawn = app.built(communication.initiator_shares, pairs)
charts.plot(figure)
charts.csv_download(drawn, "initiator_shares")

st.subheader("Silent pairs")
threshold = st.number_input("List pairs who exchanged fewer than", min_value=1, max_value=1000, value=1, step=1,
                            key="comm_silent_threshold", help="Exchanges between the two reps in the period.")
silent = app.run("silent_pairs", max_exchanges=int(threshold), **with_accounts)
if silent.empty:
    st.info(f"Every internal and external rep who share an account exchanged at least "
            f"{'once' if threshold == 1 else f'{threshold} times'} in this period.")
else:
    pairs_text = "1 pair shares" if len(silent) == 1 else f"{len(silent):,} pairs share"
    times = "once" if threshold == 1 else f"{threshold} times"
    st.markdown(f"**{pairs_text} customer accounts but exchanged fewer than {times}**: "
                "this is where uncoordinated overlap comes from.")
    shown = silent.drop(columns=["internal_rep_id", "external_rep_id"])
    shown["shared_account_ids"] = shown["shared_account_ids"].apply(lambda ids: ", ".join(ids[:5]) + (
        f" and {len(ids) - 5} more" if len(ids) > 5 else ""))
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "internal_rep_name": "Internal rep", "internal_team_name": "Internal team", "external_rep_name": "External rep",
        "external_team_name": "Agency", "shared_accounts": "Shared accounts", "shared_account_ids": "Accounts (ids)",
        "exchanges": "Exchanges"})
    charts.csv_download(shown, "silent_pairs")
