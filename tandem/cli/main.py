"""Command line: `python -m tandem import|export|demo ...`.

Every command exits 0 on success and 2 on bad input (1 when a report's browser fails), with
a message on stderr and no traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from tandem.cli import users as users_command
from tandem.data.config import db_path
from tandem.data.db import DatabaseBusy, DatabaseOutdated
from tandem.data.demo.cast import SCALES
from tandem.data.progress import TerminalBar, silent
from tandem.data.users import UsersFileError
from tandem.model.filters import SIGNALS
from tandem.model.pages import TITLES as PAGES


class UsageError(Exception):
    """Bad input from the user: printed as one message, exit status 2."""


class ReportFailed(Exception):
    """A report that could not be written for another reason than the input: one message, exit status 1."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a date (expected YYYY-MM-DD)') from None


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not the usage block: `python -m tandem CMD --help` has that
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def _add_filter_options(p) -> None:
    """The sidebar's filters as options (summary, report)."""
    p.add_argument("--team", action="append", default=[], metavar="TEAM",
                   help="keep this team (id or name; repeat for several): its deals by attribution, and the "
                        "activities it initiated or received")
    p.add_argument("--region", action="append", default=[], metavar="REGION",
                   help="keep the deals and customer touches of accounts in this region (repeatable)")
    p.add_argument("--segment", action="append", default=[], metavar="SEGMENT",
                   help="keep the deals and customer touches of accounts in this segment (repeatable)")


def _add_rule_options(p, signals: bool = False) -> None:
    """The Contested deals page's rule as options (summary, report)."""
    p.add_argument("--lookback-days", type=int, default=30, help="deal window starts this many days before creation")
    p.add_argument("--overlap-days", type=int, default=7, help="touches closer than this overlap")
    if signals:
        p.add_argument("--signals", default=",".join(SIGNALS),
                       help=f"comma-separated signals that make a deal contested, of {', '.join(SIGNALS)} "
                            "(default: all)")


