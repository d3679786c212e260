"""Downloads in a real headless Chromium: quick clicks on several download buttons,
every click gives its file, whole and right, and the server logs no media error."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from pathlib import Path

import pandas as pd

from tandem.cli.whole_database import run
from tandem.model.deal_search import DealFilters
from tandem.model.filters import ContestRules, Filters
from tests.browser import wait_until_rendered

START, END = dt.date(2026, 8, 3), dt.date(2026, 11, 23)  # 16 complete weeks of the small demo
PERIOD = f"start={START}&end={END}"
CLICKS = 15
# Chromium takes at most 10 downloads a second from one page and silently drops the rest
# (chromedp/chromedp#791, "Throttle url download requests from a RenderFrame"; seen here
# with a plain HTML page too), so the clicks come this far apart: faster than a person
# clicks, and well inside the time a page takes to rerun.
CLICK_GAP_S = 0.15
DEAL = "D0000171"  # a contested deal of the small demo, open in the record (its timeline has a download)


def click_quickly(browser, url: str, order: list[int], folder: Path, open_expander: str | None = None) -> list[Path]:
    """Open `url` (and the expander whose label starts with `open_expander`), click its
    download buttons in `order` (indexes, repeats allowed) one right after the other,
    CLICK_GAP_S apart or as soon as the button takes a click (a button is disabled while
    its own file is being made), and return the files that arrived, saved."""
    page = browser.new_page(viewport={"width": 1440, "height": 4000}, accept_downloads=True)
    arrived = []
    page.on("download", lambda download: arrived.append(download))
    page.goto(url)
    page.get_by_test_id("stDownloadButton").first.wait_for(timeout=120_000)
    wait_until_rendered(page)
    if open_expander:
        # in the page (the sidebar has its Export expander)
        page.get_by_test_id("stMainBlockContainer").get_by_test_id("stExpander").filter(
            has_text=open_expander).locator("summary").click()
    # the first button of each: a button with a help tooltip has a hidden copy
    buttons = [button.locator("button").first for button in page.get_by_test_id("stDownloadButton").all()]
    assert len(buttons) > max(order)
    try:
        for index in order:
            started = time.monotonic()
            buttons[index].click(timeout=20_000)
            page.wait_for_timeout(max(0.0, CLICK_GAP_S - (time.monotonic() - started)) * 1000)
    finally:
        page.screenshot(path=folder / "clicked.png")
    deadline = time.monotonic() + 30
    while len(arrived) < len(order) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    page.wait_for_timeout(1000)  # a late extra file would show here
    errors = page.get_by_test_id("stDownloadButtonError").all_inner_texts()
    files = []
    for number, download in enumerate(arrived):
        assert download.failure() is None, download.failure()
        path = folder / f"{number:02d}_{download.suggested_filename}"
        download.save_as(path)
        files.append(path)
    page.close()
    assert not errors, errors
    assert len(files) == len(order), f"{len(order)} clicks gave {len(files)} files"
    return files


def assert_no_media_error(log: Path) -> None:
    text = log.read_text()
    assert "MediaFileStorageError" not in text and "Deferred file" not in text, text[-3000:]


def without_export_time(sheet: pd.DataFrame) -> pd.DataFrame:
    """The sheet without its "Exported at" row, after checking that row holds a time."""
    exported = sheet.iloc[:, 0].astype(str) == "Exported at"
    for value in sheet.loc[exported].iloc[:, 1]:
        dt.datetime.strptime(value, "%Y-%m-%d %H:%M")
    return sheet.loc[~exported].reset_index(drop=True)


def identical_per_name(files: list[Path]) -> dict[str, bytes]:
    """Every CSV file of one button has the same bytes (none cut short); name -> bytes.
    (An Excel file records when it was made, to the minute, and clicks can straddle a minute:
    its sheets are compared without that row, which must read as a time.)"""
    contents: dict[str, bytes] = {}
    for path in files:
        name = path.name[3:]
        if name.endswith(".xlsx"):
            first = next(p for p in files if p.name[3:] == name)
            for sheet, frame in pd.read_excel(path, sheet_name=None).items():
                pd.testing.assert_frame_equal(without_export_time(frame),
                                              without_export_time(pd.read_excel(first, sheet_name=sheet)))
            continue
        assert contents.setdefault(name, path.read_bytes()) == path.read_bytes(), f"{name} differs between clicks"
    return contents


def test_quick_clicks_on_the_communication_downloads(server_and_log, browser, tmp_path, small_db):
    """Five of the six buttons (weekly volumes, coordination ratio, rep matrix, full rep matrix,
    initiator shares; then silent pairs): the same one again and again, then one after the other."""
    url, log = server_and_log
    order = [0, 0, 0, 1, 2, 3, 4, 0, 1, 1, 2, 2, 3, 4, 4]
    assert len(order) == CLICKS
    files = click_quickly(browser, f"{url}/communication?{PERIOD}", order, tmp_path)
    contents = identical_per_name(files)
    names = ["tandem_weekly_exchanges.csv", "tandem_coordination_ratio.csv", "tandem_rep_matrix.csv",
             "tandem_rep_pairs.csv", "tandem_initiator_shares.csv", "tandem_silent_pairs.csv"]  # top to bottom
    assert Counter(p.name[3:] for p in files) == Counter(names[i] for i in order)
    weekly = pd.read_csv(next(p for p in files if p.name.endswith("weekly_exchanges.csv")))
    assert weekly.columns.tolist() == ["Week (Monday)", "Cross-team calls", "Cross-team emails", "Cross-team meetings",
                                       "Within-team exchanges"]
    exchanges = run("exchanges_by_week", db=small_db, start=START, end=END, teams=[])
    cross_calls = exchanges[(exchanges["exchange_kind"] == "cross_team") & (exchanges["channel"] == "call")]
    assert len(weekly) == 16  # one row per week of the period, all there
    assert weekly["Cross-team calls"].sum() == cross_calls["exchanges"].sum()
    matrix = pd.read_csv(next(p for p in files if p.name.endswith("rep_matrix.csv")))
    assert matrix.columns.tolist() == ["Internal rep", "External rep", "Exchanges"]
    assert all(content.endswith(b"\n") for content in contents.values())
    assert_no_media_error(log)


def test_quick_clicks_on_the_deals_downloads(server_and_log, browser, tmp_path, small_db):
    """The Deals page with a deal's record open: CSV, Excel and the deal's timeline."""
    url, log = server_and_log
    order = [0, 0, 1, 1, 2, 0, 2, 1, 0, 2, 2, 1, 0, 1, 0]
    assert len(order) == CLICKS
    files = click_quickly(browser, f"{url}/deal_explorer?{PERIOD}&deal={DEAL}", order, tmp_path,
                          open_expander="The ")  # the timeline's events, with its download
    identical_per_name(files)
    names = ["tandem_deals.csv", "tandem_deals.xlsx", f"tandem_deal_{DEAL}_timeline.csv"]
    assert Counter(p.name[3:] for p in files) == Counter(names[i] for i in order)
    params = {**Filters(start=START, end=END).params("start", "end", "attribution", "teams", "regions", "segments"),
              **DealFilters().params(ContestRules())}
    active = run("matching_deal_totals", db=small_db, **params)
    count = int(active.loc[active["breakdown"] == "total", "deals"].iloc[0])
    for path in files:
        if path.name.endswith("timeline.csv"):
            continue
        deals = pd.read_csv(path) if path.suffix == ".csv" else pd.read_excel(path)  # the header first
        assert len(deals) == count and deals.columns[:5].tolist() == ["Deal id", "Deal", "Account", "Amount (EUR)",
                                                                       "Status"]
        if path.suffix == ".xlsx":
            filters = pd.read_excel(path, sheet_name="Filters")
            assert filters.iloc[1].tolist() == ["Period", f"{START} to {END} (end excluded)"]
    assert_no_media_error(log)
