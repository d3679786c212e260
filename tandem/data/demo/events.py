"""Company events and who attended them."""

from __future__ import annotations

import numpy as np

from tandem.data.demo.calendar import PERIOD_DAYS, Calendar
from tandem.data.demo.cast import YEARLY_EVENTS
from tandem.data.demo.sales_force import SalesForce


def events(
    rng: np.random.Generator, calendar: Calendar, force: SalesForce,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The yearly calendar of company events; one internal-only strategy meeting was
    attended by a few agency reps. Returns the rows of the events and event_attendance
    tables (queries/demo/)."""
    held, rows = [], []
    for year in range(PERIOD_DAYS // 365):
        for kind, name, day, internal_only, share in YEARLY_EVENTS:
            held_day = year * 365 + day + int(rng.integers(0, 7))
            weekday = (np.datetime64(calendar.start, "D") + held_day).astype(np.int64) + 3
            held_day -= max(0, weekday % 7 - 4)  # move weekend events back to Friday
            held.append(held_day)
            rows.append((kind, name, internal_only, share))
    order = np.argsort(held, kind="stable")
    events = [(held[k], *rows[k]) for k in order]
    leak = max(k for k, e in enumerate(events) if e[1] == "strategy_meeting")  # the latest one

    attendance_event, attendance_rep = [], []
    for k, (held_day, kind, _name, internal_only, share) in enumerate(events):
        employed = (force.rep_started_day <= held_day) & (force.rep_left_day >= held_day)
        eligible = employed & (force.rep_internal | (not internal_only))
        attends = eligible & (rng.random(force.n_reps) < share)
        if k == leak:  # three agency reps sat in on the internal strategy meeting
            agency_reps = np.flatnonzero(employed & ~force.rep_internal)
            attends[rng.choice(agency_reps, 3, replace=False)] = True
        attendance_rep.append(np.flatnonzero(attends))
        attendance_event.append(np.full(attends.sum(), k))
    event_rows = {
        "i": np.arange(len(events)), "held": np.array([e[0] for e in events]),
        "kind": np.array([e[1] for e in events]), "name": np.array([e[2] for e in events]),
        "internal_only": np.array([e[3] for e in events]),
    }
    attendance_rows = {"event": np.concatenate(attendance_event), "rep": np.concatenate(attendance_rep)}
    return event_rows, attendance_rows
