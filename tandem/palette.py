"""Colours shared by every chart: internal vs external first, then per team.

Internal is blue and external orange everywhere (Okabe-Ito, colour-blind safe and
readable on a projector); each team gets a shade of its kind's colour, in team_id
order, so a team has the same colour on every page.
"""

from __future__ import annotations

INTERNAL = "#0072B2"
EXTERNAL = "#E69F00"
KIND_COLOURS = {"internal": INTERNAL, "external": EXTERNAL}
NEUTRAL = "#999999"

# darker to lighter shades of each kind's colour
_SHADES = {
    "internal": ["#0072B2", "#56B4E9", "#004B75", "#8FCBEF", "#2E8FCC"],
    "external": ["#E69F00", "#D55E00", "#F0C65A", "#A86F00", "#F5A35C"],
}

ACTIVITY_KIND_COLOURS = {
    "customer touch by internal rep": INTERNAL,
    "customer touch by external rep": EXTERNAL,
    "cross-team exchange": "#009E73",
    "within-team exchange": NEUTRAL,
}


def team_colours(team_kinds: dict[str, str]) -> dict[str, str]:
    """team_id -> colour, from {team_id: kind} (all teams of the database, not a filtered subset,
    so that filtering never changes a team's colour)."""
    colours, used = {}, {"internal": 0, "external": 0}
    for team_id in sorted(team_kinds):
        kind = team_kinds[team_id]
        shades = _SHADES.get(kind, [NEUTRAL])
        colours[team_id] = shades[used.get(kind, 0) % len(shades)]
        used[kind] = used.get(kind, 0) + 1
    return colours
