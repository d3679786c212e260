"""A report as an offline HTML file, a PDF (Chromium prints the HTML) or a 16:9 slide deck."""

from __future__ import annotations

import base64
import concurrent.futures
import html
import io
import math
import os
import textwrap
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import plotly.offline
from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from tandem.data.progress import Progress, silent
from tandem.export.branding import image_kind
from tandem.export.content import Chart, Note, Report, Table
from tandem.figures import style

CHROMIUM = os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium")
FORMATS = ("pptx", "pdf", "html")
# a chart's picture on a slide is laid out at the size of its room on the slide, PX_PER_INCH,
# so that its TEXT_PX text reads 14 pt, and drawn at IMAGE_SCALE times that for a sharp projector
TEXT_PX = 16
PX_PER_INCH = TEXT_PX / (14 / 72)
IMAGE_SCALE = 2
TITLE_CHARACTERS = 50  # characters per line of a 28 pt bold title across the slide (measured: LibreOffice)

CSS = """
@page { size: A4 landscape; margin: 12mm 12mm 16mm 12mm; }
body { font-family: "Source Sans Pro", "Helvetica Neue", Arial, sans-serif; color: #262730; margin: 0 auto;
       max-width: 1200px; padding: 16px; }
h1 { font-size: 30px; margin: 0 0 8px; } h2 { font-size: 22px; margin: 28px 0 6px; }
.section { break-before: page; } .block { break-inside: avoid; margin-bottom: 18px; }
.meta { color: #555; font-size: 15px; line-height: 1.5; } .caption { color: #666; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; } th, td { border: 1px solid #ddd; padding: 4px 8px; }
th { background: #f4f4f6; text-align: left; } td.number { text-align: right; }
img.logo { max-height: 72px; max-width: 320px; margin-bottom: 8px; }
"""


def _title_lines(report: Report) -> tuple[str, ...]:
    """Under the title: the period, the filters in words, the data and when the report was built."""
    return (report.period, report.filters, report.source, f"Report built {report.built_at:%d %b %Y %H:%M}")


def _for_export(figure: go.Figure) -> go.Figure:
    """A copy of a page's chart for a report: on white (the dashboard's theme is Streamlit's,
    not the figure's), without its own title (the slide or section heading is the takeaway),
    with every text at least TEXT_PX (the pages' smaller labels included) for a projector."""
    copy = style.copy_of(style.without_links(figure))
    # the figure's margins, less the room of its title at the top (labels above the plot keep theirs)
    margin = {side: getattr(figure.layout.margin, side) for side in ("t", "l", "r", "b")}
    margin = {side: 10 if value is None else value for side, value in margin.items()}
    margin["t"] = max(30, margin["t"] - 40)
    copy.update_layout(template="plotly_white", title=None, font={"size": TEXT_PX}, legend_font_size=TEXT_PX,
                       margin=margin)
    for annotation in copy.layout.annotations:
        annotation.font.size = max(annotation.font.size or 0, TEXT_PX)
    for trace in copy.data:
        if "textfont" in trace and trace.textfont.size is not None:
            trace.textfont.size = max(trace.textfont.size, TEXT_PX)
    return copy


