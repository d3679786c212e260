"""Reference statistics for the tests, written independently of the SQL macros."""

from __future__ import annotations

import math

Z = 1.959963984540054  # the 97.5% normal quantile (definitions.md "Win rate")


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson 95% score interval, textbook form."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half
