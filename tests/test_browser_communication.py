"""The Communication matrix in a real headless Chromium: clicking a square opens that
pair's detail, at rep level and at team level (a Plotly heatmap gave no click at all,
which AppTest cannot see)."""

from __future__ import annotations

import datetime as dt

from tandem.cli.whole_database import run
from tandem.figures import communication
from tests.browser import wait_until_rendered
from tests.test_browser import open_page

PERIOD = dict(start=dt.datetime(2026, 8, 31), end=dt.datetime(2026, 11, 23))  # the small demo's default 12 weeks
URL = "communication?start=2026-08-31&end=2026-11-23"


def busiest(small_db, by_team: bool):
    """The matrix as the page draws it for PERIOD, and the index and row of its busiest square."""
    pairs = run("cross_team_exchanges_by_rep_pair", db=small_db, teams=[], **PERIOD)
    figure, title, drawn = communication.pair_matrix(pairs, "all", by_team)
    index = int(drawn["exchanges"].idxmax())
    return pairs, figure, title, index, drawn.iloc[index]


def click_square(page, title: str, index: int) -> None:
    """Move onto the square of the matrix titled `title` drawn `index`-th, and click it as a user does."""
    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text=title)
    chart.scroll_into_view_if_needed()
    square = chart.locator(".scatterlayer .trace .points path").nth(index)
    box = square.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(300)  # Plotly picks the point under the pointer on hover; the click selects it
    page.mouse.down()
    page.mouse.up()


def test_clicking_a_rep_square_opens_that_pairs_detail(server, browser, small_db, tmp_path):
    """Click the busiest pair's square: its sentence and weeks appear; a double-click on a
    blank square closes them."""
    pairs, figure, title, index, cell = busiest(small_db, by_team=False)
    row = pairs[(pairs["internal_rep_name"] == cell["internal_rep_name"])
                & (pairs["external_rep_name"] == cell["external_rep_name"])].iloc[0]
    page = open_page(browser, f"{server}/{URL}", "Communication", tmp_path / "matrix.png", height=3200)
    assert page.get_by_text("talked in", exact=False).count() == 0
    click_square(page, title, index)
    heading = f"{row['internal_rep_name']} ({row['internal_team_name']}) × {row['external_rep_name']} " \
              f"({row['external_team_name']})"
    page.get_by_text(heading, exact=False).first.wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text(f"{int(row['exchanges'])} exchanges", exact=False).count() >= 1
    history = page.locator("[data-testid='stPlotlyChart']").filter(
        has_text=f"{row['internal_rep_name']} and {row['external_rep_name']} talked in")
    history.wait_for(timeout=60_000)
    page.screenshot(path=tmp_path / "rep_pair_detail.png")

    # a double-click on a blank square (a pair who did not exchange) closes the detail
    rows, columns = list(figure.layout.yaxis.categoryarray), list(figure.layout.xaxis.categoryarray)
    drawn = set(zip(figure.data[0].y, figure.data[0].x))
    blank_row, blank_column = next((r, c) for r in range(len(rows)) for c in range(len(columns))
                                   if (rows[r], columns[c]) not in drawn)
    area = page.locator("[data-testid='stPlotlyChart']").filter(has_text=title).locator(".nsewdrag").first.bounding_box()
    page.mouse.dblclick(area["x"] + (blank_column + 0.5) * area["width"] / len(columns),
                        area["y"] + (blank_row + 0.5) * area["height"] / len(rows))
    page.get_by_text("Click a square to see", exact=False).wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert page.get_by_text(heading, exact=False).count() == 0
    page.close()


def test_clicking_a_team_square_opens_that_team_pairs_detail(server, browser, small_db, tmp_path):
    """Switch to "Team × team" (counts written in the squares), click the busiest team pair:
    its sentence, weeks and pairs of reps appear."""
    pairs, _, title, index, cell = busiest(small_db, by_team=True)
    internal, external = cell["internal_team_name"], cell["external_team_name"]
    page = open_page(browser, f"{server}/{URL}", "Communication", tmp_path / "matrix.png", height=3200)
    page.get_by_text("Team × team").click()
    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text=title)
    chart.wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert chart.get_by_text(f"{int(cell['exchanges'])}", exact=True).count() == 1  # the count written in the square
    click_square(page, title, index)
    page.get_by_text(f"{internal} × {external}: {int(cell['exchanges'])} exchanges between",
                     exact=False).first.wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.locator("[data-testid='stPlotlyChart']").filter(has_text=f"{internal} and {external} talked in").wait_for(
        timeout=60_000)
    reps = pairs[(pairs["internal_team_name"] == internal) & (pairs["external_team_name"] == external)]
    page.get_by_text(f"Pairs of reps, busiest first ({len(reps)})", exact=False).wait_for(timeout=60_000)
    page.screenshot(path=tmp_path / "team_pair_detail.png")
    page.close()


def test_a_found_rep_in_a_cut_matrix_opens_its_pairs_detail(server, browser, small_db, tmp_path):
    """Ten reps a side (7 internal and 13 external reps exchanged in PERIOD, so 3 external ones are
    left out); find one of those three: its column appears, its name in bold, and a click on its
    busiest square opens that pair's detail."""
    pairs = communication.labelled(run("cross_team_exchanges_by_rep_pair", db=small_db, teams=[], **PERIOD))
    reps = communication.matrix_reps(pairs, "all", 10)
    assert (len(reps.internal), len(reps.external), reps.internal_all, reps.external_all) == (7, 10, 7, 13)
    found = sorted(set(pairs["external_rep_id"]) - set(reps.external))[0]
    name = pairs.loc[pairs["external_rep_id"] == found, "external_rep_name"].iloc[0]
    figure, title, drawn = communication.pair_matrix(pairs, "all", False, 10, (found,))
    theirs = drawn[drawn["external_rep_name"] == name]
    index = int(theirs["exchanges"].idxmax())
    row = pairs[(pairs["internal_rep_name"] == drawn.loc[index, "internal_rep_name"])
                & (pairs["external_rep_id"] == found)].iloc[0]

    page = open_page(browser, f"{server}/{URL}", "Communication", tmp_path / "matrix.png", height=3200)
    page.get_by_test_id("stSelectbox").filter(has_text="Reps per side").click()
    page.get_by_role("option", name="10", exact=True).click()
    page.get_by_text("Drawn: the 7 × 10 busiest of 7 × 13 reps", exact=False).wait_for(timeout=60_000)
    wait_until_rendered(page)
    search = page.get_by_test_id("stMultiSelect").filter(has_text="Find a rep")
    search.locator("input").fill(name)
    page.get_by_role("option", name=f"{name} · {row['external_team_name']}").click()
    page.keyboard.press("Escape")
    page.get_by_text(f"{name} is not among the busiest", exact=False).wait_for(timeout=60_000)
    wait_until_rendered(page)
    chart = page.locator("[data-testid='stPlotlyChart']").filter(has_text=title)
    assert chart.locator(".xtick tspan[style*='bold']").all_text_contents() == [name]  # how Plotly draws <b>
    click_square(page, title, index)
    page.get_by_text(f"{row['internal_rep_name']} ({row['internal_team_name']}) × {name} "
                     f"({row['external_team_name']})", exact=False).first.wait_for(timeout=60_000)
    wait_until_rendered(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=tmp_path / "found_rep_detail.png")
    page.close()
