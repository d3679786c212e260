"""The command line's query runner: `tandem.data.queries.run` in the scope of the whole
database, since whoever runs a command (import, export, summary, report, bench) has the
database file itself."""

from __future__ import annotations

import functools

from tandem.data import queries
from tandem.model.roles import ALL_DATA

run = functools.partial(queries.run, scope=ALL_DATA)
