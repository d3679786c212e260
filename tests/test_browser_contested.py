"""The Contested deals page in a real headless Chromium at 1440 px wide: the weekly trend on
short and long periods, and the list of contested deals without horizontal scrolling."""

from __future__ import annotations

import pytest

from tests.browser import wait_until_rendered


@pytest.mark.parametrize("query, first_tick", [
    ("?start=2026-11-16&end=2026-11-23", "16 Nov"),  # what the weekly review's evidence links open
    ("?start=2026-11-20&end=2026-11-21", "16 Nov"),  # one day: its week
    ("?start=2024-11-25&end=2026-11-23", "25 Nov"),  # two years
])
def test_trend_and_list_read_at_1440_px(server, browser, tmp_path, query, first_tick):
    page = browser.new_page(viewport={"width": 1440, "height": 3000})
    page.goto(f"{server}/contested_deals{query}")
    page.get_by_role("heading", name="Contested deals", exact=True).first.wait_for(timeout=120_000)
    wait_until_rendered(page)
    assert page.locator("[data-testid='stException']").count() == 0
    trend = page.locator("[data-testid='stPlotlyChart']").filter(has_text="Week (Monday start)")
    trend.scroll_into_view_if_needed()
    trend.screenshot(path=tmp_path / "trend.png")
    ticks = trend.locator(".xtick text").evaluate_all("texts => texts.map(t => t.textContent)")
    # dates on Mondays, never times of day ("23:59:59.9996" on a one-week axis before)
    assert ticks and ticks[0].startswith(first_tick) and not any(":" in tick for tick in ticks)
    listed = page.locator("[data-testid='stDataFrame']").first
    listed.scroll_into_view_if_needed()
    listed.screenshot(path=tmp_path / "list.png")
    visible, content = page.evaluate(
        "() => { const s = document.querySelector(\"[data-testid='stDataFrame'] .dvn-scroller\");"
        " return [s.clientWidth, s.scrollWidth]; }")
    assert content <= visible  # every column visible, no horizontal scrolling
    page.close()


def test_moving_the_lookback_past_the_pre_computed_range_says_the_page_is_slower(server, browser, tmp_path):
    """One step right on the lookback slider from 90 days (the range's end) to 91: the rule
    goes to the URL and the page says it is computed from the raw activity; back to 90, the
    note goes."""
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    page.goto(f"{server}/contested_deals?start=2026-08-31&end=2026-11-23&lookback=90")
    page.get_by_role("heading", name="Contested deals", exact=True).first.wait_for(timeout=120_000)
    wait_until_rendered(page)
    slower = page.locator("[data-testid='stAlert']").filter(has_text="outside the range Tandem prepares")
    assert slower.count() == 0
    lookback = page.get_by_role("slider").first
    lookback.focus()
    page.keyboard.press("ArrowRight")
    slower.wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert "lookback=91" in page.url
    page.screenshot(path=tmp_path / "slower.png")
    page.keyboard.press("ArrowLeft")
    slower.wait_for(state="detached", timeout=60_000)
    assert "lookback=" not in page.url or "lookback=90" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
