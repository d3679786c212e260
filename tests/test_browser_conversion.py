"""The Conversion page in a real headless Chromium at 1440 px, as a director opens it:
what only a browser shows (labels that overlap, a table cut off) and the page's own clicks."""

from __future__ import annotations

from pathlib import Path

from tests.browser import wait_until_rendered

TWO_YEARS = "start=2024-11-25&end=2026-11-23"


def open_conversion(browser, url: str, screenshot: Path):
    page = browser.new_page(viewport={"width": 1440, "height": 5200})
    page.goto(url)
    page.get_by_role("heading", name="Conversion", exact=True).first.wait_for(timeout=120_000)
    wait_until_rendered(page)
    page.screenshot(path=screenshot)
    assert page.locator("[data-testid='stException']").count() == 0
    return page


def chart(page, title_start: str):
    return page.locator("[data-testid='stPlotlyChart']").filter(has=page.locator(".gtitle", has_text=title_start))


def too_close(boxes: list[dict], gap: float = 4) -> list[tuple[dict, dict]]:
    """Pairs of labels that overlap, or stand on the same line less than `gap` pixels apart
    ("81%79%" reads as one number)."""
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["x"] < b["x"] + b["width"] + gap and b["x"] < a["x"] + a["width"] + gap
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]]


def test_funnel_labels_and_team_table_fit_at_1440_px(server, browser, tmp_path):
    """Two years, every demo team: no two conversion labels of the funnel overlap, and the
    per-team table shows all its columns without scrolling sideways."""
    page = open_conversion(browser, f"{server}/conversion?{TWO_YEARS}", tmp_path / "two_years.png")
    funnel = chart(page, "of the deals created in the period have reached won")
    labels = funnel.locator("text.bartext")
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    boxes = [box for box in boxes if box and box["width"] > 0]
    assert len(boxes) == 5 * 4  # 5 teams, a label on each stage after lead
    assert too_close(boxes) == []
    grid = page.locator("[data-testid='stDataFrame']").first.locator(".dvn-scroller")
    scroll_width, client_width = grid.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll_width <= client_width
    page.close()


def test_one_week_says_why_the_cohort_chart_is_missing(server, browser, tmp_path):
    page = open_conversion(browser, f"{server}/conversion?start=2026-11-16&end=2026-11-23", tmp_path / "week.png")
    assert page.get_by_text("None of the 2 deals created in this period has closed yet").count() == 1
    assert chart(page, "Deals created in the period, closed so far").count() == 0
    page.close()


def test_colour_by_value_and_team_by_team_clicks(server, browser, tmp_path):
    """The matrix's two controls: "Value created (EUR)" colours by amount (the colour bar says
    so, in the currency), "Team × team" splits the kinds into teams."""
    page = open_conversion(browser, f"{server}/conversion?{TWO_YEARS}", tmp_path / "matrix.png")
    matrix = chart(page, "External reps source")
    assert matrix.locator(".cbtitle").text_content() == "Deals created"
    page.get_by_role("radio", name="Value created (EUR)").click()
    page.wait_for_function("() => [...document.querySelectorAll('.cbtitle')].some(t => t.textContent === "
                           "'Value created (EUR)')", timeout=60_000)
    wait_until_rendered(page)
    assert chart(page, "External reps source").locator(".cbtitle").text_content() == "Value created (EUR)"
    page.get_by_text("Team × team").click()
    page.wait_for_function("() => [...document.querySelectorAll('.ytick text')].some(t => t.textContent === "
                           "'Key Accounts')", timeout=60_000)
    wait_until_rendered(page)
    ticks = chart(page, "External reps source").locator(".ytick text").all_text_contents()
    assert "Key Accounts" in ticks and "External" not in ticks
    page.screenshot(path=tmp_path / "matrix_by_team.png")
    assert page.locator("[data-testid='stException']").count() == 0
    page.close()
