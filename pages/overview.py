"""Data overview: what the loaded database holds, where it came from, what time it covers."""


import datetime as dt

import streamlit as st

from tandem.data.config import db_path
from tandem.data.contract import TABLES_BY_NAME
from tandem.figures import overview
from tandem.model import coverage
from tandem.ui import app, audit_trail, sign_in, state, widgets

state.current()  # the shell's sidebar is drawn even when this page is the first one opened
st.title("Data overview")

source = app.run("data_source").iloc[0]
counts = app.run("table_row_counts").set_index("table_name")["row_count"]

origin = "Demo data" if source["source"] == "demo" else "Imported"
who = sign_in.signed_in()
where = [f"`{db_path()}`"] if who.scope.administers else []  # a server path is the administrator's business
detail = [source["detail"]] if isinstance(source["detail"], str) else []  # none under an agency's scope
st.caption(" · ".join([origin, *where, *detail, f"built {source['built_at'].replace('T', ' ')}"]))

if counts[["deals", "activities"]].sum() == 0:
    st.info("This database holds no deals and no activities yet: import a folder of CSV files with "
            "`python -m tandem import FOLDER`.")
    st.stop()

# the data's span: every dated table (deals, stage changes, claims, activities, events)
first, last = source["first_data_at"], source["last_data_at"]
cols = st.columns(5)
cols[0].metric("Data from", f"{first:%d %b %Y}", help="The first date of any deal, stage change, claim, activity "
                                                       "or event.")
cols[1].metric("Data to", f"{last:%d %b %Y}", help="The last date of any deal, stage change, claim, activity or "
                                                    "event.")
cols[2].metric("Reps", f"{counts['reps']:,}")
cols[3].metric("Deals", f"{counts['deals']:,}")
cols[4].metric("Activities", f"{counts['activities']:,}")

absent = [t for t in source["absent_tables"].split(",") if t]
if absent:
    st.warning(f"The import had no {', '.join(absent)} file: the features that need "
               f"{'them' if len(absent) > 1 else 'it'} say so on their pages.")

present = state.present_tables()
if lacking := coverage.lacking("activities", "activities per week", present):
    st.info(lacking)
else:
    activity_first, activity_last = source["first_activity_at"], source["last_activity_at"]
    widgets.plot(overview.activities_by_kind(app.run("activities_by_week_and_kind"), activity_first.date(),
                                             activity_last.date()),
                 events=state.event_markers(activity_first.date(), activity_last.date() + dt.timedelta(days=1)))
if lacking := coverage.lacking("deals", "deals per week", present):
    st.info(lacking)
else:
    widgets.plot(overview.deals_by_week(app.run("deals_by_week")),
                 events=state.event_markers(first.date(), last.date() + dt.timedelta(days=1)))

st.subheader("Rows per table")
table = counts.rename("rows").rename_axis("table").reset_index()
table["file"] = ["optional" if TABLES_BY_NAME[name].optional else "required" for name in table["table"]]
st.dataframe(table, width="content", hide_index=True, height=35 * (len(table) + 1) + 3,
             column_config={"rows": st.column_config.NumberColumn(format="localized")})

audit_trail.draw_log(who)
