"""Each role in the dashboard (AppTest) on the hand-built scope fixture (tests/fixtures/scope):
what an agency manager, an internal manager, a presenter and an administrator see, the
audit log they leave, and a link opened by a user who sees less than its sender."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tandem.data.importer import import_folder
from tandem.data.users import User, hash_password, load_users, save_users
from tandem.ui import sign_in
from tests.apptest import ROOT, dashboard_on
from tests.test_presentation_leaks import rendered_texts
from tests.test_scope import FIXTURE, two_others_db  # noqa: F401, F811 (a fixture)

PASSWORD = "correct horse battery"
PAGES = ["weekly_review", "communication", "contested_deals", "rules_events", "conversion", "deal_explorer",
         "overview"]
OTHER_AGENCY = ["Bo Bravo", "Bravo Field", "Bravo Partners", "Bravo cobalt deal", "Bravo renewal", "Cobalt seminar"]
CLOSED_EVENTS = ["Strategy day", "Internal kickoff"]
INTERNAL_REPS = ["Ana Lima", "Ivo Dias"]
AGENCY_REPS = ["Al Marsh", "Bo Bravo"]


@pytest.fixture(scope="module")
def scope_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("roles") / "scope.duckdb"
    assert import_folder(FIXTURE, path).ok
    return path


@pytest.fixture
def audit_file(scope_db, tmp_path, monkeypatch) -> Path:
    """Users of every role, and where their audit log goes."""
    path = tmp_path / "users.toml"
    hashed = hash_password(PASSWORD)
    save_users({"amy": User("amy", "agency_manager", agency="Alpha Outsourcing", password_hash=hashed),
                "ian": User("ian", "internal_manager", password_hash=hashed),
                "ivy": User("ivy", "internal_manager", password_hash=hashed, show_agency_rep_names=True),
                "pia": User("pia", "presenter", password_hash=hashed),
                "ada": User("ada", "admin", password_hash=hashed)}, path)
    dashboard_on(scope_db, monkeypatch)
    monkeypatch.setenv("TANDEM_USERS", str(path))
    monkeypatch.setenv("TANDEM_AUDIT", str(tmp_path / "audit.jsonl"))
    return tmp_path / "audit.jsonl"


def signed_in_as(name: str, **url) -> AppTest:
    """The dashboard opened on the fixture's half year (and `url`), signed in as `name` (the
    session value the form sets: AppTest does not redraw the sidebar after a run stopped at the
    form; the form itself is tested in test_sign_in and below)."""
    user = load_users()[name]
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.query_params.update({"start": "2024-01-01", "end": "2024-06-30", **url})
    at.session_state[sign_in.SIGNED_IN] = sign_in.session_value(user)
    at.run()
    assert not at.exception
    return at


def on_page(at: AppTest, page: str, **page_params) -> AppTest:
    """Switch to `page` with its own URL parameters (read on its first run, as a shared link's)."""
    at.switch_page(f"pages/{page}.py")
    for key, value in page_params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest, names: list[str]) -> list[str]:
    text = " ".join(rendered_texts(at))
    return [name for name in names if name in text]


@pytest.mark.parametrize("page", PAGES)
def test_an_agency_manager_sees_no_other_agency_no_closed_event_and_no_internal_name(audit_file, page):
    at = on_page(signed_in_as("amy"), page)
    assert not shown(at, OTHER_AGENCY + CLOSED_EVENTS + INTERNAL_REPS)
    assert not at.error


def test_an_agency_manager_sees_its_own_deals_and_reps(audit_file):
    at = on_page(signed_in_as("amy"), "deal_explorer")
    assert shown(at, ["Acme pilot", "Borealis framework", "Al Marsh"]) == ["Acme pilot", "Borealis framework",
                                                                          "Al Marsh"]
    assert "Internal rep 1" in " ".join(rendered_texts(at))  # Ana, who owns d-shared, under her pseudonym


def test_a_link_to_a_deal_out_of_scope_shows_the_users_view_with_a_notice(audit_file):
    """The director's link to Bravo's deal, opened by Alpha's manager: the page, a notice, no
    error and nothing of the deal."""
    at = on_page(signed_in_as("amy"), "contested_deals", deal="d-bravo-inside")
    assert not at.error and not shown(at, OTHER_AGENCY)
    assert any("among the deals you can see" in w.value for w in at.warning)


