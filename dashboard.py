"""Tandem: the Streamlit entry point. Wires pages, sidebar and URL together; no logic here."""

import streamlit as st

from tandem.data.config import ICON_PATH
from tandem.ui import state
from tandem.ui.app import ensure_database

# the tab icon from a file of the repository: a material icon or emoji is fetched from the internet
st.set_page_config(page_title="Tandem", page_icon=str(ICON_PATH), layout="wide")

weekly_review = st.Page("pages/weekly_review.py", title="Weekly review", icon=":material/calendar_view_week:",
                        default=True)
page = st.navigation([
    weekly_review,
    st.Page("pages/communication.py", title="Communication", icon=":material/forum:"),
    st.Page("pages/contested_deals.py", title="Contested deals", icon=":material/swords:"),
    st.Page("pages/conversion.py", title="Conversion", icon=":material/trending_up:"),
    st.Page("pages/deal_explorer.py", title="Deals", icon=":material/table_view:"),
    st.Page("pages/overview.py", title="Data overview", icon=":material/database:"),
])
ensure_database()  # after st.navigation: during a first build the sidebar shows the pages, not file names
state.sidebar(show_period=page.url_path != weekly_review.url_path)  # the weekly review picks its own week
try:
    page.run()
finally:  # also after st.stop() in a page (an empty state), so the URL still tells the view
    state.sync_url()
