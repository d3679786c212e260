"""Spreadsheet formulas in text cells: one rule for `export`, the import, and the CSV and
Excel downloads (docs/data-contract.md, "Spreadsheet formulas").

A spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-`, `@`, tab or CR as
a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`). `export` and the CSV and Excel
downloads put an apostrophe before such a text cell, so
that it reads as text; the importer takes exactly one apostrophe off again. To make the
pair a bijection, a cell that already starts with apostrophes followed by a formula
character gets one more on the way out:

    "=SUM(A1)" -> "'=SUM(A1)",  "'=x" -> "''=x",  "-5 deals" -> "'-5 deals",  "Acme = best" unchanged

so `restore(neutralise(text)) == text` for every text, and export -> import -> export is
byte-identical. Numbers (negative ones included) are numbers, never text: never touched.
"""

from __future__ import annotations

import re

# Python's `re` and DuckDB's RE2 read these two patterns alike (`\t`, `\r` are escapes
# of the pattern, not of the string), so SQL binds them as they are.
NEUTRALISE_PATTERN = r"^'*[=+\-@\t\r]"  # text that gets one more apostrophe when written
RESTORE_PATTERN = r"^'+[=+\-@\t\r]"  # written text that loses one apostrophe when read

_NEUTRALISE = re.compile(NEUTRALISE_PATTERN)
_RESTORE = re.compile(RESTORE_PATTERN)


def neutralise(text: str) -> str:
    """`text` as written in a text file: after one more apostrophe when a spreadsheet would run it."""
    return "'" + text if _NEUTRALISE.match(text) else text


def restore(text: str) -> str:
    """The text that `neutralise` wrote as `text` (the inverse: one apostrophe off when one was put on)."""
    return text[1:] if _RESTORE.match(text) else text


def neutralise_sql(expression: str) -> str:
    """`neutralise` in DuckDB SQL over a varchar expression; the statement binds `NEUTRALISE_PARAMETER`."""
    return (f"case when regexp_matches({expression}, $neutralise_pattern) then '''' || {expression} "
            f"else {expression} end")


def restore_sql(expression: str) -> str:
    """`restore` in DuckDB SQL over a varchar expression; the statement binds `RESTORE_PARAMETER`."""
    return (f"case when regexp_matches({expression}, $restore_pattern) then substr({expression}, 2) "
            f"else {expression} end")


# DuckDB refuses a named parameter that its statement does not use: one dict per pattern
NEUTRALISE_PARAMETER = {"neutralise_pattern": NEUTRALISE_PATTERN}
RESTORE_PARAMETER = {"restore_pattern": RESTORE_PATTERN}
