"""Teams, scope rules and reps: the sales force, as seats held by reps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tandem.data.demo.arrays import segment_offsets
from tandem.data.demo.calendar import DAY, LIFECYCLE_DAYS, PERIOD_DAYS
from tandem.data.demo.cast import (
    FIRST_NAMES,
    INTERNAL_TEAMS,
    LAST_NAMES,
    REGIONS,
    SCOPE_RULES,
    TEAMS,
    Scale,
)


@dataclass(frozen=True)
class SalesForce:
    """Seats and the reps on them. A seat is a sales position (team, territory; territory k
    lies in region k % 5); a replaced seat has two reps in turn. Arrays are indexed by
    seat or by rep."""

    seat_team: np.ndarray
    seat_territory: np.ndarray
    seat_first_rep: np.ndarray
    seat_second_rep: np.ndarray  # the successor; the first rep again where nobody left
    seat_switch: np.ndarray  # when the successor took over (seconds)
    seat_candidates: np.ndarray  # [team, territory, slot]: the seats `pick_seats` draws from
    seat_candidate_counts: np.ndarray  # [team, territory]: how many slots are filled
    rep_team: np.ndarray
    rep_internal: np.ndarray
    rep_started_day: np.ndarray  # days since the period start, negative: hired before it
    rep_left_day: np.ndarray  # the horizon for reps who never left

    @property
    def n_reps(self) -> int:
        return len(self.rep_team)

    def pick_seats(self, rng: np.random.Generator, team: np.ndarray, territory: np.ndarray) -> np.ndarray:
        """A random seat of `team` in `territory` for each row."""
        count = self.seat_candidate_counts[team, territory]
        slot = np.floor(rng.random(len(count)) * count).astype(np.int64)
        return self.seat_candidates[team, territory, slot]

    def rep_at(self, seat: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The rep holding `seat` at time `t`."""
        return np.where(t >= self.seat_switch[seat], self.seat_second_rep[seat], self.seat_first_rep[seat])


def teams() -> pd.DataFrame:
    """The rows of the teams table (queries/demo/teams.sql)."""
    return pd.DataFrame([t[:4] for t in TEAMS], columns=["team_id", "name", "kind", "agency"])


def scope_rules() -> pd.DataFrame:
    """The rows of the scope_rules table (queries/demo/scope_rules.sql)."""
    return pd.DataFrame(list(SCOPE_RULES), columns=["team_id", "segment", "region", "stage_from", "stage_to"])


def sales_force(rng: np.random.Generator, scale: Scale) -> tuple[SalesForce, dict[str, np.ndarray]]:
    """Reps on seats, a few seats changing hands mid-period: the sales force and the rows of
    the reps table (queries/demo/reps.sql)."""
    seat_team = np.repeat(np.arange(len(TEAMS)), scale.seats)
    team_first_seat = np.cumsum(scale.seats) - scale.seats
    n_territories = len(REGIONS) * scale.territories_per_region
    seat_territory = (np.arange(len(seat_team)) - team_first_seat[seat_team] + 2 * seat_team) % n_territories
    n_seats = len(seat_team)
    replaced = np.zeros(n_seats, dtype=bool)
    replaced[rng.choice(n_seats, scale.replacements, replace=False)] = True
    switch_day = np.where(replaced, rng.integers(90, PERIOD_DAYS - 90, n_seats), PERIOD_DAYS + LIFECYCLE_DAYS)

    rep_seat, rep_turn = segment_offsets(1 + replaced.astype(np.int64))  # turn 1 = the successor
    n_reps = len(rep_seat)
    seat_first_rep = np.cumsum(1 + replaced) - (1 + replaced)
    rep_team = seat_team[rep_seat]
    candidates, counts = _seat_candidates(seat_team, seat_territory, n_territories)

    names = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), n_reps, replace=False)
    started = np.where(rep_turn == 1, switch_day[rep_seat] - 14, -rng.integers(60, 3_000, n_reps))
    has_left = replaced[rep_seat] & (rep_turn == 0)
    left_day = np.where(has_left, switch_day[rep_seat] - 1, PERIOD_DAYS + LIFECYCLE_DAYS)
    force = SalesForce(
        seat_team=seat_team, seat_territory=seat_territory,
        seat_first_rep=seat_first_rep, seat_second_rep=seat_first_rep + replaced, seat_switch=switch_day * DAY,
        seat_candidates=candidates, seat_candidate_counts=counts,
        rep_team=rep_team, rep_internal=INTERNAL_TEAMS[rep_team], rep_started_day=started, rep_left_day=left_day,
    )
    reps = {
        "i": np.arange(n_reps), "team": rep_team,
        "first": names // len(LAST_NAMES), "last": names % len(LAST_NAMES),
        "has_email": rng.random(n_reps) > 0.05,
        "started": started, "has_left": has_left, "left_day": left_day,
    }
    return force, reps


def _seat_candidates(seat_team: np.ndarray, seat_territory: np.ndarray,
                     n_territories: int) -> tuple[np.ndarray, np.ndarray]:
    """Seat candidates per (team, territory), falling back to the team's seats in the
    region, then to the whole team, where a team has no seat there (small scale)."""
    n_teams = len(TEAMS)
    width = int(np.bincount(seat_team, minlength=n_teams).max())
    candidates = np.zeros((n_teams, n_territories, width), dtype=np.int64)
    counts = np.zeros((n_teams, n_territories), dtype=np.int64)
    for team in range(n_teams):
        team_seats = np.flatnonzero(seat_team == team)
        for territory in range(n_territories):
            here = team_seats[seat_territory[team_seats] == territory]
            if not len(here):
                here = team_seats[seat_territory[team_seats] % len(REGIONS) == territory % len(REGIONS)]
            here = here if len(here) else team_seats
            candidates[team, territory, : len(here)] = here
            counts[team, territory] = len(here)
    return candidates, counts
