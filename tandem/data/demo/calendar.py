"""Business time: the period, and a calendar that places activity in office hours.

Times are whole seconds counted from the start of the period; the period is [0, END).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

DAY = 86_400
PERIOD_DAYS = 730
LIFECYCLE_DAYS = 450  # deals may run past the end; what happens after it is cut off
END = PERIOD_DAYS * DAY

# Relative activity per hour of the day: office hours, a lunch dip, little at night.
HOUR_WEIGHTS = np.array([
    0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.15, 0.7, 1.0, 1.0, 1.0,
    0.55, 0.8, 1.0, 1.0, 0.95, 0.6, 0.2, 0.08, 0.04, 0.03, 0.02, 0.01,
])


class Calendar:
    """Business time: a weight per hour from the period start to the lifecycle horizon.

    Sampling uniformly in cumulative weight (inverse CDF) gives office hours, weekends,
    summer and Christmas for every kind of row at once, fully vectorised. Times are whole
    seconds since the period start.
    """

    def __init__(self, start: dt.date, days: int):
        self.start = start  # the first day of the period, time 0
        dates = np.datetime64(start, "D") + np.arange(days)
        weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
        month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        day = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
        day_weight = np.select([weekday == 5, weekday == 6], [0.12, 0.05], 1.0)
        day_weight *= np.where(month == 8, 0.55, 1.0)  # summer holidays
        day_weight *= np.where((month == 12) & (day >= 24), 0.2, 1.0)  # Christmas to New Year
        day_weight *= np.where((month == 1) & (day == 1), 0.1, 1.0)
        day_weight *= 1.0 + 0.25 * np.arange(days) / PERIOD_DAYS  # the business grows
        self.hour_weight = (day_weight[:, None] * HOUR_WEIGHTS[None, :]).ravel()
        self.cumulative = np.concatenate([[0.0], np.cumsum(self.hour_weight)])
        # Calendar month of each day, counted from the start month (sorting activities).
        self.month_of_day = dates.astype("datetime64[M]").astype(np.int64)
        self.month_of_day -= self.month_of_day[0]
        self.month_start_day = np.searchsorted(self.month_of_day, np.arange(self.month_of_day[-1] + 1))

    def weight_until(self, t: np.ndarray) -> np.ndarray:
        hours = np.asarray(t, dtype=np.float64) / 3600.0
        hour = np.clip(np.floor(hours).astype(np.int64), 0, len(self.hour_weight) - 1)
        return self.cumulative[hour] + self.hour_weight[hour] * (hours - hour)

    def time_at(self, weight: np.ndarray) -> np.ndarray:
        hour = np.clip(np.searchsorted(self.cumulative, weight, side="right") - 1, 0, len(self.hour_weight) - 1)
        return (hour + (weight - self.cumulative[hour]) / self.hour_weight[hour]) * 3600.0

    def sample(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """One business-weighted time per row in [lo, hi) (whole seconds; lo when hi <= lo)."""
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.asarray(hi, dtype=np.int64)
        w_lo, w_hi = self.weight_until(lo), self.weight_until(hi)
        t = np.floor(self.time_at(w_lo + rng.random(np.broadcast(lo, hi).shape) * (w_hi - w_lo))).astype(np.int64)
        return np.clip(t, lo, np.maximum(hi - 1, lo))

    def month_key(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(calendar month index, seconds since that month began) of each time."""
        day = t // DAY
        month = self.month_of_day[day]
        return month, t - self.month_start_day[month] * DAY

