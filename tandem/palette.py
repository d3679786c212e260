"""Colours shared by every chart: internal vs external first, then per activity kind.

Internal is blue and external orange everywhere; the pairs are colour-blind safe
(Okabe-Ito) and readable on a projector.
"""

INTERNAL = "#0072B2"
EXTERNAL = "#E69F00"
KIND_COLOURS = {"internal": INTERNAL, "external": EXTERNAL}

ACTIVITY_KIND_COLOURS = {
    "customer touch by internal rep": INTERNAL,
    "customer touch by external rep": EXTERNAL,
    "cross-team exchange": "#009E73",
    "within-team exchange": "#999999",
}
