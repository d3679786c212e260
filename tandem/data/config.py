"""Where things are (the project root, the schema, the database path) and the settings
read from the environment (the currency of amounts, whether the Import page is offered)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # tandem/data/config.py -> the project root
SCHEMA_PATH = ROOT / "data" / "schema.sql"
QUERIES_DIR = ROOT / "queries"
DEFAULT_DB_PATH = ROOT / "data" / "tandem.duckdb"
ICON_PATH = ROOT / "tandem" / "icon.png"  # the browser tab's icon


def db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """The database path: `--db` if given, else $TANDEM_DB, else data/tandem.duckdb."""
    if cli_value:
        return Path(cli_value)
    env_value = os.environ.get("TANDEM_DB")
    if env_value:
        return Path(env_value)
    return DEFAULT_DB_PATH


DEFAULT_CURRENCY = "EUR"  # the demo's


def currency() -> str:
    """The currency of every amount of the database: $TANDEM_CURRENCY (an ISO 4217 code
    such as USD), else EUR. Anything else than three letters falls back to EUR."""
    value = os.environ.get("TANDEM_CURRENCY", "").strip().upper()
    return value if len(value) == 3 and value.isascii() and value.isalpha() else DEFAULT_CURRENCY


def import_allowed() -> bool:
    """Whether the dashboard offers its Import page (replacing the database from the browser):
    $TANDEM_ALLOW_IMPORT set to 1, true or yes. Off by default: anyone who can open the
    dashboard could replace the data."""
    return os.environ.get("TANDEM_ALLOW_IMPORT", "").strip().lower() in ("1", "true", "yes")
