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

from tandem.cli.whole_database import run
from tandem.export import branding
from tandem.export.content import MAX_TABLE_ROWS, Chart, Note, Table
from tandem.export.report import PAGES, build_report
from tandem.export.writers import IMAGE_SCALE, PX_PER_INCH, to_html, to_pdf, to_pptx
from tandem.model.filters import ContestRules, Filters
from tandem.model.roles import ALL_DATA

ROOT = Path(__file__).resolve().parent.parent
WEEK = dt.date(2026, 11, 9)  # 2026-W46 of the small demo: contested deals, charts and tables


def png_logo() -> bytes:
    from PIL import Image

    out = __import__("io").BytesIO()
    Image.new("RGB", (300, 90), "#0068C9").save(out, format="PNG")
    return out.getvalue()


PNG = png_logo()


def filters(presentation: bool = False) -> Filters:
    return Filters(start=WEEK, end=WEEK + dt.timedelta(days=7), presentation=presentation)


def first_contested_deal(db) -> str:
    """The largest contested deal of the week (what a user would click first)."""
    deals = run("contested_deals", db=db, **ContestRules().params(),
                **filters().params("start", "end", "attribution", "teams", "regions", "segments"))
    return deals.iloc[0]["deal_id"]


@pytest.fixture(scope="module")
def report(small_db):
    """Every page, the largest contested deal selected, for a client with a logo."""
    return build_report(small_db, filters(), tuple(PAGES), WEEK, branding=branding.Branding("Client", PNG),
                        deals={"contested_deals": first_contested_deal(small_db)}, scope=ALL_DATA)


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
    assert texts(slides[0])[1].splitlines() == [report.period, report.filters, report.source,
                                                f"Report built {report.built_at:%d %b %Y %H:%M}"]
    assert [shape.image.blob for shape in slides[0].shapes if shape.shape_type == 13] == [PNG]  # the logo
    content = [s for s in slides[1:-1] if texts(s)[0] not in {section.title for section in report.sections}]
    assert [texts(s)[0] for s in content] == [b.title for b in every]
    for slide, block in zip(content, every):
        pictures = [shape for shape in slide.shapes if shape.shape_type == 13]
        tables = [shape.table for shape in slide.shapes if shape.has_table]
        assert len(pictures) == isinstance(block, Chart), block.title
        assert len(tables) == isinstance(block, Table), block.title
        if tables:
            # the first rows of the table, as many as fit (at most 15); the caption counts the others
            (table,) = tables
            drawn = len(table.rows) - 1
            assert 1 <= drawn <= MAX_TABLE_ROWS and (drawn == len(block.shown) or drawn >= 8), block.title
            shown = block.frame.head(drawn)
            assert [table.cell(0, c).text for c in range(len(shown.columns))] == list(shown.columns)
            assert [[table.cell(r, c).text for c in range(len(shown.columns))] for r in range(1, drawn + 1)] == [
                ["—" if v is None else str(v) for v in row] for row in shown.itertuples(index=False)]
            left_out = (block.total or len(block.frame)) - drawn
            assert (f"and {left_out:,} more" in texts(slide)[-1]) == bool(left_out), block.title
    assert texts(slides[-1])[0] == "Definitions"


def test_the_deck_reads_on_a_projector(deck):
    """16:9; every title 28 pt or more, every other text 14 pt or more; every chart drawn for
    its place on the slide (not shrunk), so that its 16 px text reads 14 pt."""
    from PIL import Image

    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    pictures = [shape for slide in list(deck.slides)[1:] for shape in slide.shapes if shape.shape_type == 13]
    assert pictures
    for picture in pictures:
        width_px, _ = Image.open(__import__("io").BytesIO(picture.image.blob)).size
        assert abs(width_px / IMAGE_SCALE - picture.width / 914400 * PX_PER_INCH) <= 2
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
    from tandem.cli.whole_database import run
    from tandem.export.sections import weekly_kpis
    from tandem.model import weekly

    _, changes, _ = weekly_kpis(lambda name, **params: run(name, db=small_db, **params), filters(), WEEK)
    titles = [b.title for b in report.sections[0].blocks]
    assert titles[:len(weekly.GROUPS)] == [weekly.takeaway(group, changes) for group in weekly.GROUPS]


def real_names(db) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [n for (n,) in con.execute("select name from reps union all select name from accounts "
                                          "union all select name from contacts").fetchall()]


