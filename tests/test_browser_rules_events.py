"""Rules & events in Chromium on the small demo: click a leak's square and follow its link to
the Deals page showing exactly those deals; download the rules as scope_rules.csv; see the
demo's strategy meeting with agency reps flagged."""

from __future__ import annotations

import csv
import datetime as dt
import io

from tandem.cli.whole_database import run
from tandem.figures import rules_events
from tests.browser import wait_until_rendered
from tests.test_browser import open_page

PERIOD = dict(start=dt.datetime(2026, 8, 31), end=dt.datetime(2026, 11, 23))  # the small demo's default 12 weeks
URL = "rules_events?start=2026-08-31&end=2026-11-23"


def test_a_leak_opens_its_deals_and_the_rules_download(server, browser, small_db, tmp_path):
    leaks = run("out_of_scope_by_team_month", db=small_db, lookback_days=30, overlap_days=7, teams=[], regions=[],
                segments=[], **PERIOD)
    figure, title, _ = rules_events.leaks_by_team_month(leaks)
    busiest = int(leaks["touches"].idxmax())
    row = leaks.iloc[busiest]
    page = open_page(browser, f"{server}/{URL}", "Rules & events", tmp_path / "rules_events.png", height=3600)
    # the demo's story: agency reps at an internal-only strategy meeting
    assert page.get_by_text("attended Strategy Meeting Q4 2026", exact=False).count() == 1

    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text=title)
    chart.scroll_into_view_if_needed()
    square = chart.locator(".scatterlayer .trace .points path").nth(busiest)
    box = square.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)  # Plotly picks the point under the pointer on hover; the click selects it
    page.mouse.down()
    page.mouse.up()
    link = page.get_by_role("link", name="Open these deals on the Deals page")
    link.wait_for(timeout=60_000)
    assert page.get_by_text(rules_events.leak_sentence(row), exact=False).count() == 1
    href = link.get_attribute("href")
    deals_page = browser.new_page(viewport={"width": 1600, "height": 1600})
    deals_page.goto(f"{server}/{href}")
    deals_page.get_by_text(f"Only the {len(row['deal_ids'])} deals named by the link", exact=False).wait_for(
        timeout=120_000)
    wait_until_rendered(deals_page)
    matching = deals_page.locator("[data-testid='stMetric']").first.inner_text()
    assert matching.splitlines()[-1] == f"{len(row['deal_ids']):,}", matching
    assert deals_page.locator("[data-testid='stException']").count() == 0
    deals_page.close()

    # the rules, unedited, as scope_rules.csv
    button = page.get_by_role("button", name="Download scope_rules.csv")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "scope_rules.csv"
    written = list(csv.DictReader(io.StringIO(saved.read_text())))
    expected = run("rules_of_engagement", db=small_db).dropna(subset=["segment"])
    assert [tuple(r.values()) for r in written] == [
        tuple(r) for r in expected[["team_id", "segment", "region", "stage_from", "stage_to"]].itertuples(index=False)]

    # edit a rule in the table: Crestview's mid-market rule for any segment (third row, second
    # column); the sentence is the what-if query's for the same edit, and the download has it
    editor = page.locator("[data-testid='stDataFrame']").filter(has_text="From stage")
    editor.scroll_into_view_if_needed()
    box = editor.bounding_box()
    rows = [dict(zip(("team_id", "segment", "region", "stage_from", "stage_to"), r))
            for r in expected[["team_id", "segment", "region", "stage_from", "stage_to"]].itertuples(index=False)]
    assert (rows[2]["team_id"], rows[2]["segment"]) == ("CRE", "mid_market")
    cell = (box["x"] + 30 + (box["width"] - 30) * 0.3, box["y"] + 35 + 35 * 2 + 17)
    page.mouse.click(*cell)  # select the cell, then open its editor
    page.wait_for_timeout(300)
    page.mouse.dblclick(*cell)
    page.wait_for_timeout(500)
    page.screenshot(path=tmp_path / "editing.png")
    page.keyboard.type("any")
    page.keyboard.press("Enter")
    edited = [dict(r, segment="*") if n == 2 else r for n, r in enumerate(rows)]
    what_if = run("what_if_scope_rules", db=small_db, attribution="owner", teams=[], regions=[], segments=[],
                  lookback_days=30, overlap_days=7, signals=[], rules=edited, **PERIOD).iloc[0]
    sentence = rules_events.what_if_sentence(what_if)
    assert sentence != "Under the edited rules nothing changes in this period"
    page.get_by_text(sentence, exact=False).wait_for(timeout=60_000)
    wait_until_rendered(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download scope_rules.csv").click()
    download.value.save_as(saved)
    assert list(csv.DictReader(io.StringIO(saved.read_text())))[2] == edited[2]
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
