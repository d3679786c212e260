"""Where things are: the project root, the schema, the database path."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "data" / "schema.sql"
QUERIES_DIR = ROOT / "queries"
DEFAULT_DB_PATH = ROOT / "data" / "tandem.duckdb"


def db_path(cli_value: str | os.PathLike | None = None) -> Path:
    """The database path: `--db` if given, else $TANDEM_DB, else data/tandem.duckdb."""
    if cli_value:
        return Path(cli_value)
    env_value = os.environ.get("TANDEM_DB")
    if env_value:
        return Path(env_value)
    return DEFAULT_DB_PATH
