"""Array helpers shared by the tables of the demo."""

from __future__ import annotations

import numpy as np


def segment_offsets(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows repeated `counts` times per parent: (parent of each row, position within parent)."""
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return parent, np.arange(len(parent)) - starts[parent]