def test_presentation_mode_leaves_no_real_name(small_db):
    """No rep, account or contact name in any slide's text, table, notes, chart data or the
    file name; every page and the selected deal's evidence and timeline included."""
    from tandem.ui.export_control import file_name

    present = build_report(small_db, filters(True), tuple(PAGES), WEEK, presentation=True,
                           deals={"contested_deals": first_contested_deal(small_db)}, scope=ALL_DATA)
    deck = Presentation(__import__("io").BytesIO(to_pptx(present)))
    written = "\n".join(text for slide in deck.slides for text in texts(slide)) + "\n".join(
        slide.shapes[i].table.cell(r, c).text for slide in deck.slides for i, shape in enumerate(slide.shapes)
        if shape.has_table for r in range(len(shape.table.rows)) for c in range(len(shape.table.columns)))
    written += "\n".join(slide.notes_slide.notes_text_frame.text for slide in deck.slides if slide.has_notes_slide)
    charts = "\n".join(b.figure.to_json() for b in blocks(present) if isinstance(b, Chart))
    name = file_name(list(PAGES), WEEK, WEEK + dt.timedelta(days=7), "pptx")
    names = real_names(small_db)
    assert not [n for n in names if n in written or n in charts or n in name]
    assert "Internal rep" in written and "Account" in written  # the pseudonyms are there
    assert any(b.title.startswith("Why is Deal ") for b in blocks(present))


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
            (["--week", "2026-W46", "--pages", "overview,imports"],
             "error: --pages takes weekly_review, communication, contested_deals, rules_events, conversion, "
             "deal_explorer, "
             "overview, not imports"),
            (["--week", "2026-W46", "--signals", "double_claim,hunch"],
             "error: --signals takes double_claim, out_of_scope, uncoordinated_overlap, not 'double_claim,hunch'"),
            (["--week", "2026-W46", "--overlap-days", "0"], "error: --overlap-days must be 1 or more, not 0"),
            (["--week", "2024-W30"], "error: --week 2024-W30 is outside the data (23 Nov 2024 to 22 Nov 2026)"),
            (["--week", "2026-W46", "--config", str(tmp_path / "none.toml")],
             f"error: report config {tmp_path / 'none.toml'}: no such file"),
            (["--week", "2026-W46", "--out", str(tmp_path / "no" / "x.html")],
             f"error: --out {tmp_path / 'no' / 'x.html'}: no folder {tmp_path / 'no'}")):
        arguments = ["report", "--format", "html", "--out", str(tmp_path / "x.html"), "--db", str(small_db), *args]
        failed = tandem(*arguments)
        assert (failed.returncode, failed.stderr.strip().splitlines()[-1]) == (2, message), args
        assert not (tmp_path / "x.html").exists()


def test_cli_says_when_the_browser_fails(small_db, tmp_path):
    """No Chromium where it is expected: one line, status 1, no file (HTML needs none)."""
    out = tmp_path / "week.pdf"
    failed = subprocess.run([sys.executable, "-m", "tandem", "report", "--week", "2026-W46", "--format", "pdf",
                             "--out", str(out), "--db", str(small_db), "--pages", "weekly_review"],
                            capture_output=True, text=True, cwd=ROOT,
                            env={**__import__("os").environ, "TANDEM_CHROMIUM": str(tmp_path / "no-chromium")})
    assert failed.returncode == 1 and "Traceback" not in failed.stderr, failed.stderr
    assert failed.stderr.strip().splitlines()[-1].startswith("error: the pdf file could not be written (")
    assert not out.exists()


def test_the_conversion_section_is_the_pages(report, small_db):
    """The per-team table is the page's own (conversion.team_rows over team_conversion), and
    each chart's title is its builder's takeaway."""
    from tandem.cli.whole_database import run

    section = next(s for s in report.sections if s.page == "conversion")
    per_team = next(b for b in section.blocks if isinstance(b, Table) and b.title == "Per team")
    teams = run("team_conversion", db=small_db, **filters().params("start", "end", "attribution", "teams", "regions",
                                                                     "segments"))
    assert sorted(per_team.frame["Team"]) == sorted(teams["name"])
    assert list(per_team.frame["Created"]) == [int(teams.set_index("name").loc[n, "created"])
                                               for n in per_team.frame["Team"]]
    assert all(b.title == b.figure.layout.title.text for b in section.blocks if isinstance(b, Chart))


def section(report, page: str):
    return next(s for s in report.sections if s.page == page)


