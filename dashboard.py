"""Tandem: the Streamlit entry point. Wires the pages together; no logic here."""

import streamlit as st

from tandem.app import ensure_database

st.set_page_config(page_title="Tandem", page_icon=":material/handshake:", layout="wide")
ensure_database()

page = st.navigation([
    st.Page("pages/overview.py", title="Data overview", icon=":material/database:", default=True),
])
page.run()