def _cell(value) -> str:
    return "—" if value is None or (isinstance(value, float) and value != value) else str(value)


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.shown.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
                   for row in table.shown.itertuples(index=False))
    more = f"<p class='caption'>and {table.more:,} more</p>" if table.more else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def to_html(report: Report) -> str:
    """One self-contained file: plotly.js embedded once, every chart interactive offline."""
    logo = (f"<img class='logo' alt='logo' src='data:image/{image_kind(report.logo)};base64,"
            f"{base64.b64encode(report.logo).decode()}'>" if report.logo else "")
    parts = [f"{logo}<h1>{html.escape(report.title)}</h1>",
             "<p class='meta'>" + "<br>".join(html.escape(t) for t in _title_lines(report)) + "</p>"]
    for section in report.sections:
        parts.append(f"<div class='section'><h1>{html.escape(section.title)}</h1>"
                     f"<p class='meta'>{html.escape(section.subtitle)}</p>")
        for block in section.blocks:
            parts.append(f"<div class='block'><h2>{html.escape(block.title)}</h2>")
            if isinstance(block, Chart):
                parts.append(pio.to_html(_for_export(block.figure), full_html=False, include_plotlyjs=False,
                                         config={"displaylogo": False, "responsive": True}))
            elif isinstance(block, Table):
                parts.append(_table_html(block))
            elif isinstance(block, Note):
                parts.append("".join(f"<p>{html.escape(line)}</p>" for line in block.text.split("\n")))
            if getattr(block, "caption", ""):
                parts.append(f"<p class='caption'>{html.escape(block.caption)}</p>")
            parts.append("</div>")
        parts.append("</div>")
    parts.append("<div class='section'><h1>Definitions</h1><ul>"
                 + "".join(f"<li>{html.escape(d)}</li>" for d in report.definitions) + "</ul></div>")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(report.title)}: {html.escape(report.period)}</title><style>{CSS}</style>"
            f"<script>{plotly.offline.get_plotlyjs()}</script></head><body>{''.join(parts)}</body></html>")


def to_pdf(report: Report, progress: Progress = silent) -> bytes:
    """The HTML report printed by Chromium: A4 landscape, the filters and the page number in
    every page's footer."""
    page_html = to_html(report)
    charts = sum(isinstance(b, Chart) for s in report.sections for b in s.blocks)
    footer = (f"<div style='font-size:8px;width:100%;padding:0 12mm;color:#555;display:flex;"
              f"justify-content:space-between'><span>{html.escape(report.title)} · {html.escape(report.period)} · "
              f"{html.escape(report.filters)}</span><span>page <span class='pageNumber'></span> of "
              f"<span class='totalPages'></span></span></div>")
    progress(0.3, "printing the PDF")
    # in a thread of its own: Playwright's sync API refuses to run where an event loop runs
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(_print, page_html, charts, footer).result()


