"""Weekly review: last week's KPIs against the week before and the 4-week average."""

import datetime as dt
from dataclasses import replace

import streamlit as st

from tandem.export import sections
from tandem.figures import rules_events
from tandem.model import coverage, weekly, wording
from tandem.model.filters import ContestRules, shown_value, single_value
from tandem.ui import app, state, widgets

filters = state.current()
opts = state.options()
last_week = state.last_review_week(opts)
weeks = [last_week - dt.timedelta(weeks=n) for n in range((last_week - weekly.monday(opts.first_day)).days // 7 + 1)]
labels = {weekly.iso_label(w): w for w in weeks}

week_notices: list[str] = []
requested = single_value(state.query_params_lists(), "week", week_notices)
kept = st.session_state.get(state.REVIEW_WEEK)  # the week of an earlier visit in this session
if st.session_state.get("review_week") not in labels:  # a first visit, another page since, or new data
    if requested and requested not in labels:
        week_notices.append(f"Ignored week {shown_value(requested)} from the URL: pick one of the weeks the data "
                            "covers.")
    state.show_notices(week_notices)
    fallback = weekly.iso_label(kept) if kept and weekly.iso_label(kept) in labels else weekly.iso_label(last_week)
    st.session_state["review_week"] = requested if requested in labels else fallback

st.title("Weekly review")
picked = st.selectbox("Week", list(labels), key="review_week",
                      format_func=lambda w: f"{w} · {labels[w]:%d %b} – {labels[w] + dt.timedelta(days=6):%d %b %Y}")
week_start = labels[picked]
st.session_state[state.REVIEW_WEEK] = week_start
state.set_page_params({} if picked == weekly.iso_label(last_week) else {"week": picked})

# the 8 weeks of the sparklines, ending with the reviewed one (the report's figures too)
series, changes, totals = sections.weekly_kpis(app.run, filters, week_start)
deal_filters = {**ContestRules().params(), **filters.params("attribution", "teams", "regions", "segments")}
st.caption(f"{picked}: Monday {week_start:%d %b} to Sunday {week_start + dt.timedelta(days=6):%d %b %Y}. "
           "Arrows compare with the previous week; the takeaways with the average of the 4 weeks before. "
           "Sparklines show the last 8 weeks.")

present = state.present_tables()
for group in weekly.GROUPS:
    st.subheader(group)
    if lacking := weekly.group_missing(group, present):
        st.info(lacking)
        continue
    st.markdown(f"**{weekly.takeaway(group, changes)}**")
    kpis = [k for k in weekly.KPIS if k.group == group]
    for column, kpi in zip(st.columns(max(len(kpis), 3)), kpis):
        with column:
            widgets.kpi_card(kpi, series[kpi.key], changes[kpi.key], changes.get(kpi.base) if kpi.base else None)

week = replace(filters, start=week_start, end=week_start + dt.timedelta(days=7))
if "events" in present:
    st.subheader("Events")
    events, title, _ = app.built(rules_events.events_table,
                                 app.run("events_attendance", **week.params("start", "end", "teams")))
    if events.empty:
        st.caption(f"No event was held in {picked}.")
    else:
        st.markdown(f"**{title}**")
        widgets.events_table(events)

st.subheader("Needs attention")
intrusions = app.run("event_intrusions", **week.params("start", "end", "teams")) if "events" in present else None
if intrusions is not None and not intrusions.empty:
    st.warning(wording.literal(rules_events.intrusion_sentence(intrusions) + "."), icon=":material/no_meeting_room:")
if coverage.contest_missing(present):
    st.caption("No deal to list: contest signals need data this database lacks (see Contested deals above).")
    st.stop()
this_week = app.run("contested_deals", **deal_filters, **weekly.week_period(week_start))
# contested at the week's start = at the previous week's end: the sparklines' deal totals
# already have those ids, so the contest signals are not recomputed
previous = totals.iloc[-2]
# as plain objects: pandas' isin on Arrow-backed text makes a pyarrow scalar per value (40x slower)
new = this_week[~this_week["deal_id"].astype(object).isin(previous["contested_deal_ids"])]
if new.empty:
    st.info(f"No deal became contested in {picked}.")
else:
    st.caption(f"{wording.plural(len(new), 'deal')} became contested in {picked} (contested at the end of the "
               f"week, not at its start), {wording.money_with_currency(new['amount'].sum())} at stake; the largest "
               "first.")
    widgets.contested_table(new, state.links("contested_deals", week, "deal", new["deal_id"]),
                           more_link=state.link("contested_deals", week),
                           more_label=f"all of {picked} on the Contested deals page")
