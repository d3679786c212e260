"""The one rule of every download (tandem.figures.downloads): headers in words with the currency
of money columns, codes as words only where nothing is lost, ids as they are, whole call
minutes, a CSV that a plain read_csv reads, an Excel file with a Filters sheet."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from tandem.figures import downloads


def read_back(table: pd.DataFrame) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(downloads.csv_bytes(table)), keep_default_na=False)


def test_headers_in_words_with_the_currency(monkeypatch):
    frame = pd.DataFrame({"deal_id": ["d_1"], "deal_name": ["Acme"], "account_name": ["Acme Ltd"], "amount": [10.0],
                          "won_amount": [5.0], "contested_amount": [1.0], "week_start": [pd.Timestamp("2026-11-16")],
                          "call": [3], "foo_bar": [1]})
    assert downloads.for_download(frame).columns.tolist() == [
        "Deal id", "Deal", "Account", "Amount (EUR)", "Won amount (EUR)", "Value at stake (EUR)", "Week (Monday)",
        "Cross-team calls", "Foo bar"]
    monkeypatch.setenv("TANDEM_CURRENCY", "usd")
    assert downloads.for_download(frame).columns[3] == "Amount (USD)"


def test_csv_first_row_is_the_header():
    frame = pd.DataFrame({"deal_id": ["d1", "d2"], "amount": [1500.5, 20.0],
                          "week_start": [pd.Timestamp("2026-11-16"), pd.Timestamp("2026-11-23")]})
    text = downloads.csv_bytes(downloads.for_download(frame)).decode()
    assert text.splitlines() == ["Deal id,Amount (EUR),Week (Monday)", "d1,1500.5,2026-11-16", "d2,20.0,2026-11-23"]


def test_codes_as_words_ids_as_they_are():
    frame = pd.DataFrame({"account_id": ["acc_1", "acc_2", "acc_3"], "segment": ["mid_market", "smb", None],
                          "stage": ["negotiation", "won", "lead"], "lead_source": ["inbound_web", None, "event"],
                          "source_kind": ["none", "external", "internal"], "deals": ["contested", "others", "x_y"]})
    back = read_back(downloads.for_download(frame))
    assert back["Account id"].tolist() == ["acc_1", "acc_2", "acc_3"]
    assert back["Segment"].tolist() == ["Mid-market", "SMB", ""]  # an empty cell stays empty
    assert back["Stage"].tolist() == ["Negotiation", "Won", "Lead"]
    assert back["Lead source"].tolist() == ["Inbound web", "", "Event"]
    assert back["Sourced by (kind)"].tolist() == ["No source rep", "External", "Internal"]
    assert back["Deals"].tolist() == ["contested", "others", "x_y"]  # not a code column: as it is


def test_codes_that_would_read_the_same_keep_their_codes():
    frame = pd.DataFrame({"segment": ["smb", "SMB", "mid_market"], "region": ["north", "North", "east"]})
    back = read_back(downloads.for_download(frame))
    assert back["Segment"].tolist() == ["smb", "SMB", "mid_market"]
    assert back["Region"].tolist() == ["north", "North", "east"]


def test_call_minutes_whole():
    pairs = pd.DataFrame({"internal_rep_name": ["A"], "call_minutes": [12.4], "exchanges": [3]})
    assert read_back(downloads.for_download(pairs)).values.tolist() == [["A", 12, 3]]
    weekly = pd.DataFrame({"week_start": [pd.Timestamp("2026-11-16")] * 2, "cross-team call minutes": [10.6, None],
                           "within-team call minutes": [3.2, 0.4]})
    text = downloads.csv_bytes(downloads.for_download(weekly)).decode()
    assert text.splitlines() == ["Week (Monday),Cross-team call minutes,Within-team call minutes",
                                 "2026-11-16,11,3", "2026-11-16,,0"]
    exchanges = pd.DataFrame({"within-team": [3]})  # counts, not minutes: as they are
    assert downloads.for_download(exchanges).columns.tolist() == ["Within-team exchanges"]


def test_repeated_headers_say_their_column():
    frame = pd.DataFrame({"name": ["Inside A"], "team_name": ["Inside A"]})
    assert downloads.for_download(frame).columns.tolist() == ["Team (name)", "Team (team_name)"]


def test_excel_data_sheet_starts_at_its_header_and_a_filters_sheet_follows():
    frame = pd.DataFrame({"deal_id": ["d1", "d2"], "amount": [5.0, None], "too_few_closed": [True, False],
                          "created_at": [pd.Timestamp("2026-11-16 09:30"), pd.NaT], "segment": ["mid_market", None]})
    workbook = downloads.xlsx_bytes(downloads.for_download(frame), "Deals", [("Period", "2026-11-16 to 2026-11-23")],
                                    exported_at=dt.datetime(2026, 11, 29, 14, 5))
    sheets = pd.read_excel(io.BytesIO(workbook), sheet_name=None)
    assert list(sheets) == ["Deals", "Filters"]
    deals = sheets["Deals"]
    assert deals.columns.tolist() == ["Deal id", "Amount (EUR)", "Fewer than 10 closed deals", "Created", "Segment"]
    assert deals.iloc[0].tolist() == ["d1", 5.0, True, pd.Timestamp("2026-11-16 09:30"), "Mid-market"]
    assert deals.iloc[1, [0, 2]].tolist() == ["d2", False]
    assert deals.iloc[1, [1, 3, 4]].isna().all()  # empty cells stay empty
    assert sheets["Filters"].values.tolist() == [["Period", "2026-11-16 to 2026-11-23"],
                                                 ["Exported at", "2026-11-29 14:05"]]


def test_text_a_spreadsheet_would_run_is_written_as_text():
    """Issue 19: a name starting with =, +, -, @, tab or CR (=HYPERLINK(...), =cmd|...) reaches
    the CSV and the Excel file after an apostrophe, and a name that already starts with
    apostrophes before such a character after one more (the rule of `export`, so that taking
    one apostrophe off gives every name back); numbers, negative ones included, stay numbers;
    Excel cells are strings, never formulas."""
    from openpyxl import load_workbook

    from tandem.data.formulas import restore

    names = ["=HYPERLINK(\"http://x.test\",\"Open\")", "+1 555", "-cmd", "@SUM(A1)", "Acme = best", "\tTab", "'=x",
             "''-y", "'quoted'"]
    written = ["'=HYPERLINK(\"http://x.test\",\"Open\")", "'+1 555", "'-cmd", "'@SUM(A1)", "Acme = best", "'\tTab",
               "''=x", "'''-y", "'quoted'"]
    frame = pd.DataFrame({"deal_name": names, "amount": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]})
    table = downloads.for_download(frame)
    back = read_back(table)
    assert back["Deal"].tolist() == written
    assert [restore(name) for name in back["Deal"]] == names
    assert back["Amount (EUR)"].tolist() == [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    sheet = load_workbook(io.BytesIO(downloads.xlsx_bytes(table, "Deals", [])))["Deals"]
    cells = [sheet.cell(row=r, column=1) for r in range(2, 11)]
    assert [c.value for c in cells] == written and all(c.data_type == "s" for c in cells)
    assert [sheet.cell(row=r, column=2).value for r in (2, 3)] == [-5, 1]  # numbers as numbers
