"""Command line: `python -m tandem import|export|demo ...`.

Every command exits 0 on success and 2 on bad input, with a message on stderr and no
traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from tandem.config import db_path
from tandem.progress import TerminalBar


class UsageError(Exception):
    """Bad input from the user: printed as one message, exit status 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a date (expected YYYY-MM-DD)') from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tandem", description="Tandem data tools.")
    commands = parser.add_subparsers(dest="command", required=True)

    db_help = "database file (default: $TANDEM_DB, else data/tandem.duckdb)"

    p = commands.add_parser("import", help="validate a folder of contract CSVs and replace the database with it")
    p.add_argument("folder", help="folder with one CSV per table (teams.csv, reps.csv, ...)")
    p.add_argument("--db", help=db_help)

    p = commands.add_parser("export", help="write the database as contract CSVs (one per table)")
    p.add_argument("folder", help="folder to write the CSV files into (created if missing)")
    p.add_argument("--db", help=db_help)

    p = commands.add_parser("demo", help="build a deterministic demo database")
    p.add_argument("--db", help=db_help)
    p.add_argument("--scale", default="demo", choices=["small", "demo", "large", "xl"])
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--end-date", type=_date, default=None, help="last day covered, exclusive (default: today)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "import":
            from tandem.importer import import_folder

            report = import_folder(args.folder, db_path(args.db), progress=TerminalBar())
            for warning in report.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            if not report.ok:
                print(report.error_text(), file=sys.stderr)
                return 2
            print(f"imported {report.row_counts_text()} into {db_path(args.db)}")
        elif args.command == "export":
            from tandem.exporter import export_database

            counts = export_database(db_path(args.db), args.folder)
            print(f"exported {', '.join(f'{n:,} {t}' for t, n in counts.items())} to {args.folder}")
        elif args.command == "demo":
            from tandem.demo import build_demo

            end_date = args.end_date or dt.date.today()
            path = build_demo(db_path(args.db), scale=args.scale, seed=args.seed, end_date=end_date, progress=TerminalBar())
            print(f"demo database ({args.scale}, seed {args.seed}, ending {end_date}) written to {path}")
    except (UsageError, FileNotFoundError, NotADirectoryError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
