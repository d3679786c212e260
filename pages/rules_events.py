"""Rules & events: who may work what, where the boundary leaks, and which events brought the
two forces together (or let agency reps into meetings closed to them)."""

import streamlit as st

from tandem.figures import rules_events
from tandem.model import coverage, scope_rules, wording
from tandem.model.filters import ContestRules
from tandem.ui import app, state, widgets

filters = state.current()
present = state.present_tables()
# the Contested deals page's rule: the leaks are exactly its out-of-scope evidence
rules = st.session_state.get(state.CONTEST_RULES, ContestRules())

st.title("Rules & events")
st.caption(f"{filters.start:%d %b %Y} to {filters.end:%d %b %Y} (end excluded). The rules of engagement say which "
           "team may work which accounts at which stages; a touch outside them on a deal of the other force is out "
           "of scope (a contest signal). Events show who met whom, and who was where they had no place.")

# 1. The rules
st.subheader("The rules of engagement")
if lacking := coverage.lacking("scope_rules", "the rules of engagement and where they leak", present):
    st.info(lacking)
else:
    segments = state.options().segments
    matrix, title, _ = app.built(rules_events.rules_matrix, app.run("rules_of_engagement", pseudonymise=False),
                                 list(segments))
    st.markdown(f"**{wording.literal(title)}**")  # team names from the data, shown as they are
    st.dataframe(matrix, hide_index=True, width="stretch")
    st.caption("The stages each team may work, by segment of the account (a region in brackets limits the rule to "
               "it). Ranges include both ends; a lost deal is in no range.")
    widgets.csv_download(matrix, "rules_of_engagement")

    # 2. The leaks
    st.subheader("Where the boundary leaks")
    if lacking := coverage.first_lacking(("deals", "activities"), "where the rules leak", present):
        st.info(lacking)
    else:
        leak_params = {**filters.params("start", "end", "teams", "regions", "segments"),
                       "lookback_days": rules.lookback_days, "overlap_days": rules.overlap_days}
        by_month = app.run("out_of_scope_by_team_month", **leak_params)
        if by_month.empty:
            st.info("No out-of-scope touch in this period under these filters: every touch on the other force's "
                    "deals was within the touching team's rules.")
        else:
            figure, _, drawn = app.built(rules_events.leaks_by_team_month, by_month)
            event = widgets.plot(figure, on_select="rerun", selection_mode="points", key="leaks_matrix")
            chosen = rules_events.selected_leak(event, by_month)
            if chosen is None:
                st.caption("Click a cell to open the deals its touches were on, on the Deals page.")
            else:
                link = state.link("deal_explorer", filters, id=list(chosen["deal_ids"]))
                st.markdown(f"{wording.literal(rules_events.leak_sentence(chosen))}. "
                            f"[Open these deals on the Deals page]({link})")
            widgets.csv_download(drawn, "out_of_scope_by_team_month")
            cells = app.run("out_of_scope_by_cell", **leak_params)
            table, title, _ = app.built(rules_events.leak_cells, cells)
            st.markdown(f"**{wording.literal(title)}**")
            st.dataframe(table.assign(Deals=[state.link("deal_explorer", filters, id=list(ids))
                                             for ids in cells["deal_ids"]]),
                         hide_index=True, width="stretch", column_config={
                             "Deals": st.column_config.LinkColumn("Deals page", display_text="Open",
                                                                  help="These deals on the Deals page")})
            st.caption(f"Touches made in the period by a rep of the other force than the deal's owner, outside the "
                       f"rules of the rep's team, judged as of the period's end with the Contested deals page's rule "
                       f"(a touch counts for the deals whose window it falls in: lookback {rules.lookback_days} "
                       "days). Deals by their status at the end of the period.")
            widgets.csv_download(table, "out_of_scope_by_cell")

        # 3. What if the rules changed
        st.subheader("What if the rules changed?")
        st.caption("Edit, add or remove rules (nothing is written to the database) to see what this period would "
                   "look like under them, with the same definition and the Contested deals page's rule. Download "
                   "them as scope_rules.csv to import.")
        options = state.options()
        current = scope_rules.from_table(app.run("rules_of_engagement", pseudonymise=False))
        any_or = {scope_rules.ANY: "any"}
        edited = st.data_editor(current, num_rows="dynamic", hide_index=True, key="what_if_rules", width="stretch",
                                column_config={
            "team_id": st.column_config.SelectboxColumn("Team", options=list(options.teams), required=True,
                                                        format_func=options.teams.get),
            "segment": st.column_config.SelectboxColumn(
                "Segment", options=[scope_rules.ANY, *options.segments], required=True,
                format_func=lambda v: any_or.get(v) or wording.humanise(v)),
            "region": st.column_config.SelectboxColumn(
                "Region", options=[scope_rules.ANY, *options.regions], required=True,
                format_func=lambda v: any_or.get(v) or wording.humanise(v)),
            "stage_from": st.column_config.SelectboxColumn("From stage", options=list(scope_rules.RULE_STAGES),
                                                           required=True, format_func=wording.humanise),
            "stage_to": st.column_config.SelectboxColumn("To stage", options=list(scope_rules.RULE_STAGES),
                                                         required=True, format_func=wording.humanise)})
        edited_rules, problems = scope_rules.checked(edited, options.teams, options.segments, options.regions)
        stored_rules, _ = scope_rules.checked(current, options.teams, options.segments, options.regions)
        for problem in problems:
            st.warning(problem, icon=":material/rule:")
        what_if = app.run("what_if_scope_rules", **filters.params("start", "end", "attribution", "teams", "regions",
                                                                  "segments"),
                          **rules.params(),
                          # unedited: null, so that the query reads the signal's stored evidence
                          rules=None if edited_rules == stored_rules else edited_rules).iloc[0]
        st.markdown(f"**{rules_events.what_if_sentence(what_if)}.**")
        for column, (key, label, fmt) in zip(st.columns(4), rules_events.WHAT_IF_FIGURES):
            before, after = what_if[f"{key}_before"], what_if[f"{key}_after"]
            changed = after != before
            column.metric(label, fmt(after), delta=f"{after - before:+,.0f} from {fmt(before)}" if changed
                          else "no change", delta_color="inverse" if changed else "off",
                          delta_arrow="auto" if changed else "off", border=True)
        edited_csv = scope_rules.csv_bytes(edited_rules)
        widgets.file_download("Download scope_rules.csv", lambda: edited_csv, "scope_rules.csv", "text/csv",
                              "what_if_download", help="The edited rules (rows left out above excepted), ready for "
                                                       "`python -m tandem import` with the other files.")