def _rule_values(args) -> None:
    for name in ("lookback_days", "overlap_days"):
        if getattr(args, name) < 0:
            raise UsageError(f"--{name.replace('_', '-')} must be 0 or more, not {getattr(args, name)}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m tandem", description="Tandem data tools.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    db_help = "database file (default: $TANDEM_DB, else data/tandem.duckdb)"

    p = commands.add_parser("import", help="validate a folder of contract CSVs or a CRM export and replace the "
                                           "database with it")
    p.add_argument("folder", help="folder with one CSV per table (teams.csv, reps.csv, ...) or a CRM's export files")
    p.add_argument("--from", dest="source", default="contract", metavar="contract|salesforce|hubspot|MAPPING.toml",
                   help="what the folder holds: Tandem's contract CSVs (default), a Salesforce Data Export, "
                        "HubSpot exports, or any CRM's files through a mapping file")
    p.add_argument("--teams", metavar="TEAMS.csv", help="CRM users -> teams: crm_user (id, email or name), team_id, "
                                                       "team_name, kind (internal/external), agency")
    p.add_argument("--dry-run", action="store_true", help="map and check the export, print the report, write nothing")
    p.add_argument("--json", action="store_true", help="print the CRM import report as JSON")
    p.add_argument("--db", help=db_help)

    p = commands.add_parser("export", help="write the database as contract CSVs (one per table)")
    p.add_argument("folder", help="folder to write the CSV files into (created if missing)")
    p.add_argument("--db", help=db_help)

    p = commands.add_parser("demo", help="build a deterministic demo database")
    p.add_argument("--db", help=db_help)
    p.add_argument("--scale", default="demo", choices=list(SCALES))
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--end-date", type=_date, default=None, help="last day covered, exclusive (default: today)")

    p = commands.add_parser("precompute", help="bring the pre-computed tables of an existing database up to date")
    p.add_argument("--db", help=db_help)

    p = commands.add_parser("bench", help="measure page and query speed and memory against a pandas baseline")
    p.add_argument("--scale", default="demo", choices=list(SCALES), help="demo data size")
    p.add_argument("--repeat", type=int, default=3, help="runs per measurement (medians are reported)")
    p.add_argument("--dir", default=None, help="folder of the benchmark databases (default: data/)")
    p.add_argument("--rules", type=int, default=5,
                   help="how many other contest rules to measure the Contested deals page and summary under "
                        "(0 to 5, default 5)")
    p.add_argument("--pages-only", action="store_true",
                   help="measure the pages, summary and rules only: no report formats, no pandas baseline (which "
                        "loads every activity into memory; for --scale xxl)")
    p.add_argument("--agency", default=None,
                   help="measure the pages signed in as this agency's manager, in its scope (default: open access)")
    output = p.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the results as JSON")
    output.add_argument("--markdown", action="store_true", help="print the results as Markdown tables")

    p = commands.add_parser("soak", help="many simultaneous sessions clicking through a running dashboard, each "
                                         "compared with the same clicks alone (docs/reliability.md)")
    p.add_argument("--scale", default="demo", choices=list(SCALES),
                   help="demo data size, built once in --dir (ignored with --db)")
    p.add_argument("--db", help="an existing database file instead of a demo one")
    p.add_argument("--dir", default=None, help="folder of the demo databases and the server's log (default: data/)")
    p.add_argument("--sessions", type=int, default=20, help="sessions at once")
    p.add_argument("--interactions", type=int, default=200, help="interactions per session and round")
    p.add_argument("--scripts", type=int, default=4, help="distinct scripts (each also run alone, for comparison)")
    p.add_argument("--rounds", type=int, default=3, help="rounds on the same server, another seed each")
    p.add_argument("--rules-in-range", action="store_true",
                   help="move the Contested deals rule sliders within the pre-computed range only (lookback 0-90, "
                        "overlap 1-30 days), as docs/benchmarks.md measures many users at once")
    p.add_argument("--roles", action="store_true",
                   help="sign-in on: the sessions sign in as the director and each agency's manager in turn (a "
                        "users file written in --dir), each compared with the same user alone on a server of its own")
    p.add_argument("--think-seconds", type=float, default=0.0,
                   help="each simultaneous session waits about this long between an answer and its next click "
                        "(0.5 to 1.5 times; default 0: clicks back to back)")

    users_command.add_arguments(commands, _Parser)

    p = commands.add_parser("summary", help="company figures of one period (ISO week or --start/--end)")
    p.add_argument("--db", help=db_help)
    period = p.add_mutually_exclusive_group(required=True)
    period.add_argument("--week", help="ISO week, e.g. 2026-W47 (Monday to next Monday)")
    period.add_argument("--start", type=_date, help="first day of the period (with --end)")
    p.add_argument("--end", type=_date, help="day after the period (exclusive)")
    _add_rule_options(p)
    p.add_argument("--attribution", choices=["owner", "source"], default="owner", help="team of a deal")
    _add_filter_options(p)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")

    p = commands.add_parser("report", help="write the report of one ISO week as a deck, a PDF or an HTML file")
    p.add_argument("--week", required=True, help="ISO week, e.g. 2026-W47: the weekly review's week; the other "
                                                 "pages show the 12 weeks ending with it")
    p.add_argument("--pages", default="weekly_review,contested_deals",
                   help=f"comma-separated pages, of {', '.join(PAGES)}")
    p.add_argument("--format", required=True, choices=["pptx", "pdf", "html"], help="the file's kind")
    p.add_argument("--out", required=True, help="the file to write")
    p.add_argument("--present", action="store_true", help="presentation mode: pseudonyms for every name")
    _add_filter_options(p)
    p.add_argument("--attribution", choices=["owner", "source"], default="owner", help="team of a deal")
    _add_rule_options(p, signals=True)
    p.add_argument("--deal", help="a deal id: its record and timeline close the Contested deals section")
    p.add_argument("--config", help="the client's name and logo (default: $TANDEM_REPORT_CONFIG, else report.toml)")
    p.add_argument("--title", help="the title slide's name, instead of the config's client")
    p.add_argument("--db", help=db_help)
    return parser


def _soak(args) -> int:
    from tandem.cli.bench import ensure_database
    from tandem.cli.sessions import soak
    from tandem.data.config import ROOT

    for name in ("sessions", "interactions", "scripts", "rounds"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name} must be 1 or more, not {getattr(args, name)}")
    if not 0 <= args.think_seconds <= 600:
        raise UsageError(f"--think-seconds must be 0 to 600, not {args.think_seconds}")
    folder = Path(args.dir) if args.dir else ROOT / "data"
    folder.mkdir(parents=True, exist_ok=True)
    say = lambda message: print(message, flush=True)  # noqa: E731
    if args.db:
        from tandem.data.db import require_database

        db = require_database(args.db)
    else:
        db = ensure_database(args.scale, folder, TerminalBar())
    say(f"soak on {db}: {args.rounds} rounds of {args.sessions} sessions x {args.interactions} interactions"
        + (", rule sliders within the pre-computed range" if args.rules_in_range else "")
        + (f", about {args.think_seconds:g} s between clicks" if args.think_seconds else "")
        + (", signed in by role" if args.roles else ""))
    limits = ()
    if args.rules_in_range:
        from tandem.data.db import PRECOMPUTED_RULE_RANGE

        limits = (("contest_lookback", *PRECOMPUTED_RULE_RANGE["lookback_days"]),
                  ("contest_overlap", *PRECOMPUTED_RULE_RANGE["overlap_days"]))
    runs = soak(db, args.sessions, args.interactions, args.scripts, args.rounds, folder, say, limits,
                args.think_seconds, roles=args.roles)
    failed = sum(1 if run is None else len(run.mismatches()) + len(run.exceptions()) for run in runs)
    say(f"peak RSS per round: {', '.join(f'{run.peak_rss_mb:.0f} MB' for run in runs if run)}; "
        f"{'no failure' if not failed else f'{failed} failures'}")
    return 1 if failed else 0


def _summary(args) -> str:
    from tandem.cli.summary import compute_summary, iso_week, render_text
    from tandem.data.db import require_database

    if args.week:
        if args.end:
            raise UsageError("--end goes with --start, not with --week")
        try:
            start, end = iso_week(args.week)
        except ValueError as error:
            raise UsageError(str(error)) from None
    else:
        if args.end is None:
            raise UsageError("--start needs --end (the day after the period)")
        if args.end <= args.start:
            raise UsageError(f"--end {args.end} must be after --start {args.start}")
        start, end = (dt.datetime.combine(day, dt.time()) for day in (args.start, args.end))
    _rule_values(args)
    db = require_database(db_path(args.db))
    chosen = _chosen_filters(args, db)
    summary = compute_summary(start, end, args.lookback_days, args.overlap_days, args.attribution, db=db, **chosen)
    return json.dumps(summary) if args.json else render_text(summary)


def _options(db):
    from tandem.cli.whole_database import run
    from tandem.model.filters import Options

    return Options.from_frame(run("filter_options", db=db))


def _chosen_filters(args, db) -> dict[str, tuple[str, ...]]:
    """--team, --region and --segment as the sidebar's filter values (teams by id or name)."""
    try:
        return _options(db).choose(args.team, args.region, args.segment)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _report(args) -> str:
    from dataclasses import replace

    from tandem.cli.summary import iso_week
    from tandem.data.db import require_database
    from tandem.export import branding
    from tandem.export.report import build_report
    from tandem.export.writers import write
    from tandem.model.filters import ContestRules, Filters, weeks_ending
    from tandem.model.roles import ALL_DATA

    try:
        start, end = iso_week(args.week)
    except ValueError as error:
        raise UsageError(str(error)) from None
    pages = tuple(p.strip() for p in args.pages.split(",") if p.strip())
    unknown = [p for p in pages if p not in PAGES]
    if unknown or not pages:
        raise UsageError(f"--pages takes {', '.join(PAGES)}, not {', '.join(unknown) or 'nothing'}")
    signals = tuple(s.strip() for s in args.signals.split(",") if s.strip())
    if not signals or set(signals) - set(SIGNALS):
        raise UsageError(f"--signals takes {', '.join(SIGNALS)}, not {args.signals!r}")
    _rule_values(args)
    if args.overlap_days < 1:
        raise UsageError(f"--overlap-days must be 1 or more, not {args.overlap_days}")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: no folder {out.parent}")
    try:
        brand = branding.load(args.config)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if args.title:
        brand = replace(brand, title=args.title)
    db = require_database(db_path(args.db))
    chosen = _chosen_filters(args, db)
    options = _options(db)
    if start.date() > options.last_day or end.date() <= options.first_day:
        raise UsageError(f"--week {args.week} is outside the data ({options.first_day:%d %b %Y} to "
                         f"{options.last_day:%d %b %Y})")
    # the week under review, and the pages of a period on the 12 weeks ending with it (the sidebar's default)
    first, last = weeks_ending(end.date(), options)
    filters = Filters(start=first, end=last, attribution=args.attribution, presentation=args.present, **chosen)
    rules = ContestRules(args.lookback_days, args.overlap_days, tuple(s for s in SIGNALS if s in signals))
    bar = TerminalBar()
    report = build_report(db, filters, pages, start.date(), rules, presentation=args.present, branding=brand,
                          progress=lambda share, message: bar(0.2 * share, message),
                          deals={"contested_deals": args.deal} if args.deal else {}, scope=ALL_DATA)
    try:
        write(report, args.format, out, lambda share, message: bar(0.2 + 0.8 * share, message))
    except OSError as error:
        raise UsageError(f"--out {out}: {error.strerror or error}") from None
    except Exception as error:  # noqa: BLE001 (the browser drawing the charts or printing the PDF failed)
        raise ReportFailed(f"the {args.format} file could not be written ({type(error).__name__}: "
                           f"{str(error)[:200]}); the HTML format needs no browser") from None
    return f"{args.format} report of {args.week} ({', '.join(pages)}) written to {out}"


def _crm_import(args) -> int:
    """`import --from salesforce|hubspot|MAPPING.toml`: the mapping report, then the contract
    import's (which replaces the database only when every row passes)."""
    from tandem.data.crm import ExportFileError, MappingError, import_export

    try:
        mapped, imported = import_export(args.folder, args.source, db_path(args.db), teams=args.teams,
                                         dry_run=args.dry_run, progress=silent if args.json else TerminalBar())
    except (ExportFileError, MappingError) as error:
        print(f"error: {error}; the database was not changed.", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({**mapped.as_dict(), "dry_run": args.dry_run,
                          "imported": None if imported is None else imported.ok,
                          "row_counts": None if imported is None else imported.row_counts}))
    else:
        print(mapped.text())
    if imported is None:
        print("dry run: nothing was written.", file=sys.stderr)
        return 0
    if not imported.ok:
        print(imported.error_text(), file=sys.stderr)
        return 2
    if not args.json:
        print(f"imported {imported.row_counts_text()} into {db_path(args.db)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "import" and args.source != "contract":
            return _crm_import(args)
        if args.command == "import":
            from tandem.data.importer import import_folder

            if args.teams or args.dry_run or args.json:
                raise UsageError("--teams, --dry-run and --json go with --from salesforce|hubspot|MAPPING.toml")
            report = import_folder(args.folder, db_path(args.db), progress=TerminalBar())
            for warning in report.warnings:
                print(f"warning: {warning}", file=sys.stderr)
            if not report.ok:
                print(report.error_text(), file=sys.stderr)
                return 2
            print(f"imported {report.row_counts_text()} into {db_path(args.db)}")
        elif args.command == "export":
            from tandem.data.exporter import export_database

            counts = export_database(db_path(args.db), args.folder)
            print(f"exported {', '.join(f'{n:,} {t}' for t, n in counts.items())} to {args.folder}")
        elif args.command == "demo":
            from tandem.data.demo import build_demo

            end_date = args.end_date or dt.date.today()
            path = build_demo(db_path(args.db), scale=args.scale, seed=args.seed, end_date=end_date, progress=TerminalBar())
            print(f"demo database ({args.scale}, seed {args.seed}, ending {end_date}) written to {path}")
        elif args.command == "precompute":
            import time

            from tandem.data.db import rebuild_derived

            started = time.perf_counter()
            path = rebuild_derived(db_path(args.db), progress=lambda message: print(message, file=sys.stderr))
            print(f"pre-computed tables of {path} up to date ({time.perf_counter() - started:.1f} s)")
        elif args.command == "bench":
            from pathlib import Path

            from tandem.cli.bench import UnknownAgency, render, render_markdown, run_benchmark
            from tandem.data.config import ROOT

            if args.repeat < 1:
                raise UsageError(f"--repeat must be 1 or more, not {args.repeat}")
            if not 0 <= args.rules <= 5:
                raise UsageError(f"--rules must be 0 to 5, not {args.rules}")
            folder = Path(args.dir) if args.dir else ROOT / "data"
            folder.mkdir(parents=True, exist_ok=True)
            try:
                result = run_benchmark(args.scale, args.repeat, folder,
                                       progress=lambda message: print(message, file=sys.stderr, flush=True),
                                       rules=args.rules, pages_only=args.pages_only, agency=args.agency)
            except UnknownAgency as error:
                raise UsageError(str(error)) from None
            print(json.dumps(result, indent=1) if args.json else render_markdown(result) if args.markdown
                  else render(result))
        elif args.command == "soak":
            return _soak(args)
        elif args.command == "users":
            print(users_command.run(args))
        elif args.command == "summary":
            print(_summary(args))
        elif args.command == "report":
            print(_report(args))
    except (UsageError, FileNotFoundError, NotADirectoryError, DatabaseOutdated, DatabaseBusy,
            users_command.UsersCommandError, UsersFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ReportFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
