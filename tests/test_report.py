"""Client reports: the deck, the PDF and the offline HTML file of one week, on the small demo
database, checked against what the pages' own builders and queries give."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pptx import Presentation
from pptx.util import Pt
from pypdf import PdfReader

from tandem.export.content import MAX_TABLE_ROWS, Chart, Table
from tandem.export.report import build_report
from tandem.export.writers import to_html, to_pdf, to_pptx
from tandem.model.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
WEEK = dt.date(2026, 11, 9)  # 2026-W46 of the small demo: contested deals, charts and tables
PAGES = ("weekly_review", "contested_deals", "conversion")


def filters(presentation: bool = False) -> Filters:
    return Filters(start=WEEK, end=WEEK + dt.timedelta(days=7), presentation=presentation)


@pytest.fixture(scope="module")
def report(small_db):
    return build_report(small_db, filters(), PAGES, WEEK, title="Client")


@pytest.fixture(scope="module")
def deck(report):
    return Presentation(__import__("io").BytesIO(to_pptx(report)))


def blocks(report) -> list:
    return [b for s in report.sections for b in s.blocks]


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def test_the_deck_has_a_slide_per_chart_table_and_note_with_its_takeaway(report, deck):
    every = blocks(report)
    assert any(isinstance(b, Chart) for b in every) and any(isinstance(b, Table) for b in every)
    slides = list(deck.slides)
    # title slide, a slide per section and per block, the definitions
    assert len(slides) == 1 + len(report.sections) + len(every) + 1
    assert texts(slides[0])[0] == "Client"
    assert texts(slides[0])[1].splitlines() == [report.period, report.filters, report.source]
    content = [s for s in slides[1:-1] if texts(s)[0] not in {section.title for section in report.sections}]
    assert [texts(s)[0] for s in content] == [b.title for b in every]
    for slide, block in zip(content, every):
        pictures = [shape for shape in slide.shapes if shape.shape_type == 13]
        tables = [shape.table for shape in slide.shapes if shape.has_table]
        assert len(pictures) == isinstance(block, Chart), block.title
        assert len(tables) == isinstance(block, Table), block.title
        if tables:
            (table,) = tables
            shown = block.frame.head(MAX_TABLE_ROWS)
            assert [table.cell(0, c).text for c in range(len(shown.columns))] == list(shown.columns)
            assert [[table.cell(r, c).text for c in range(len(shown.columns))] for r in range(1, len(shown) + 1)] == [
                ["—" if v is None else str(v) for v in row] for row in shown.itertuples(index=False)]
    assert texts(slides[-1])[0] == "Definitions"


def test_the_deck_reads_on_a_projector(deck):
    """16:9; every title 28 pt or more, every other text 14 pt or more."""
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    for slide in deck.slides:
        boxes = [shape.text_frame for shape in slide.shapes if shape.has_text_frame]
        sizes = [run.font.size for frame in boxes for p in frame.paragraphs for run in p.runs]
        assert sizes and all(size is not None and size >= Pt(14) for size in sizes)
        assert max(sizes) >= Pt(28)
        for shape in slide.shapes:
            if shape.has_table:
                assert all(run.font.size >= Pt(14) for row in shape.table.rows for cell in row.cells
                           for p in cell.text_frame.paragraphs for run in p.runs)


def test_the_weekly_titles_are_the_pages_takeaways(report, small_db):
    from tandem.data.queries import run
    from tandem.export.sections import weekly_kpis
    from tandem.model import weekly

    _, changes, _ = weekly_kpis(lambda name, **params: run(name, db=small_db, **params), filters(), WEEK)
    titles = [b.title for b in report.sections[0].blocks]
    assert titles[:len(weekly.GROUPS)] == [weekly.takeaway(group, changes) for group in weekly.GROUPS]


def test_presentation_mode_leaves_no_real_name(small_db):
    present = build_report(small_db, filters(True), PAGES, WEEK, presentation=True)
    deck = Presentation(__import__("io").BytesIO(to_pptx(present)))
    written = "\n".join(text for slide in deck.slides for text in texts(slide)) + "\n".join(
        slide.shapes[i].table.cell(r, c).text for slide in deck.slides for i, shape in enumerate(slide.shapes)
        if shape.has_table for r in range(len(shape.table.rows)) for c in range(len(shape.table.columns)))
    with duckdb.connect(str(small_db), read_only=True) as con:
        names = [n for (n,) in con.execute("select name from reps union all select name from accounts "
                                           "union all select name from contacts").fetchall()]
    assert not [n for n in names if n in written]
    assert "Internal rep" in written or "Account" in written  # the pseudonyms are there


def test_the_html_file_works_offline(report, browser, tmp_path):
    """Opened with the network cut: every chart draws from the embedded plotly.js."""
    path = tmp_path / "report.html"
    path.write_text(to_html(report))
    context = browser.new_context(offline=True)
    requested = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.goto(path.as_uri())
    charts = sum(isinstance(b, Chart) for b in blocks(report))
    page.wait_for_function(f"document.querySelectorAll('.main-svg').length >= {charts}", timeout=60_000)
    assert page.locator(".plot-container").count() == charts
    assert [url for url in requested if not url.startswith("file:")] == []
    assert page.locator("h2").all_inner_texts()[:2] == [b.title for b in blocks(report)][:2]
    context.close()


def test_the_pdf_has_the_filters_and_page_numbers_on_every_page(report):
    reader = PdfReader(__import__("io").BytesIO(to_pdf(report)))
    pages = len(reader.pages)
    assert pages >= 1 + len(report.sections)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert report.filters in text and f"page {number} of {pages}" in text, number
    assert "Weekly review" in reader.pages[1].extract_text()


def tandem(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tandem", *args], capture_output=True, text=True, cwd=ROOT)


def test_cli_writes_the_report_and_refuses_bad_arguments(small_db, tmp_path):
    out = tmp_path / "week.html"
    done = tandem("report", "--week", "2026-W46", "--format", "html", "--out", str(out), "--db", str(small_db),
                  "--pages", "contested_deals", "--team", "Key Accounts")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"html report of 2026-W46 (contested_deals) written to {out}"
    assert "Teams: Key Accounts" in out.read_text()
    for args, message in (
            (["--week", "2026-W54"], 'error: "2026-W54" is not an ISO week (expected YYYY-Www, e.g. 2026-W47)'),
            (["--week", "2026-W46", "--pages", "overview"],
             "error: --pages takes weekly_review, contested_deals, conversion, not overview"),
            (["--week", "2026-W46", "--out", str(tmp_path / "no" / "x.html")],
             f"error: --out {tmp_path / 'no' / 'x.html'}: no folder {tmp_path / 'no'}")):
        arguments = ["report", "--format", "html", "--out", str(tmp_path / "x.html"), "--db", str(small_db), *args]
        failed = tandem(*arguments)
        assert (failed.returncode, failed.stderr.strip().splitlines()[-1]) == (2, message), args
        assert not (tmp_path / "x.html").exists()


def test_the_conversion_section_is_the_pages(report, small_db):
    """The per-team table is the page's own (conversion.team_rows over team_conversion), and
    each chart's title is its builder's takeaway."""
    from tandem.data.queries import run

    section = next(s for s in report.sections if s.page == "conversion")
    per_team = next(b for b in section.blocks if isinstance(b, Table) and b.title == "Per team")
    teams = run("team_conversion", db=small_db, **filters().params("start", "end", "attribution", "teams", "regions",
                                                                     "segments"))
    assert sorted(per_team.frame["Team"]) == sorted(teams["name"])
    assert list(per_team.frame["Created"]) == [int(teams.set_index("name").loc[n, "created"])
                                               for n in per_team.frame["Team"]]
    assert all(b.title == b.figure.layout.title.text for b in section.blocks if isinstance(b, Chart))
