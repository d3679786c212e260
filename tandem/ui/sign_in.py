"""Who is using this session: open access, a local account of users.toml, or an identity
provider through Streamlit's `st.login` (when `[auth]` is configured in secrets.toml).

`identity()` runs first in every run of the entry point. Until someone is signed in it
draws the sign-in form (or button) and stops the run, so no page and no query runs.
The identity is kept in session state with a signature made with a key that exists only
in this server process: a value put there by anything else (a tampered session) is not
an identity, and the session is asked to sign in again.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from urllib.parse import urlparse

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from tandem.data.users import SignInLimiter, User, UsersFileError, load_users, password_matches, users_path
from tandem.model.roles import OPEN_ACCESS, OPEN_ACCESS_USER, ROLE_LABELS, Identity
from tandem.ui import audit_trail

SIGNED_IN = "_tandem_signed_in"  # (user name, role, agency, signature); not a widget key: the URL cannot set it
_NOTICE = "_tandem_sign_in_notice"
_PROVIDER_SIGN_IN_RECORDED = "_tandem_provider_sign_in_recorded"
_LINKED_PAGE = "_tandem_linked_page"  # the URL's page at the sign-in, until the page is open


@st.cache_resource
def _server_key() -> bytes:
    return secrets.token_bytes(32)


@st.cache_resource
def _limiter() -> SignInLimiter:
    return SignInLimiter()


def _signature(name: str, role: str, agency: str | None) -> str:
    message = "\0".join((name, role, agency or "")).encode()
    return hmac.new(_server_key(), message, hashlib.sha256).hexdigest()


def session_value(user: User) -> tuple[str, str, str | None, str]:
    """The signed value a sign-in keeps in the session (also set directly by the benchmark)."""
    return user.name, user.role, user.agency, _signature(user.name, user.role, user.agency)


def _users() -> dict[str, User] | None:
    path = users_path()
    try:
        return _cached_users(str(path), path.stat().st_mtime_ns if path.exists() else None)
    except UsersFileError as error:
        st.error(f"Tandem cannot start: the users file is broken. {error}", icon=":material/error:")
        st.stop()


@st.cache_data(show_spinner=False)
def _cached_users(path: str, modified_ns: int | None) -> dict[str, User] | None:
    from pathlib import Path

    return load_users(Path(path))


def _provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file: Streamlit raises its own error (a FileNotFoundError in some versions)
        return False


def signed_in() -> Identity | None:
    """The session's identity without drawing anything (None: nobody is signed in). Pages
    check it too (`state.current`): Streamlit may run a page file without the entry point."""
    users = _users()
    if users is None:
        return OPEN_ACCESS
    if _provider_configured():
        user = _provider_user(users) if st.user.is_logged_in else None
        return None if user is None else Identity.of(user)
    signed = st.session_state.get(SIGNED_IN)
    return None if signed is None else _verified(signed, users)


def identity() -> Identity:
    """The signed-in identity (OPEN_ACCESS when there is no users file); otherwise the
    sign-in form is drawn and the run stops."""
    users = _users()
    if users is None:
        return OPEN_ACCESS
    if _provider_configured():
        return _provider_identity(users)
    signed = st.session_state.get(SIGNED_IN)
    if signed is not None:
        current = _verified(signed, users)
        if current is not None:
            return current
        st.session_state.pop(SIGNED_IN, None)
        st.session_state[_NOTICE] = "Your sign-in is no longer valid (the account changed or the session was " \
                                    "altered). Please sign in again."
    form = st.empty()
    with form.container(), _ids_as_after_navigation():
        signed_in = _sign_in_form(users)
    if signed_in is None:
        st.stop()
    form.empty()  # the page follows in this same run
    st.session_state[_LINKED_PAGE] = urlparse(st.context.url or "").path.strip("/")
    return signed_in


@contextlib.contextmanager
def _ids_as_after_navigation():
    """Widgets drawn in here get the ids they get after `st.navigation`. Why: until a server's
    first `st.navigation` (its first sign-in), Streamlit runs the app in its legacy
    `pages/`-folder mode, where a widget's id is derived from another script hash; a form
    drawn before someone else's sign-in then lost its submission (the empty form again).
    Guarded by tests/test_sessions.py::test_a_sign_in_form_opened_before_the_servers_first_sign_in…"""
    ctx = get_script_run_ctx()
    if ctx is None:  # bare mode
        yield
        return
    with ctx.run_with_active_hash(ctx.pages_manager.main_script_hash):
        yield


def open_linked_page(page: st.Page, pages: list[st.Page]) -> None:
    """Right after a sign-in, switch to the page the URL names (a shared deep link), with its
    filters. Why: no page was declared while the form stood, so the browser asks the sign-in's
    run for the default page, while the URL still names the linked one. A page this role does
    not have (the Import page) or that does not exist is not in `pages`: the default page stays,
    with a notice."""
    path = st.session_state.pop(_LINKED_PAGE, None)
    if not path or path == page.url_path:
        return
    linked = next((p for p in pages if p.url_path == path), None)
    if linked is None:
        st.toast(f"The link names a page “{path}” that is not open to you: here is the {page.title.lower()}.",
                 icon=":material/lock:")
        return
    st.switch_page(linked, query_params={key: st.query_params.get_all(key) for key in st.query_params})


def _verified(signed, users: dict[str, User]) -> Identity | None:
    """The identity of a signed session value, if its signature holds and the account still
    has that role and agency."""
    if not (isinstance(signed, tuple) and len(signed) == 4 and all(isinstance(v, (str, type(None))) for v in signed)):
        return None
    name, role, agency, signature = signed
    if name is None or role is None or signature is None:
        return None
    if not hmac.compare_digest(signature, _signature(name, role, agency)):
        return None
    user = users.get(name)
    if user is None or (user.role, user.agency) != (role, agency):
        return None
    return Identity.of(user)


def _sign_in_form(users: dict[str, User]) -> Identity | None:
    """The form; the identity once the right password was given. The URL, and with it a
    shared link's page and filters, is kept for after the sign-in."""
    _, middle, _ = st.columns([1, 1.3, 1])  # a form a third of the screen wide, as sign-in pages are
    with middle:
        st.title("Tandem")
        notice = st.session_state.pop(_NOTICE, None)
        if notice:
            st.warning(notice, icon=":material/lock:")
        with st.form("sign_in", enter_to_submit=True):
            st.subheader("Sign in")
            name = st.text_input("User name", key="sign_in_name", autocomplete="username")
            password = st.text_input("Password", type="password", key="sign_in_password",
                                     autocomplete="current-password")
            submitted = st.form_submit_button("Sign in", type="primary")
        return _checked(users, submitted, name, password)