# 3. The events
st.subheader("Events")
if lacking := coverage.lacking("events", "who attended which event", present):
    st.info(lacking)
else:
    attendance = app.run("events_attendance", **filters.params("start", "end", "teams"))
    table, title, _ = app.built(rules_events.events_table, attendance)
    st.markdown(f"**{title}**")
    if table.empty:
        st.info("No event was held in this period: widen the period in the sidebar.")
    else:
        widgets.events_table(table)
        st.caption("Attendees by force: the internal reps, and each agency's reps. Agency reps have no place at "
                   "internal-only events and strategy meetings (out of place).")
        widgets.csv_download(table, "events")
        intrusions = app.run("event_intrusions", **filters.params("start", "end", "teams"))
        if not intrusions.empty:
            st.warning(wording.literal(rules_events.intrusion_sentence(intrusions) + "."),
                       icon=":material/no_meeting_room:")
            shown = intrusions[list(rules_events.INTRUSION_COLUMNS)].rename(columns=rules_events.INTRUSION_COLUMNS)
            st.dataframe(shown, hide_index=True, width="stretch",
                         column_config={"Date": st.column_config.DateColumn("Date", format="D MMM YYYY")})
            widgets.csv_download(shown, "agency_reps_at_closed_meetings")

    # 4. What shared events did to coordination
    st.subheader("Did shared events bring the forces together?")
    weeks = st.columns([1, 3])[0].number_input("Weeks before and after each event", min_value=1, max_value=12,
                                               value=rules_events.DEFAULT_WEEKS, step=1,
                            key="events_weeks", help="Before: the N weeks up to the event's day; after: the N "
                                                     "weeks from the day after.")
    pairs = app.run("shared_event_pairs", **filters.params("start", "end", "teams"), weeks=int(weeks),
                    **rules.params())
    if pairs.empty:
        st.info("No shared event (convention, seminar, product launch, team building open to both forces) with "
                "both an internal and an agency rep attending in this period.")
    else:
        figure, _, drawn = app.built(rules_events.before_after, pairs, int(weeks))
        widgets.plot(figure)
        shown = drawn[list(rules_events.BEFORE_AFTER_COLUMNS)].rename(columns=rules_events.BEFORE_AFTER_COLUMNS)
        st.dataframe(shown, hide_index=True, width="stretch", column_config={
            column: st.column_config.Column(width=width) for column, width in rules_events.BEFORE_AFTER_WIDTHS.items()})
        st.caption("Attending pairs: an internal and an agency rep who both attended. Their exchanges (calls, emails "
                   "and meetings between them), the pairs who talked at least once, and the deals both reps of a "
                   "pair touched in each window with how many were contested at its end under the Contested deals "
                   "page's rule (Wilson 95% interval). Coordination rose or fell when the "
                   "share of pairs who talked after lies wholly above or below its share before (Wilson 95% "
                   "intervals that do not overlap); otherwise it cannot be told apart from noise (within noise).")
        widgets.csv_download(drawn, "shared_events_before_after")

