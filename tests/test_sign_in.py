"""Signing in to the dashboard (AppTest): open access without a users file, the form with
one, wrong passwords, unknown users, the rate limit and tampered session values."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tandem.data.users import User, hash_password, save_users
from tests.apptest import ROOT, dashboard_on

PASSWORD = "correct horse battery"


@pytest.fixture
def users_file(small_db, tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    save_users({"anna": User("anna", "director", password_hash=hash_password(PASSWORD)),
                "bianca": User("bianca", "agency_manager", agency="Brightline Partners",
                               password_hash=hash_password(PASSWORD + "!"))}, path)
    dashboard_on(small_db, monkeypatch)
    monkeypatch.setenv("TANDEM_USERS", str(path))
    return path


def opened() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    assert not at.exception
    return at


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    return at


def page_shown(at: AppTest) -> bool:
    return any(h.value == "Weekly review" for h in at.title)


def sidebar_text(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_without_a_users_file_the_dashboard_is_open_and_says_so(small_db, monkeypatch, tmp_path):
    dashboard_on(small_db, monkeypatch)
    monkeypatch.setenv("TANDEM_USERS", str(tmp_path / "none.toml"))
    at = opened()
    assert page_shown(at) and "open access (single user)" in sidebar_text(at)
    assert not [t for t in at.text_input if t.key == "sign_in_password"]


def test_the_form_comes_first_and_the_right_password_opens_the_page(users_file):
    at = opened()
    assert not page_shown(at) and [t.key for t in at.text_input] == ["sign_in_name", "sign_in_password"]
    assert not at.sidebar.caption  # no filter, no data before the sign-in
    sign_in(at, "Anna ", PASSWORD)  # the name as typed: case and spaces do not matter
    assert page_shown(at) and at.session_state["_tandem_signed_in"][:3] == ("anna", "director", None)
    # the sidebar (who is signed in, "Sign out") is checked in the browser: AppTest does not
    # redraw the sidebar after a run that stopped at the form (tests/test_browser_sign_in.py)


@pytest.mark.parametrize("name, password", [("anna", PASSWORD + "x"), ("nobody", PASSWORD), ("anna", "")])
def test_wrong_password_or_unknown_user_stays_out_with_one_message(users_file, name, password):
    at = sign_in(opened(), name, password)
    assert not page_shown(at)
    assert [e.value for e in at.error] == ["Unknown user name or wrong password."]


def test_failed_sign_ins_are_slowed_down(users_file):
    at = opened()
    for _ in range(5):
        sign_in(at, "anna", "wrong password!")
    sign_in(at, "anna", PASSWORD)  # even the right password waits now
    assert not page_shown(at) and "Too many failed sign-ins" in at.error[0].value


@pytest.mark.parametrize("tampered", [
    ("anna", "director", None, "0" * 64),  # a forged signature
    ("bianca", "director", None, None),  # a role the user does not have
    "anna",  # not even the shape of a signed value
])
def test_tampered_session_values_are_not_an_identity(users_file, tampered):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["_tandem_signed_in"] = tampered
    at.run()
    assert not at.exception and not page_shown(at)
    assert "sign_in_password" in [t.key for t in at.text_input]


def test_a_changed_role_signs_the_session_out(users_file):
    at = sign_in(opened(), "anna", PASSWORD)
    assert page_shown(at)
    save_users({"anna": User("anna", "presenter", password_hash=hash_password(PASSWORD))}, users_file)
    at.run()
    assert not page_shown(at) and "no longer valid" in at.warning[0].value
