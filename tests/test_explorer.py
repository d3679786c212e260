"""The Deals page (deal explorer): its queries on the hand-built fixture with exact counts
and totals, the literal text search, the row limit, the downloads, the URL parsing, the
saved views, and the page in AppTest.

The database is tests/fixtures/summary (worked out by hand in tests/test_summary.py)
with only the deals' names, products and lead sources replaced, to give the search
quotes, % and _ to find. Week 2025-W10 [3 Mar, 10 Mar 2025), as of 10 Mar: the active
deals are d1 won 100,000 (stage won), d8 won 60,000 (won), d3 open 50,000 (qualified),
d5 open 40,000 (it closes at the end: proposal), d2 lost 20,000 (lost) and d7 open
5,000 (proposal): 6 deals, 275,000. d4 (created at the end) and d6 (lost before the
start) are not active. Contested under the default rule: d1, d2, d3 (test_contested).
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tandem.cli.whole_database import run
from tandem.data.importer import import_folder
from tandem.figures import deals
from tandem.model import deal_search, pseudonyms, wording
from tandem.model.deal_search import DealFilters, DealOptions
from tandem.model.filters import ContestRules, Filters
from tandem.ui import widgets
from tests.apptest import dashboard_on, open_page_on_week

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "summary"
WEEK = dict(start=dt.datetime(2025, 3, 3), end=dt.datetime(2025, 3, 10))
GLOBAL = dict(attribution="owner", teams=[], regions=[], segments=[])
NAMES = {  # deal_id: (name, product, lead_source)
    "d1": ("Acme 100% upgrade", "Core", "event"),
    "d2": ("Rock_Solid deal", "Core", "referral"),
    "d3": ('O\'Brien "big" renewal', "Addon", "web"),
    "d4": ("Created at the end", "Core", "web"),
    "d5": ("Plain deal five", "Addon", None),
    "d6": ("Lost before the start", "Core", "event"),
    "d7": ("Name with ' or 1=1 --", None, "web"),
    "d8": ("Closing 50% off", "Core", "event"),
}
ALL = ["d1", "d8", "d3", "d5", "d2", "d7"]  # by amount, largest first


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("explorer") / "fixture"
    shutil.copytree(FIXTURE, folder)
    deals = pd.read_csv(folder / "deals.csv", dtype=str, keep_default_na=False)
    for column, index in (("name", 0), ("product", 1), ("lead_source", 2)):
        deals[column] = deals["deal_id"].map(lambda d: NAMES[d][index] or "")
    deals.to_csv(folder / "deals.csv", index=False)
    path = folder.parent / "explorer.duckdb"
    assert import_folder(folder, path).ok
    return path


def matching(db, limit: int = widgets.ROW_LIMIT, global_filters: dict | None = None, rules=ContestRules(),
             **page) -> tuple[pd.DataFrame, pd.DataFrame]:
    params = {**WEEK, **(global_filters or GLOBAL), **DealFilters(**page).params(rules)}
    return run("matching_deals", db=db, limit=limit, **params), run("matching_deal_totals", db=db, **params)


def total(totals: pd.DataFrame) -> tuple[int, float]:
    row = totals[totals["breakdown"] == "total"].iloc[0]
    return int(row["deals"]), float(row["amount"])


# --- queries ------------------------------------------------------------------------------

@pytest.mark.parametrize("page, global_filters, ids, amount", [
    ({}, None, ALL, 275_000),
    ({"statuses": ("open",)}, None, ["d3", "d5", "d7"], 95_000),  # d5 closes at the end: open then
    ({"statuses": ("won", "lost")}, None, ["d1", "d8", "d2"], 180_000),
    ({"stages": ("proposal",)}, None, ["d5", "d7"], 45_000),  # d5's change to won is at the end
    ({"stages": ("lead",)}, None, [], 0),
    ({"min_amount": 20_000, "max_amount": 50_000}, None, ["d3", "d5", "d2"], 110_000),  # both ends included
    ({"min_amount": 50_000}, None, ["d1", "d8", "d3"], 210_000),
    ({"max_amount": 19_999.5}, None, ["d7"], 5_000),
    ({"products": ("Core",)}, None, ["d1", "d8", "d2"], 180_000),
    ({"products": ("Addon",), "lead_sources": ("web",)}, None, ["d3"], 50_000),
    ({"lead_sources": ("web",)}, None, ["d3", "d7"], 55_000),  # d7 has no product, still a web lead
    ({"owners": ("ia2",)}, None, ["d3", "d7"], 55_000),
    ({"sources": ("ey1",)}, None, ["d8", "d3"], 110_000),
    ({"owners": ("ia1",), "sources": ("ey1",)}, None, ["d8"], 60_000),
    ({"contested": True}, None, ["d1", "d3", "d2"], 170_000),
    ({"contested": True, "statuses": ("won",)}, None, ["d1"], 100_000),
    ({"search": "north"}, None, ["d1", "d5", "d7"], 145_000),  # account names Northwind and Northern
    ({}, dict(GLOBAL, teams=["int-a"]), ["d1", "d8", "d3", "d7"], 215_000),
    ({}, dict(GLOBAL, attribution="source", teams=["ext-x"]), ["d1", "d2", "d7"], 125_000),
    ({}, dict(GLOBAL, regions=["North"]), ["d1", "d5", "d7"], 145_000),
    ({"statuses": ("open",)}, dict(GLOBAL, segments=["smb"]), ["d3", "d5", "d7"], 95_000),
])
def test_filter_combinations(db, page, global_filters, ids, amount):
    rows, totals = matching(db, global_filters=global_filters, **page)
    assert rows["deal_id"].tolist() == ids
    assert total(totals) == (len(ids), amount)


def test_contested_signals_choice(db):
    rows, totals = matching(db, contested=True, rules=ContestRules(signals=("uncoordinated_overlap",)))
    assert rows["deal_id"].tolist() == ["d3"] and total(totals) == (1, 50_000)
    assert rows[["double_claim", "out_of_scope", "uncoordinated_overlap"]].iloc[0].tolist() == [False, False, True]
    rows, _ = matching(db, contested=True)
    assert rows[["double_claim", "out_of_scope", "uncoordinated_overlap"]].values.tolist() == [
        [True, True, False], [False, False, True], [False, True, False]]  # d1, d3, d2
    rows, _ = matching(db)  # signals are not computed unless the contested filter is on
    assert rows["double_claim"].isna().all()


@pytest.mark.parametrize("search, ids", [
    ("%", ["d1", "d8"]),
    ("0%", ["d1", "d8"]),
    ("100%", ["d1"]),
    ("%%", []),
    ("x%", []),
    ("_", ["d2"]),
    ("k_S", ["d2"]),
    ("k%S", []),
    ("'", ["d3", "d7"]),
    ('"', ["d3"]),
    ('"big"', ["d3"]),
    ("' or 1=1 --", ["d7"]),
    ("' or '1'='1", []),
    ("'; drop table deals; --", []),
    ("ACME", ["d1"]),
    ("  ", []),  # only spaces, taken literally by the query (the page strips them)
    ("", ALL),
])
def test_text_search_matches_literally(db, search, ids):
    rows, totals = matching(db, search=search)
    assert rows["deal_id"].tolist() == ids
    assert total(totals)[0] == len(ids)
    assert len(matching(db)[0]) == 6  # and the deals are all still there


@pytest.mark.parametrize("limit", [1, 2, 5, 6, 7])
def test_row_limit_never_exceeded_while_totals_stay_exact(db, limit):
    rows, totals = matching(db, limit=limit)
    assert rows["deal_id"].tolist() == ALL[:limit]
    assert total(totals) == (6, 275_000)
    breakdowns = totals[totals["breakdown"] != "total"]
    for breakdown in ("stage", "team", "month"):
        assert breakdowns.loc[breakdowns["breakdown"] == breakdown, "amount"].sum() == 275_000


def test_breakdowns_by_stage_team_and_month(db):
    _, totals = matching(db)
    def part(name):
        rows = totals[totals["breakdown"] == name]
        return list(zip(rows["label"], rows["deals"], rows["amount"]))
    assert part("stage") == [("qualified", 1, 50_000), ("proposal", 2, 45_000), ("won", 2, 160_000),
                             ("lost", 1, 20_000)]
    assert sorted(part("team")) == [("Agency X", 1, 20_000), ("Agency Y", 1, 40_000), ("Inside A", 4, 215_000)]
    assert part("month") == [("2025-01-01", 1, 50_000), ("2025-02-01", 3, 200_000), ("2025-03-01", 2, 25_000)]
    _, by_source = matching(db, global_filters=dict(GLOBAL, attribution="source"))
    rows = by_source[by_source["breakdown"] == "team"]
    assert sorted(zip(rows["label"], rows["deals"])) == [("Agency X", 3), ("Agency Y", 2), ("Inside A", 1)]
    _, nothing = matching(db, search="no such deal")
    assert total(nothing) == (0, 0)


def test_filter_options(db):
    options = DealOptions.from_frame(run("deal_filter_options", db=db))
    assert options.products == ("Addon", "Core")
    assert options.lead_sources == ("event", "referral", "web")
    assert options.owners["ia2"] == "Ines Arno (Inside A)"
    assert set(options.sources) == {"ex1", "ex2", "ey1", "ia2"}


# --- downloads ----------------------------------------------------------------------------

LINES = [("Deals", "the active deals of the period, as of its end"), ("Period", "test")]
HEADERS = ["Deal id", "Deal", "Account", "Amount (EUR)", "Status", "Stage", "Team", "Owner", "Source rep", "Region",
           "Segment", "Product", "Lead source", "Created", "Closed"]


def downloaded(db, maps=None, **page) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, _ = matching(db, limit=deal_search.DOWNLOAD_LIMIT, **page)
    if maps is not None:
        rows = pseudonyms.pseudonymise(rows, maps)
    return rows, deals.table(rows, page.get("contested", False))


@pytest.mark.parametrize("page", [{}, {"statuses": ("open",)}, {"contested": True}, {"search": "%"}])
def test_downloads_contain_exactly_the_filtered_rows(db, page):
    """A plain read_csv reads the CSV (first row: the header, in words); the Excel file's
    first sheet starts at the same header, and its "Filters" sheet states the filters."""
    rows, frame = downloaded(db, **page)
    headers = HEADERS[:6] + ["Signals"] + HEADERS[6:] if page.get("contested") else HEADERS
    for sheet in (pd.read_csv(io.BytesIO(deals.csv_bytes(frame))),
                  pd.read_excel(io.BytesIO(deals.xlsx_bytes(frame, LINES)))):
        assert sheet.columns.tolist() == headers
        assert sheet["Deal id"].tolist() == rows["deal_id"].tolist()
        assert sheet["Deal"].tolist() == rows["deal_name"].tolist()
        assert sheet["Amount (EUR)"].tolist() == rows["amount"].tolist()
        assert sheet["Status"].tolist() == rows["status"].str.capitalize().tolist()
        assert pd.to_datetime(sheet["Created"]).tolist() == rows["created_at"].tolist()
        if page.get("contested"):
            assert sheet["Signals"].tolist() == ["double claim, out of scope", "uncoordinated overlap", "out of scope"]
    every = pd.read_csv(io.BytesIO(deals.csv_bytes(downloaded(db)[1])))
    assert every["Segment"].tolist() == ["Enterprise", "SMB", "SMB", "SMB", "SMB", "SMB"]  # d1 d8 d3 d5 d2 d7
    assert every["Region"].tolist() == ["North", "South", "South", "North", "South", "North"]
    assert every["Lead source"].fillna("").tolist() == ["Event", "Event", "Web", "", "Referral", "Web"]
    assert every["Product"].isna().tolist() == [False, False, False, False, False, True]  # empty, never "None"
    assert every["Stage"].tolist() == ["Won", "Won", "Qualified", "Proposal", "Lost", "Proposal"]


def test_excel_filters_sheet(db):
    _, frame = downloaded(db)
    workbook = pd.read_excel(io.BytesIO(deals.xlsx_bytes(frame, LINES)), sheet_name=None)
    assert list(workbook) == ["Deals", "Filters"]
    filters = workbook["Filters"]
    assert filters.columns.tolist() == ["Filter", "Value"]
    assert filters.values.tolist()[:2] == [list(line) for line in LINES]
    assert filters.iloc[2, 0] == "Exported at"
    exported = dt.datetime.strptime(filters.iloc[2, 1], "%Y-%m-%d %H:%M")
    assert abs(exported - dt.datetime.now()) < dt.timedelta(minutes=2)
    assert len(workbook["Deals"]) == 6


def test_downloads_in_presentation_mode_hide_names(db):
    maps = pseudonyms.pseudonym_maps(run("name_pseudonyms", db=db))
    _, frame = downloaded(db, maps=maps)
    files = deals.csv_bytes(frame).decode() + pd.read_excel(io.BytesIO(deals.xlsx_bytes(frame, LINES))).to_csv()
    for table in ("reps", "accounts"):
        for name in pd.read_csv(FIXTURE / f"{table}.csv")["name"]:
            assert name not in files
    for name, _, _ in NAMES.values():
        assert name not in files
    assert "Deal d1" in files and "Internal rep" in files


def test_describe_states_every_filter():
    filters = Filters(start=dt.date(2026, 8, 31), end=dt.date(2026, 11, 23), teams=("int-a",))
    options = DealOptions(owners={"ia1": "Ivo Alder (Inside A)"})
    text = deal_search.describe(filters, DealFilters(statuses=("won",), min_amount=1000, owners=("ia1",), search="acme",
                                                  contested=True),
                             ContestRules(signals=("double_claim",)), {"int-a": "Inside A"}, options)
    assert text == ("period 2026-08-31 to 2026-11-23 (end excluded), active deals as of the end · "
                    "teams by owner: Inside A · regions: all · segments: all · status: won · stage: all · "
                    "amount (EUR): at least 1,000 · owner: Ivo Alder (Inside A) · contested only (double claim; "
                    "lookback 30 days, overlap 7 days) · search: 'acme'")


def test_count_sentence_tells_when_rows_are_cut():
    assert deal_search.count_sentence(12345, 1e6, 2000) == (
        "12,345 matching deals, 1,000,000 EUR in total. Showing the first 2,000 of 12,345 matching deals (ordered by "
        "amount, largest first); narrow the filters, or download all of them.")
    assert deal_search.count_sentence(1, 5, 1) == "1 matching deal, 5 EUR in total."
    assert deal_search.count_sentence(0, 0, 0) == "No deal matches these filters."


# --- URL and saved views ------------------------------------------------------------------

OPTIONS = DealOptions(products=("Core", "Addon"), lead_sources=("web",), owners={"ia1": "Ivo"}, sources={"ex1": "Xan"})


@pytest.mark.parametrize("url, expected, notices", [
    ({}, DealFilters(), 0),
    ({"status": ["won", "open"], "stage": ["lost"], "min_amount": ["1000"], "max_amount": ["2,500.5"],
      "product": ["Core"], "lead_source": ["web"], "owner": ["ia1"], "source": ["ex1"], "contested": ["1"],
      "q": ["' or 1=1 --"]},
     DealFilters(("won", "open"), ("lost",), 1000.0, 2500.5, ("Core",), ("web",), ("ia1",), ("ex1",), True,
                 "' or 1=1 --"), 0),
    ({"status": ["closed", "won"], "stage": ["<script>"]}, DealFilters(statuses=("won",)), 2),
    ({"min_amount": ["-5"], "max_amount": ["lots"]}, DealFilters(), 2),
    ({"min_amount": ["nan"], "max_amount": ["inf"]}, DealFilters(), 2),
    ({"min_amount": ["1e300"], "max_amount": ["1_000"]}, DealFilters(), 2),
    ({"min_amount": ["5000"], "max_amount": ["100"]}, DealFilters(), 1),
    ({"min_amount": ["5000"]}, DealFilters(min_amount=5000.0), 0),
    ({"q": ["x" * 5000]}, DealFilters(), 1),
    ({"q": ["  acme  "]}, DealFilters(search="acme"), 0),
    ({"contested": ["yes"], "owner": ["nobody"], "product": ["Other"]}, DealFilters(), 3),
])
def test_from_url(url, expected, notices):
    filters, said = deal_search.from_url(url, OPTIONS)
    assert filters == expected
    assert len(said) == notices


def test_url_round_trip():
    filters = DealFilters(("won",), ("lost",), 1000.0, 2500.5, ("Core",), ("web",), ("ia1",), ("ex1",), True, "a&b=c")
    url = {k: v if isinstance(v, list) else [v] for k, v in filters.to_url().items()}
    assert deal_search.from_url(url, OPTIONS) == (filters, [])
    assert DealFilters().to_url() == {}


def test_contested_filter_off_shares_the_default_rule_cache():
    assert DealFilters().params(ContestRules(signals=("double_claim",)))["signals"] == []
    assert DealFilters(contested=True).params(ContestRules(signals=("double_claim",)))["signals"] == ["double_claim"]


@pytest.mark.parametrize("name, refusal", [
    ("Big deals", None), ("", "Give the view a name."), ("   ", "Give the view a name."),
    ("Mine", "There is already a view named 'Mine': choose another name."),
    ("x" * 61, "A view's name has at most 60 characters."),
])
def test_save_view(name, refusal):
    before = {"Mine": "deal_explorer?status=won"}
    views, said = deal_search.save_view(before, name, "deal_explorer?q=a")
    assert said == refusal
    assert views == (before if refusal else {**before, name: "deal_explorer?q=a"})


def test_view_names_are_escaped_in_markdown():
    assert wording.literal("[x](javascript:alert(1)) **b** :material/home: $x$") == (
        r"\[x\](javascript\:alert(1)) \*\*b\*\* \:material/home\: \$x\$")


# --- the page -----------------------------------------------------------------------------

@pytest.fixture
def page(db, monkeypatch):
    dashboard_on(db, monkeypatch)

    def open_page(session: dict | None = None, **page_params) -> AppTest:
        return open_page_on_week("deal_explorer", session, **page_params)

    return open_page


def url(at: AppTest) -> dict:
    """The page's own URL parameters as the run left them for `state.sync_url` (AppTest's
    query_params only show what the test set)."""
    return at.session_state["page_url_params"]


def metrics(at: AppTest) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def test_page_all_deals(page):
    at = page()
    assert metrics(at) == [("Matching deals", "6"), ("Their total amount (EUR)", "275,000")]
    assert at.dataframe[0].value["deal_name"].tolist() == [NAMES[d][0] for d in ALL]
    grid = at.dataframe[0]  # the columns that fit 1440 px, codes as words, a dash for empty cells
    assert list(grid.proto.column_order) == ["deal_name", "account_name", "amount", "stage", "team_name",
                                             "owner_rep_name", "source_rep_name", "created_at"]
    assert grid.value["stage"].tolist() == ["Won", "Won", "Qualified", "Proposal", "Lost", "Proposal"]
    assert grid.proto.placeholder == "—"
    assert len(at.get("plotly_chart")) == 3
    assert not at.warning


def test_page_filters_from_the_url(page):
    at = page(status="open", q="'", stage="proposal")
    assert metrics(at) == [("Matching deals", "1"), ("Their total amount (EUR)", "5,000")]  # d7
    assert at.multiselect(key="deals_statuses").value == ["open"]
    assert at.text_input(key="deals_search").value == "'"
    assert url(at) == {"q": "'", "status": ["open"], "stage": ["proposal"]}


def test_page_filter_changed_by_the_user(page):
    at = page()
    at.multiselect(key="deals_statuses").set_value(["won", "lost"]).run()
    assert metrics(at) == [("Matching deals", "3"), ("Their total amount (EUR)", "180,000")]
    at.toggle(key="deals_contested").set_value(True).run()
    assert metrics(at) == [("Matching deals", "2"), ("Their total amount (EUR)", "120,000")]  # d1, d2
    assert at.dataframe[0].value["signals"].tolist() == ["double claim, out of scope", "out of scope"]
    assert "signals" in at.dataframe[0].proto.column_order and "created_at" not in at.dataframe[0].proto.column_order
    assert url(at) == {"contested": "1", "status": ["won", "lost"]}


def test_page_row_limit(page, monkeypatch):
    monkeypatch.setattr(widgets, "ROW_LIMIT", 2)
    at = page()
    assert len(at.dataframe[0].value) == 2
    assert metrics(at) == [("Matching deals", "6"), ("Their total amount (EUR)", "275,000")]
    assert any("Showing the first 2 of 6 matching deals" in w.value for w in at.warning)


def test_page_ignores_bad_url_values(page):
    at = page(status="closed", min_amount="-1", max_amount="abc", q="x" * 5000, signal="<script>")
    assert len(at.warning) == 5
    assert metrics(at)[0] == ("Matching deals", "6")


def test_page_with_no_match(page):
    at = page(q="no such deal")
    assert metrics(at)[0] == ("Matching deals", "0")
    assert any(i.value.startswith("No deal matches these filters") for i in at.info)
    assert not at.dataframe


def test_page_opens_a_deal_record_and_goes_back(page):
    at = page(deal="d1")
    shown = " ".join(m.value for m in at.markdown)
    assert "**Acme 100% upgrade** · Northwind Enterprise" in shown
    assert "**Contacts touched** (" in shown and "**Claims** (2)" in shown and "**Stage history** (3)" in shown
    assert any("**Double claim**" in m.value for m in at.markdown)
    assert url(at) == {"deal": "d1"}
    at.button(key="deals_back").click().run()
    assert url(at) == {}
    assert any(i.value.startswith("Select a deal in the table") for i in at.info)


def test_page_keeps_the_open_deal_when_a_filter_changes(page):
    at = page(deal="d3")
    at.multiselect(key="deals_statuses").set_value(["won"]).run()
    assert url(at) == {"status": ["won"], "deal": "d3"}
    assert any(m.value.startswith('**O\'Brien "big" renewal**') for m in at.markdown)


def test_page_with_an_unknown_deal(page):
    at = page(deal="d1' or '1'='1")
    assert any("There is no deal" in w.value for w in at.warning)


def test_page_in_presentation_mode_hides_names(page):
    at = page(session={"presentation_mode": True}, deal="d3")
    shown = " ".join([m.value for m in at.markdown] + [d.value.to_csv() for d in at.dataframe]
                     + [c.value for c in at.caption])
    for table in ("reps", "contacts", "accounts"):
        for name in pd.read_csv(FIXTURE / f"{table}.csv")["name"]:
            assert name not in shown
    assert "Deal d3" in shown


def test_page_saved_views(page):
    at = page(status="won")
    at.sidebar.text_input(key="deals_view_name").set_value("Won [deals](x)").run()
    at.sidebar.button(key="deals_save_view").click().run()
    links = [m.value for m in at.sidebar.markdown if m.value.startswith("[")]
    assert links == [r"[Won \[deals\](x)](deal_explorer?start=2025-03-03&end=2025-03-10&status=won)"]
    assert at.sidebar.code[0].value.endswith("deal_explorer?start=2025-03-03&end=2025-03-10&status=won")
    at.sidebar.button(key="deals_save_view").click().run()  # the same name again
    assert any("already a view named" in w.value for w in at.sidebar.warning)
