"""The audit log: who signed in, opened which view and downloaded which file, and when.

One JSON object per line in `audit.jsonl` beside the users file (so beside the database
unless $TANDEM_USERS or $TANDEM_AUDIT names another place), appended and never rewritten.
It is kept only when sign-in is on (a users file exists): in open access nobody is named.
Each line: `at` (local time, ISO 8601 to the second), `user`, `role`, `event` (`sign_in`,
`sign_in_failed`, `page_view`, `download`), `page` (its title), `filters` (the view's URL
parameters), `file` (a download's file name) and `kind` (its format).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections import deque
from pathlib import Path

from tandem.data.users import users_path

EVENTS = ("sign_in", "sign_in_failed", "page_view", "download")
FIELDS = ("at", "user", "role", "event", "page", "filters", "file", "kind")
_lock = threading.Lock()  # one process writes whole lines; O_APPEND keeps lines of two processes apart


def audit_path() -> Path:
    """$TANDEM_AUDIT, else audit.jsonl beside the users file."""
    value = os.environ.get("TANDEM_AUDIT")
    return Path(value) if value else users_path().with_name("audit.jsonl")


def append(event: str, user: str, role: str | None, *, page: str | None = None, filters: dict | None = None,
           file: str | None = None, kind: str | None = None, at: dt.datetime | None = None,
           path: Path | None = None) -> None:
    """Append one line (the file is created, readable by its owner only, on the first)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}: expected one of {', '.join(EVENTS)}")
    record = {"at": (at or dt.datetime.now()).isoformat(timespec="seconds"), "user": user, "role": role,
              "event": event, "page": page, "filters": filters or {}, "file": file, "kind": kind}
    line = (json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n").encode()
    path = path or audit_path()
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def read(limit: int = 1000, path: Path | None = None) -> list[dict]:
    """The last `limit` records, newest first (a line that is not a record is skipped)."""
    path = path or audit_path()
    if not path.exists():
        return []
    with path.open(encoding="utf-8", errors="replace") as lines:
        last = deque(lines, maxlen=limit)
    records = []
    for line in reversed(last):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append({field: record.get(field) for field in FIELDS})
    return records