def _print(page_html: str, charts: int, footer: str) -> bytes:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.set_content(page_html, wait_until="load")
            page.wait_for_function(f"document.querySelectorAll('.main-svg').length >= {charts}", timeout=60_000)
            return page.pdf(format="A4", landscape=True, print_background=True, display_header_footer=True,
                            header_template="<div></div>", footer_template=footer,
                            margin={"top": "12mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})
        finally:
            browser.close()


SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 16:9, 13.33 x 7.5 in
MARGIN = Inches(0.5)
CONTENT_W = SLIDE_W - 2 * MARGIN
CAPTION_TOP = Inches(6.75)  # a caption's line, at the foot of the slide
TABLE_ROW_H = Inches(0.34)  # one line of 14 pt text and the cell's margins
LINE_H = Pt(14 * 1.2)  # each further line of a wrapped cell
CHAR_W = Pt(14) * 0.62  # the mean width of a character of 14 pt text (DejaVu Sans; Calibri is narrower)
CELL_PAD = Inches(0.2)  # a cell's left and right margins


def _title_line_count(title: str) -> int:
    return len(textwrap.wrap(title, TITLE_CHARACTERS)) or 1


def _content_top(title: str) -> int:
    """Where a slide's content starts: under its title, however many lines that takes."""
    return Inches(0.45) + Inches(0.5) * _title_line_count(title)


def _chart_room(chart: Chart) -> tuple[int, int]:
    """The top and the height of a chart's picture: from under the title down to the caption."""
    top = _content_top(chart.title)
    return top, CAPTION_TOP - Inches(0.05) - top


def _column_widths(shown, total: int) -> list[int]:
    """Each column as wide as its longest text (at most 40 characters); when they need more
    than `total`, the widest are narrowed to one cap (their text wraps), the others kept
    whole; spare width is shared in proportion."""
    needed = [CHAR_W * min(max([len(str(name))] + [len(_cell(v)) for v in shown[name]]), 40) + CELL_PAD
              for name in shown.columns]
    if sum(needed) <= total:
        return [int(width * total / sum(needed)) for width in needed]
    cap, left = max(needed), total  # the one width the widest columns are narrowed to
    for count, width in enumerate(sorted(needed)):
        if width * (len(needed) - count) > left:
            cap = left / (len(needed) - count)
            break
        left -= width
    return [int(min(width, cap)) for width in needed]


def _rows_that_fit(shown, widths: list[int], room: int) -> int:
    """How many of the rows fit in `room` under the header, each as tall as its most
    wrapped cell (estimated from the characters per line of its column)."""
    used = TABLE_ROW_H  # the header
    for count, values in enumerate(shown.itertuples(index=False)):
        lines = max(math.ceil(len(_cell(v)) / max((w - CELL_PAD) / CHAR_W, 1)) for v, w in zip(values, widths))
        used += TABLE_ROW_H + LINE_H * (max(lines, 1) - 1)
        if used > room:
            return count
    return len(shown)


def _images(report: Report, progress: Progress) -> dict[int, bytes]:
    """Every chart as a PNG of its room on its slide, rendered by kaleido in one Chromium session."""
    import kaleido

    os.environ.setdefault("BROWSER_PATH", CHROMIUM)  # kaleido drives the system Chromium, no download
    charts = [b for s in report.sections for b in s.blocks if isinstance(b, Chart)]
    if not charts:
        return {}
    kaleido.start_sync_server(silence_warnings=True)
    try:
        images = {}
        for number, chart in enumerate(charts):
            progress(0.1 + 0.7 * number / len(charts), f"drawing chart {number + 1} of {len(charts)}")
            _, height = _chart_room(chart)
            opts = {"format": "png", "width": round(CONTENT_W / Inches(1) * PX_PER_INCH),
                    "height": round(height / Inches(1) * PX_PER_INCH), "scale": IMAGE_SCALE}
            try:
                images[id(chart)] = kaleido.calc_fig_sync(_for_export(chart.figure), opts=opts)
            except Exception:  # noqa: BLE001 (a browser hiccup under load, seen once: a fresh Chromium, once more)
                kaleido.stop_sync_server(silence_warnings=True)
                kaleido.start_sync_server(silence_warnings=True)
                images[id(chart)] = kaleido.calc_fig_sync(_for_export(chart.figure), opts=opts)
        return images
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def _text(slide, left, top, width, height, text: str, size: int, bold: bool = False, colour=None,
          spacing: int = 0):
    """A text box, one paragraph per line of `text`, `spacing` points between paragraphs."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for number, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
        if number and spacing:
            paragraph.space_before = Pt(spacing)
        run = paragraph.add_run()  # sizes on the runs: PowerPoint ignores a paragraph's default
        run.text = line
        run.font.size = Pt(size)
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = colour
    return box


def _table(slide, block: Table, top: int) -> int:
    """A native table of the rows that fit above the caption; returns how many rows are left out."""
    widths = _column_widths(block.shown, CONTENT_W)
    shown = block.shown.head(_rows_that_fit(block.shown, widths, CAPTION_TOP - Inches(0.1) - top))
    rows, columns = len(shown) + 1, len(shown.columns)
    table = slide.shapes.add_table(rows, columns, MARGIN, top, CONTENT_W, TABLE_ROW_H * rows).table
    for column, column_width in enumerate(widths):
        table.columns[column].width = column_width
    for column, name in enumerate(shown.columns):
        table.cell(0, column).text = str(name)
    for row, values in enumerate(shown.itertuples(index=False), start=1):
        for column, value in enumerate(values):
            table.cell(row, column).text = _cell(value)
    for row in range(rows):
        table.rows[row].height = TABLE_ROW_H
        for column in range(columns):
            for paragraph in table.cell(row, column).text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(14)
    return block.more + len(block.shown) - len(shown)


def to_pptx(report: Report, progress: Progress = silent) -> bytes:
    """A 16:9 deck: a title slide, a slide per section, per chart (its takeaway as the title,
    the chart as a picture, the caption under it), per table (a native table) and per note, and
    a closing slide of definitions. Titles 28 pt or more, body 14 pt or more."""
    from pptx.dml.color import RGBColor

    grey = RGBColor(0x55, 0x55, 0x55)
    images = _images(report, progress)
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_W, SLIDE_H
    blank = deck.slide_layouts[6]
    width = CONTENT_W

    slide = deck.slides.add_slide(blank)
    if report.logo:
        logo = slide.shapes.add_picture(io.BytesIO(report.logo), MARGIN, Inches(0.6), height=Inches(1.2))
        if logo.width > Inches(4):  # a wide logo: at most 4 in across
            logo.height, logo.width = Emu(int(logo.height * Inches(4) / logo.width)), Inches(4)
    _text(slide, MARGIN, Inches(2.2), width, Inches(1.2), report.title, 40, bold=True)
    _text(slide, MARGIN, Inches(3.5), width, Inches(2.5), "\n".join(_title_lines(report)), 18, colour=grey)
    for section in report.sections:
        slide = deck.slides.add_slide(blank)
        _text(slide, MARGIN, Inches(2.8), width, Inches(1.0), section.title, 36, bold=True)
        _text(slide, MARGIN, Inches(3.8), width, Inches(1.0), section.subtitle, 20, colour=grey)
        for block in section.blocks:
            slide = deck.slides.add_slide(blank)
            _text(slide, MARGIN, Inches(0.3), width, Inches(0.5) * _title_line_count(block.title), block.title, 28,
                  bold=True)
            top = _content_top(block.title)
            caption = getattr(block, "caption", "")
            if isinstance(block, Chart):
                top, room = _chart_room(block)
                picture = slide.shapes.add_picture(io.BytesIO(images[id(block)]), MARGIN, top, width=width)
                if picture.height > room:  # drawn for this room: only rounding can overflow it
                    scale = room / picture.height
                    picture.height, picture.width = Emu(int(picture.height * scale)), Emu(int(picture.width * scale))
                    picture.left = int((SLIDE_W - picture.width) / 2)
            elif isinstance(block, Table):
                more = _table(slide, block, top)
                if more:
                    caption = f"and {more:,} more" + (f" · {caption}" if caption else "")
            elif isinstance(block, Note):
                # a long note (a deal's evidence) at 16 pt, to fit the slide
                long = len(block.text) > 600 or block.text.count("\n") > 6
                _text(slide, MARGIN, top + Inches(0.1), width, CAPTION_TOP - top, block.text, 16 if long else 20,
                      spacing=8)
            if caption:
                _text(slide, MARGIN, CAPTION_TOP, width, Inches(0.5), caption, 14, colour=grey)
    slide = deck.slides.add_slide(blank)
    _text(slide, MARGIN, Inches(0.3), width, Inches(1.0), "Definitions", 28, bold=True)
    _text(slide, MARGIN, Inches(1.35), width, Inches(5.8), "\n".join(f"• {d}" for d in report.definitions), 14,
          spacing=6)
    progress(0.95, "writing the deck")
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def render(report: Report, kind: str, progress: Progress = silent) -> bytes:
    """The report as the bytes of a file of `kind` (FORMATS)."""
    data = {"html": lambda: to_html(report).encode("utf-8"), "pdf": lambda: to_pdf(report, progress),
            "pptx": lambda: to_pptx(report, progress)}[kind]()
    progress(1.0, "done")
    return data


def write(report: Report, kind: str, path: str | os.PathLike, progress: Progress = silent) -> Path:
    path = Path(path)
    path.write_bytes(render(report, kind, progress))
    return path
