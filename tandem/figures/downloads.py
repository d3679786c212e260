"""What every download holds and how it is written, one rule for every page.

- Column headers in words, from one mapping (`HEADERS`); a money column names its
  currency (`wording.money_label`); ids keep their code and their values.
- Codes that are values (segments, kinds, stages...) are written as words
  (`wording.humanise`) when that loses nothing: two codes that would read the same
  keep their codes.
- Call minutes in whole minutes.
- CSV: the first row is the header, so a plain `pandas.read_csv` reads every file.
  Excel: the rows on a first sheet that starts at its header, and a "Filters" sheet
  saying what was exported (the filters in words, the period, the export time).

Pages keep passing the frames they draw; `for_download` turns one into the file's table.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Sequence

import pandas as pd
import xlsxwriter

from tandem.data.formulas import neutralise
from tandem.model.contest import SIGNAL_LABELS
from tandem.model.wording import humanise, missing, money_label

HEADERS = {
    # deals, accounts, reps, teams
    "deal_id": "Deal id", "deal_name": "Deal", "account_id": "Account id", "account_name": "Account",
    "status": "Status", "stage": "Stage", "stage_position": "Stage position", "product": "Product",
    "lead_source": "Lead source", "region": "Region", "segment": "Segment", "signals": "Signals",
    "created_at": "Created", "closed_at": "Closed", "team_id": "Team id", "team_name": "Team", "name": "Team",
    "kind": "Kind", "owner_rep_id": "Owner id", "owner_rep_name": "Owner", "source_rep_id": "Source rep id",
    "source_rep_name": "Source rep", "teams_involved": "Teams involved",
    "first_evidence_at": "First conflicting evidence", "last_evidence_at": "Last conflicting evidence",
    # time
    "week_start": "Week (Monday)", "month": "Month of creation",
    # exchanges and touches
    "call": "Cross-team calls", "email": "Cross-team emails", "meeting": "Cross-team meetings",
    "within-team": "Within-team exchanges", "exchanges": "Exchanges", "calls": "Calls", "emails": "Emails",
    "meetings": "Meetings", "call_minutes": "Call minutes", "cross-team call minutes": "Cross-team call minutes",
    "within-team call minutes": "Within-team call minutes",
    "cross_team_exchanges": "Cross-team exchanges", "touches_internal": "Customer touches by internal reps",
    "touches_external": "Customer touches by external reps",
    "exchanges_per_100_touches": "Cross-team exchanges per 100 customer touches",
    "internal_rep_id": "Internal rep id", "internal_rep_name": "Internal rep", "internal_team_id": "Internal team id",
    "internal_team_name": "Internal team", "external_rep_id": "External rep id", "external_rep_name": "External rep",
    "external_team_id": "Agency id", "external_team_name": "Agency",
    "initiated_by_internal": "Started by the internal rep", "initiated_by_external": "Started by the external rep",
    "internal_share": "Share started by the internal rep", "shared_accounts": "Shared accounts",
    "shared_account_ids": "Shared accounts (ids)", "touches_by_rep_a": "Touches by the internal rep",
    "touches_by_rep_b": "Touches by the external rep",
    # contested deals
    "active": "Active deals", "contested": "Contested deals", "contested_rate": "Contested rate",
    "worked_by_both": "Deals worked by both", **{signal: label.capitalize() for signal, label in SIGNAL_LABELS.items()},
    # conversion
    "deals": "Deals", "created": "Deals created", "won": "Won", "lost": "Lost", "open": "Open",
    "closed": "Closed deals", "win_rate": "Win rate", "win_rate_low": "Win rate, 95% interval from",
    "win_rate_high": "Win rate, 95% interval to", "median_cycle_days": "Median sales cycle (days)",
    "touches": "Customer touches", "touches_per_won_deal": "Customer touches per won deal",
    "too_few_closed": "Fewer than 10 closed deals", "reached": "Deals that reached the stage",
    "conversion_to_next": "Conversion to the next stage", "share_of_cohort": "Share of the cohort",
    "conversion_from_previous": "Conversion from the previous stage", "source_kind": "Sourced by (kind)",
    "source_team_id": "Source team id", "source_team_name": "Sourced by (team)", "owner_kind": "Closed by (kind)",
    "owner_team_id": "Owner team id", "owner_team_name": "Closed by (team)",
    "bucket": "Days until the owner's first touch",
    "median_latency_days": "Median days until the owner's first touch", "quartile": "Quartile of exchanges",
    "min_exchanges": "Fewest exchanges", "max_exchanges": "Most exchanges",
    # a deal's timeline
    "occurred_at": "When", "event": "Event", "activity_id": "Activity id", "channel": "Channel", "rep_id": "Rep id",
    "rep_name": "Rep", "rep_team_id": "Rep's team id", "rep_team_name": "Rep's team", "rep_kind": "Rep's kind",
    "other_rep_id": "Other rep id", "other_rep_name": "Other rep", "other_team_name": "Other rep's team",
    "other_rep_kind": "Other rep's kind", "contact_id": "Contact id", "contact_name": "Contact", "detail": "Detail",
}
MONEY = {  # column -> its header before the currency
    "amount": "Amount", "won_amount": "Won amount", "contested_amount": "Value at stake",
    "created_amount": "Value created", "avg_deal_size": "Avg deal size",
}
# columns whose values are codes of the data, written as words when no two codes would read the same
CODES = {"status", "stage", "region", "segment", "lead_source", "kind", "source_kind", "owner_kind", "channel",
         "event", "rep_kind", "other_rep_kind", "detail"}
VALUE_WORDS = {"source_kind": {"none": "no source rep"}}  # codes whose words are not their own


def header(column: str) -> str:
    """The header of a column in every download: 'amount' -> 'Amount (EUR)',
    'week_start' -> 'Week (Monday)'; an unknown column reads as its name in words."""
    if column in MONEY:
        return money_label(MONEY[column])
    return HEADERS.get(column) or humanise(column)


def _words(column: str, values: pd.Series) -> pd.Series:
    """The codes of a column as words, or the column unchanged when two codes would read the same."""
    codes = values.dropna().unique()
    own = VALUE_WORDS.get(column, {})
    words = {code: humanise(own.get(code, code)) for code in codes if isinstance(code, str)}
    if len(words) != len(codes) or len(set(words.values())) != len(words):
        return values
    return values.map(words, na_action="ignore").astype(object)


def for_download(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as a download holds it: codes as words, call minutes whole, headers in words."""
    table = frame.copy()
    for column in table.columns:
        values = table[column]
        if column in CODES:
            table[column] = _words(column, values)
        elif pd.api.types.is_float_dtype(values) and "minutes" in column:
            table[column] = values.round().astype("Int64")
    headers = [header(str(column)) for column in table.columns]
    repeated = {h for h in headers if headers.count(h) > 1}
    table.columns = [f"{h} ({column})" if h in repeated else h for h, column in zip(headers, table.columns)]
    return table


