"""Weekly review arithmetic: changes and takeaway sentences."""

import pandas as pd
import pytest

from tandem.weekly import KPIS, Change, describe_change, takeaway

BY_KEY = {k.key: k for k in KPIS}


def test_change_uses_the_previous_week_and_the_four_weeks_before():
    change = Change.of(pd.Series([100, 10, 20, 30, 40, 50, 60]))
    assert change == Change(value=60.0, previous=50.0, baseline=35.0)  # mean of 20, 30, 40, 50
    # a week without a value (no closed deal) is left out of the average
    assert Change.of(pd.Series([None, 0.5, None, 0.25])) == Change(value=0.25, previous=None, baseline=0.5)


@pytest.mark.parametrize("key, change, expected", [
    ("cross_emails", Change(68.0, 70.0, 100.0), "fell 32%"),
    ("touches_external", Change(118.0, 100.0, 100.0), "rose 18%"),
    ("created", Change(101.0, 100.0, 100.0), "held steady"),
    ("won", Change(3.0, 0.0, 0.0), "rose from none"),
    ("won", Change(0.0, 0.0, 0.0), "held at none"),
    ("win_rate_internal", Change(0.55, 0.5, 0.5), "rose 5.0 points"),
    ("win_rate_internal", Change(None, 0.5, 0.5), None),
])
def test_describe_change(key, change, expected):
    assert describe_change(BY_KEY[key], change) == expected


def test_takeaway_sentence():
    changes = {"touches_internal": Change(68.0, 70.0, 100.0), "touches_external": Change(118.0, 100.0, 100.0)}
    assert takeaway("Customer touches", changes) == (
        "Customer touches by internal reps fell 32% while customer touches by external reps rose 18% "
        "against the 4-week average.")
    three = {"created": Change(150.0, 1, 100.0), "won": Change(0.0, 1, 4.0), "won_amount": Change(0.0, 1, 9.0)}
    assert takeaway("Deals", three) == ("Deals created rose 50% while deals won fell 100% and won amount fell 100% "
                                        "against the 4-week average.")
    assert takeaway("Win rate", {"win_rate_internal": Change(None, None, None),
                                 "win_rate_external": Change(None, None, None)}) == (
        "Win rate: not enough earlier weeks to compare.")
