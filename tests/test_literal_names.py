"""Names from imported files are shown as they are (issue 19, found as a new user): a deal
named like a markdown link or an account named in bold markers renders as that text, not
as a link or bold, on the pages that write them into sentences."""

from __future__ import annotations

import json
import re
import shutil

import plotly.graph_objects as go
import pytest
from plotly.utils import PlotlyJSONEncoder

from tandem.data.importer import import_folder
from tandem.figures import style
from tandem.model import wording
from tests.apptest import dashboard_on, open_page_on_week
from tests.test_rules_events import FIXTURE

LINK = "[Log in again](http://example.test)"
BOLD = "**URGENT**"
HTML_LINK = "<a href='http://example.test'>Agency X</a>"  # Plotly draws such a tag as a link


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "csv"
    shutil.copytree(FIXTURE, folder)
    for file, old, new in (("deals.csv", "D1 won in period", f'"{LINK}"'),
                           ("accounts.csv", "Northwind Enterprise", BOLD), ("reps.csv", "Xia Xeno", "Xia :red[Xeno]"),
                           ("teams.csv", "Agency X", HTML_LINK)):
        path = folder / file
        path.write_text(path.read_text().replace(old, new))
    target = folder.parent / "db.duckdb"
    assert import_folder(folder, target).ok
    return target


def rendered(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_deal_record_shows_its_names_as_they_are(db, monkeypatch):
    dashboard_on(db, monkeypatch)
    at = open_page_on_week("deal_explorer", deal="d1")
    text = rendered(at)
    header = next(m.value for m in at.markdown if "Log in again" in m.value)
    assert header.startswith(f"**{wording.literal(LINK)}** · {wording.literal(BOLD)} (North, Enterprise)")
    assert LINK not in text and f" {BOLD} " not in text  # never the raw markdown
    assert wording.plain(header).startswith(f"{LINK} · {BOLD} (North, Enterprise)")  # what a reader sees


def test_why_a_deal_is_contested_names_reps_as_they_are(db, monkeypatch):
    dashboard_on(db, monkeypatch)
    at = open_page_on_week("contested_deals", deal="d2")  # owned by the renamed Xia
    sentences = [m.value for m in at.markdown if m.value.startswith("- **Out of scope**") and "owned by" in m.value]
    assert sentences and all(wording.literal("Xia :red[Xeno]") in s for s in sentences)
    assert all(":red[Xeno]" not in s for s in sentences)


def test_without_links_draws_link_tags_literally_and_keeps_our_markup():
    figure = go.Figure(go.Bar(x=[HTML_LINK, "<b>ours</b>"], y=[1, 2], name="</A>", hovertext=["<abbr>", "x"]),
                       layout={"title": {"text": "Line one<br>line two"}})
    spec = json.dumps(style.without_links(figure).to_plotly_json(), cls=PlotlyJSONEncoder)
    assert "<a " not in spec and "</A>" not in spec
    assert "&lt;a href='http://example.test'>Agency X&lt;/a>" in spec and "&lt;/A>" in spec
    assert "<b>ours</b>" in spec and "<br>" in spec and "<abbr>" in spec
    plain = go.Figure(go.Bar(x=["a"], y=[1]))
    assert style.without_links(plain) is plain  # no copy when there is nothing to neutralise


@pytest.mark.parametrize("page, session", [("communication", {"comm_by_team": True}), ("conversion", {}),
                                           ("contested_deals", {}), ("rules_events", {})])
def test_a_team_named_with_a_link_tag_is_no_link_in_any_chart(db, monkeypatch, page, session):
    dashboard_on(db, monkeypatch)
    at = open_page_on_week(page, session=session)
    # decoded: Plotly's JSON writes "<" as \\u003c
    specs = [json.dumps(json.loads(chart.proto.spec), ensure_ascii=False) for chart in at.get("plotly_chart")]
    assert specs
    assert not any(re.search(r"<(/?)a[\s>]", spec, re.IGNORECASE) for spec in specs)
    assert any("&lt;a href='http:" in spec for spec in specs), page  # the name is there, drawn as text
