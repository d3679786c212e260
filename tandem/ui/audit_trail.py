"""What the dashboard writes to the audit log (`tandem.data.audit`): sign-ins, page views
(once per page and filters, not at every rerun) and downloads, each with the signed-in user;
and the stamp (user and time) that downloads and exports carry. Nothing in open access."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st

from tandem.data import audit
from tandem.model.roles import OPEN_ACCESS_USER, ROLE_LABELS, Identity

_LAST_VIEW = "_tandem_audit_last_view"
_PAGE = "_tandem_audit_page"


def _kept(who: Identity | None) -> bool:
    return who is not None and who.user != OPEN_ACCESS_USER


def signed_in(who: Identity) -> None:
    if _kept(who):
        audit.append("sign_in", who.user, who.role)


def sign_in_failed(name: str) -> None:
    audit.append("sign_in_failed", name[:64], None)


def viewing(page: str) -> None:
    """The page this run draws (URL path), for the downloads it offers."""
    st.session_state[_PAGE] = page


def page_view(who: Identity, page: str, filters: dict) -> None:
    """Record the view when its page or filters changed since this session's last record."""
    if not _kept(who):
        return
    view = (page, sorted((k, str(v)) for k, v in filters.items()))
    if st.session_state.get(_LAST_VIEW) == view:
        return
    st.session_state[_LAST_VIEW] = view
    audit.append("page_view", who.user, who.role, page=page, filters=filters)


def downloaded(who: Identity | None, page: str | None, file_name: str, kind: str) -> None:
    if _kept(who):
        audit.append("download", who.user, who.role, page=page, file=file_name, kind=kind)


def current_page() -> str | None:
    return st.session_state.get(_PAGE)


def stamp(who: Identity | None, at: dt.datetime | None = None) -> str | None:
    """"amy (Director), 2026-12-05 10:31": who made a file and when; None in open access."""
    if not _kept(who):
        return None
    return f"{who.user} ({ROLE_LABELS[who.role]}), {(at or dt.datetime.now()):%Y-%m-%d %H:%M}"


def stamped_file_name(file_name: str, who: Identity | None, at: dt.datetime | None = None) -> str:
    """`tandem_deals.csv` -> `tandem_deals_amy_2026-12-05_1031.csv` when someone is signed in."""
    if not _kept(who):
        return file_name
    stem, dot, suffix = file_name.rpartition(".")
    user = re.sub(r"[^a-z0-9._-]", "_", who.user.lower())
    return f"{stem or suffix}_{user}_{(at or dt.datetime.now()):%Y-%m-%d_%H%M}{dot}{suffix if stem else ''}"


LOG_ROWS = 2_000  # the newest records shown; the file itself keeps every one


def draw_log(who: Identity) -> None:
    """The audit log for an administrator (Data overview): the newest records, filtered by user
    and event, with a CSV download of what is shown. Nothing for other roles or in open access."""
    from tandem.ui import widgets  # widgets stamps downloads through this module

    if not _kept(who) or not who.scope.administers:
        return
    st.subheader("Audit log")
    records = pd.DataFrame(audit.read(LOG_ROWS), columns=list(audit.FIELDS))
    if records.empty:
        st.info(f"Nothing recorded yet in `{audit.audit_path()}`.")
        return
    records["filters"] = records["filters"].map(lambda f: "; ".join(f"{k}={v}" for k, v in (f or {}).items()))
    left, right = st.columns(2)
    users = left.multiselect("User", sorted(records["user"].dropna().unique()), key="audit_users",
                             placeholder="Every user")
    events = right.multiselect("Event", list(audit.EVENTS), key="audit_events", placeholder="Every event")
    shown = records[(records["user"].isin(users) | (not users)) & (records["event"].isin(events) | (not events))]
    st.caption(f"The newest {len(records):,} records of `{audit.audit_path()}`"
               + (f", {len(shown):,} of them shown." if len(shown) < len(records) else ".")
               + " Times are the server's local time.")
    st.dataframe(shown, hide_index=True, width="stretch")
    widgets.csv_download(shown, "audit_log", help="The records shown, as CSV.")