def _as_text(value):
    """A text cell as written: after one more apostrophe when a spreadsheet would run it as a
    formula (=HYPERLINK(...), =cmd|...), the rule of `export` (tandem.data.formulas)."""
    return neutralise(value) if isinstance(value, str) else value


def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV whose first row is the header; text that a spreadsheet would run as a
    formula is written as text (numbers, negative ones included, are left as they are)."""
    safe = table.copy()
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_datetime64_any_dtype(safe[column])
                or pd.api.types.is_bool_dtype(safe[column])):
            safe[column] = safe[column].map(_as_text)
    return safe.to_csv(index=False).encode("utf-8")


WIDE_COLUMNS = {"Deal", "Account", "Signals", "Teams involved"}


def _cells(values: pd.Series) -> tuple[str, list]:
    """A column as the kind of its cells ('boolean', 'number', 'datetime', 'text') and its
    values, None where empty."""
    if pd.api.types.is_bool_dtype(values):
        return "boolean", [None if missing(v) else bool(v) for v in values.astype(object)]
    if pd.api.types.is_numeric_dtype(values):
        return "number", values.astype(object).where(values.notna(), None).tolist()
    if pd.api.types.is_datetime64_any_dtype(values):
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        return "datetime", [None if missing(v) else v.to_pydatetime() for v in values]
    # written with write_string, so Excel never runs "=..."; the same text as the CSV download
    # holds, so that a sheet saved as CSV reads back by the one rule (tandem.data.formulas)
    return "text", [None if v is None or v != v else neutralise(str(v)) for v in values.astype(object)]


def xlsx_bytes(table: pd.DataFrame, sheet: str, filters: Sequence[tuple[str, str]],
               exported_at: dt.datetime | None = None) -> bytes:
    """An Excel workbook: `table` on the sheet `sheet` from its header row, then a sheet
    "Filters" with one row per (what, value) of `filters` and the export time.

    Written row by row in xlsxwriter's constant-memory mode: for 200,000 deals about
    twice as fast as `DataFrame.to_excel` and a small part of its memory (which holds
    every cell before writing)."""
    exported_at = exported_at or dt.datetime.now()
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "nan_inf_to_errors": True})
    bold = workbook.add_format({"bold": True})
    dated = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    data = workbook.add_worksheet(sheet)
    for number, column in enumerate(table.columns):
        data.set_column(number, number, 36 if column in WIDE_COLUMNS else 16)
    data.freeze_panes(1, 0)
    data.write_row(0, 0, [str(c) for c in table.columns], bold)
    columns = [_cells(table[c]) for c in table.columns]
    writers = {"boolean": data.write_boolean, "number": data.write_number, "text": data.write_string,
               "datetime": lambda row, col, value: data.write_datetime(row, col, value, dated)}
    kinds = [writers[kind] for kind, _ in columns]
    for row, values in enumerate(zip(*(cells for _, cells in columns)), start=1):
        for col, (write, value) in enumerate(zip(kinds, values)):
            if value is not None:
                write(row, col, value)
    about = workbook.add_worksheet("Filters")
    about.set_column(0, 0, 22)
    about.set_column(1, 1, 90)
    about.write_row(0, 0, ["Filter", "Value"], bold)
    for row, (what, value) in enumerate([*filters, ("Exported at", f"{exported_at:%Y-%m-%d %H:%M}")], start=1):
        about.write_row(row, 0, [what, value])
    workbook.close()
    return out.getvalue()
