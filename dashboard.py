"""Tandem: the Streamlit entry point. Wires pages, sidebar and URL together; no logic here."""

import streamlit as st

from tandem.data.config import ICON_PATH
from tandem.data.db import DatabaseBusy
from tandem.data.queries import DatabaseUnreadable
from tandem.ui import audit_trail, export_control, navigation, sign_in, state
from tandem.ui.app import ensure_database, explain_unreadable

# the tab icon from a file of the repository: a material icon or emoji is fetched from the internet
st.set_page_config(page_title="Tandem", page_icon=str(ICON_PATH), layout="wide")

who = sign_in.identity()  # stops the run at the sign-in form until someone is signed in
pages = navigation.pages()
page = st.navigation(pages)
sign_in.open_linked_page(page, pages)
try:
    ensure_database()  # after st.navigation: during a first build the sidebar shows the pages, not file names
    # the weekly review picks its own week, without the sidebar's period
    state.sidebar(page.url_path, show_period=page.url_path != pages[0].url_path)
    sign_in.sidebar(who)
    export_control.draw(page.url_path)
    audit_trail.viewing(page.title)
    try:
        page.run()
    finally:  # also after st.stop() in a page (an empty state), so the URL still tells the view
        state.sync_url()
        audit_trail.page_view(who, page.title, state.view_params())
except (DatabaseUnreadable, DatabaseBusy) as error:  # broken, being copied over or written: say so, recover after
    explain_unreadable(error)