def test_the_communication_section_is_the_pages(report, small_db):
    """Its charts are the page's builders on the page's queries (the team matrix: a rep matrix
    is unreadable on a slide); its silent pairs are the query's rows."""
    from tandem.figures import communication

    blocks_ = section(report, "communication").blocks
    period = filters().params("start", "end", "teams")
    exchanges = run("exchanges_by_week", db=small_db, **period)
    touches = run("customer_touches_by_week", db=small_db, **filters().params("start", "end", "teams", "regions",
                                                                               "segments"))
    pairs = run("cross_team_exchanges_by_rep_pair", db=small_db, **period)
    expected = [communication.weekly_volumes(exchanges, "exchanges", WEEK, filters().end)[1],
                communication.coordination_ratio(exchanges, touches, WEEK, filters().end)[1],
                communication.pair_matrix(pairs, "all", True)[1], communication.initiator_shares(pairs)[1]]
    assert [b.title for b in blocks_ if isinstance(b, Chart)] == expected
    silent = run("silent_pairs", db=small_db, max_exchanges=1,
                 **filters().params("start", "end", "teams", "regions", "segments"))
    (table,) = [b for b in blocks_ if isinstance(b, Table)]
    assert table.title == communication.silent_pairs_title(len(silent), 1)
    assert list(table.frame["Internal rep"]) == list(silent["internal_rep_name"])
    assert list(table.frame["Shared accounts"]) == list(silent["shared_accounts"])


def test_the_selected_deal_closes_the_contested_section(report, small_db):
    """Why it is contested (the page's sentences, without their markdown) and its timeline."""
    from tandem.model import contest

    deal = first_contested_deal(small_db)
    why, timeline = section(report, "contested_deals").blocks[-2:]
    end = filters().params("end")["end"]
    record = run("deal_record", db=small_db, deal_id=deal, end=end, lookback_days=30).iloc[0]
    assert isinstance(why, Note) and why.title == f"Why is {record['deal_name']} contested?"
    lines = why.text.split("\n")
    assert lines[0] == contest.deal_line(record)[1]
    assert len(lines) > 1 and not any("**" in line for line in lines)
    assert isinstance(timeline, Chart) and timeline.title.startswith(record["deal_name"])


def test_the_deals_and_overview_sections_are_the_pages(report, small_db):
    from tandem.model import deal_search
    from tandem.model.deal_search import DealFilters

    params = {**filters().params("start", "end", "attribution", "teams", "regions", "segments"),
              **DealFilters().params(ContestRules())}
    totals = run("matching_deal_totals", db=small_db, **params)
    total = totals[totals["breakdown"] == "total"]
    deals = run("matching_deals", db=small_db, **params, limit=MAX_TABLE_ROWS)
    (table,) = [b for b in section(report, "deal_explorer").blocks if isinstance(b, Table)]
    count = int(total["deals"].sum())
    assert table.title == deal_search.count_sentence(count, float(total["amount"].sum()), count).rstrip(".")
    assert list(table.frame["Deal"]) == list(deals["deal_name"]) and table.total == count
    assert table.more == max(count - MAX_TABLE_ROWS, 0)

    counts = run("table_row_counts", db=small_db)
    overview = section(report, "overview").blocks
    assert list(overview[0].frame["Table"]) == list(counts["table_name"])
    assert list(overview[0].frame["Rows"]) == [f"{n:,}" for n in counts["row_count"]]
    assert [b.title for b in overview[1:]] == [b.figure.layout.title.text for b in overview[1:]]


def test_the_branding_file(tmp_path, monkeypatch):
    monkeypatch.delenv("TANDEM_REPORT_CONFIG", raising=False)
    monkeypatch.setattr(branding, "DEFAULT_PATH", tmp_path / "absent.toml")
    assert branding.load() == branding.Branding()  # no file: "Tandem report", no logo
    config = tmp_path / "report.toml"
    (tmp_path / "logo.png").write_bytes(PNG)
    config.write_text('[report]\nclient = "Acme Industries"\nlogo = "logo.png"\n')
    assert branding.load(config) == branding.Branding("Acme Industries", PNG)
    monkeypatch.setenv("TANDEM_REPORT_CONFIG", str(config))
    assert branding.load() == branding.Branding("Acme Industries", PNG)
    for text, message in (('[report]\nclient = "Acme"\nlogo = "none.png"', "no such file"),
                          ('[report]\nclient = "Acme"\nlogo = "report.toml"', "must be a PNG or JPEG"),
                          ('[report]\nclient = ""', "client must be a name"),
                          ('[report]\ncolour = "red"', "unknown key colour"),
                          ("[report\n", "report config")):
        config.write_text(text)
        with pytest.raises(ValueError, match=message):
            branding.load(config)
    with pytest.raises(ValueError, match="no such file"):
        branding.load(tmp_path / "absent.toml")