def _checked(users: dict[str, User], submitted: bool, name: str | None, password: str | None) -> Identity | None:
    if not submitted:
        st.caption("Ask your Tandem administrator for an account (`python -m tandem users add`).")
        return None
    name = (name or "").strip().lower()
    limiter = _limiter()
    wait = limiter.wait_s(name)
    if wait > 0:
        st.error(f"Too many failed sign-ins for this name. Try again in {int(wait) + 1} seconds.",
                 icon=":material/timer:")
        return None
    user = users.get(name)
    if not password_matches(user, password or ""):
        limiter.failed(name)
        audit_trail.sign_in_failed(name)
        st.error("Unknown user name or wrong password.", icon=":material/error:")
        return None
    limiter.succeeded(name)
    st.session_state[SIGNED_IN] = session_value(user)
    audit_trail.signed_in(Identity.of(user))
    return Identity.of(user)


def _provider_identity(users: dict[str, User]) -> Identity:
    if not st.user.is_logged_in:
        st.title("Tandem")
        st.button("Sign in", type="primary", on_click=st.login)
        st.stop()
    user = _provider_user(users)
    if user is None:
        email = str(st.user.get("email") or "")
        st.title("Tandem")
        st.error(f"You are signed in as {email or 'an account without an email'}, which has no role in Tandem. "
                 "Ask your Tandem administrator to add it (`python -m tandem users add NAME --role ROLE "
                 "--email EMAIL`).", icon=":material/lock:")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    if not st.session_state.get(_PROVIDER_SIGN_IN_RECORDED):
        st.session_state[_PROVIDER_SIGN_IN_RECORDED] = True
        audit_trail.signed_in(Identity.of(user))
    return Identity.of(user)


def _provider_user(users: dict[str, User]) -> User | None:
    """The user of the file whose email the identity provider signed in (case ignored)."""
    email = str(st.user.get("email") or "").strip().lower()
    return next((u for u in users.values() if u.email and u.email == email), None)


def sidebar(current: Identity) -> None:
    """Who is signed in, and the way out."""
    with st.sidebar:
        if current.user == OPEN_ACCESS_USER:
            st.caption(":material/lock_open: open access (single user): anyone with the link sees everything. "
                       f"Add users to require a sign-in ({os.path.basename(str(users_path()))}, README).")
            return
        where = f" · {current.agency}" if current.agency else ""
        if current.role == "internal_manager":
            where += " · agency reps' names shown" if current.show_agency_rep_names else " · agency reps under pseudonyms"
        st.caption(f":material/person: **{current.user}** · {ROLE_LABELS[current.role]}{where}")
        if st.button("Sign out", key="sign_out"):
            st.session_state.pop(SIGNED_IN, None)
            if _provider_configured() and st.user.is_logged_in:
                st.logout()
            st.rerun()