def test_an_internal_manager_sees_agency_reps_under_pseudonyms(audit_file):
    at = signed_in_as("ian")
    assert any("agency reps under pseudonyms" in c.value for c in at.sidebar.caption)
    at = on_page(at, "communication")
    assert not shown(at, AGENCY_REPS)
    assert shown(at, ["Bravo Field"])  # teams are not hidden from the company's own managers


def test_an_internal_manager_allowed_agency_reps_names_sees_them(audit_file):
    at = signed_in_as("ivy")
    assert any("agency reps' names shown" in c.value for c in at.sidebar.caption)
    assert shown(on_page(at, "communication"), AGENCY_REPS) == AGENCY_REPS


def test_a_presenter_cannot_switch_presentation_mode_off(audit_file):
    at = signed_in_as("pia", presentation="0")  # a link that asks for real names
    toggle = next(t for t in at.sidebar.toggle if t.label == "Presentation mode")
    assert toggle.value is True and toggle.disabled
    # (AppTest runs a switched-to page without the entry point, so without the sidebar)
    at = on_page(at, "deal_explorer")
    assert not shown(at, INTERNAL_REPS + AGENCY_REPS + ["Acme pilot", "Borealis"])


def test_only_an_administrator_reads_the_audit_log(audit_file):
    at = on_page(signed_in_as("amy"), "overview")
    assert "Audit log" not in [h.value for h in at.subheader]
    at = on_page(signed_in_as("ada"), "overview")
    assert "Audit log" in [h.value for h in at.subheader]
    log = at.dataframe[-1].value
    assert set(log["event"]) == {"page_view"} and set(log["user"]) == {"amy", "ada"}


def test_sign_ins_page_views_and_failures_are_audited(audit_file):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    for password in ("not the password", PASSWORD):
        at.text_input(key="sign_in_name").input("amy")
        at.text_input(key="sign_in_password").input(password)
        at.button[0].click()
        at.run()
    at.run()  # the same view again: no new record (a rerun is not a view)
    signed_in_as("amy", attribution="source")  # another session's view: its filters are recorded
    records = [json.loads(line) for line in audit_file.read_text().splitlines()]
    assert [(r["event"], r["user"], r["role"]) for r in records[:2]] == [
        ("sign_in_failed", "amy", None), ("sign_in", "amy", "agency_manager")]
    views = [(r["page"], r["filters"].get("attribution")) for r in records if r["event"] == "page_view"]
    assert views == [("Weekly review", None), ("Weekly review", "source")]
    assert oct(audit_file.stat().st_mode & 0o777) == "0o600"


def test_an_agency_managers_report_holds_only_its_scope_and_names_who_exported_it(scope_db):
    """The export of every page (Export in the sidebar), as an agency manager asks for it."""
    import datetime as dt

    from tandem.export.report import PAGES as REPORT_PAGES
    from tandem.export.report import build_report
    from tandem.export.writers import to_html
    from tandem.model.filters import Filters
    from tandem.model.roles import Identity

    amy = Identity("amy", "agency_manager", "Alpha Outsourcing")
    report = build_report(scope_db, Filters(start=dt.date(2024, 1, 1), end=dt.date(2024, 7, 1)), tuple(REPORT_PAGES),
                          dt.date(2024, 3, 11), deals={"contested_deals": "d-shared"}, scope=amy.scope,
                          exported_by="amy (Agency manager), 2026-12-05 10:31")
    html = to_html(report)
    assert "Exported by amy (Agency manager), 2026-12-05 10:31." in html
    assert "Borealis framework" in html and "Internal rep 1" in html  # d-shared, owned by Ana under her pseudonym
    assert not [name for name in OTHER_AGENCY + CLOSED_EVENTS + INTERNAL_REPS if name in html]


def test_two_other_agencies_on_an_agency_managers_deal_are_one_other_agency(audit_file, two_others_db,  # noqa: F811
                                                                            monkeypatch):
    """Bravo and Charlie both claimed Alpha's deal d-shared: the Contested deals page names
    neither (its table's "Teams involved" once listed their real names) and draws Key Accounts ×
    "Other agency" once (two "Other agency" columns broke the chart); both found by `soak --roles`."""
    dashboard_on(two_others_db, monkeypatch)
    at = on_page(signed_in_as("amy"), "contested_deals")
    assert not shown(at, OTHER_AGENCY + ["Charlie Field", "Charlie Co", "Cy Charlie"])
    heatmap = next(chart for chart in at.get("plotly_chart") if "Other agency" in chart.proto.spec)
    assert json.loads(heatmap.proto.spec)["data"][0]["x"].count("Other agency") == 1
