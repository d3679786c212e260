"""Weekly review arithmetic: changes and takeaway sentences."""

import pandas as pd
import pytest

from tandem.model.weekly import KPIS, Change, describe_change, format_against_baseline, format_delta, takeaway

BY_KEY = {k.key: k for k in KPIS}


def test_change_uses_the_previous_week_and_the_four_weeks_before():
    change = Change.of(pd.Series([100, 10, 20, 30, 40, 50, 60]))
    assert change == Change(value=60.0, previous=50.0, baseline=35.0)  # mean of 20, 30, 40, 50
    # a week without a value (no closed deal) is left out of the average
    assert Change.of(pd.Series([None, 0.5, None, 0.25])) == Change(value=0.25, previous=None, baseline=0.5)


@pytest.mark.parametrize("key, change, base, expected", [
    ("cross_emails", Change(68.0, 70.0, 100.0), None, "fell 32%"),
    ("touches_external", Change(118.0, 100.0, 100.0), None, "rose 18%"),
    ("created", Change(101.0, 100.0, 100.0), None, "held steady"),
    # under 10 on average: the counts, never "rose 700%" or "rose from none"
    ("created", Change(4.0, 1.0, 0.5), None, "rose to 4 from 0.5"),
    ("won", Change(3.0, 0.0, 0.0), None, "rose to 3 from 0"),
    ("won", Change(0.0, 0.0, 0.0), None, "held at 0"),
    ("created", Change(9.0, 9.0, 9.5), None, "fell to 9 from 9.5"),
    ("created", Change(12.0, 9.0, 10.0), None, "rose 20%"),
    # an amount is told in percent only over 10 deals on average behind it
    ("won_amount", Change(80_000.0, 0.0, 20_000.0), Change(3.0, 0.0, 2.0), "rose to 80,000 from 20,000"),
    ("won_amount", Change(80_000.0, 0.0, 50_000.0), Change(15.0, 0.0, 12.0), "rose 60%"),
    ("win_rate_internal", Change(0.55, 0.5, 0.5), None, "rose 5.0 points"),
    ("win_rate_internal", Change(None, 0.5, 0.5), None, "could not be measured (no deal closed this week)"),
    ("win_rate_internal", Change(0.5, None, None), None, None),
])
def test_describe_change(key, change, base, expected):
    assert describe_change(BY_KEY[key], change, base) == expected


def test_takeaway_sentence():
    changes = {"touches_internal": Change(68.0, 70.0, 100.0), "touches_external": Change(118.0, 100.0, 100.0)}
    assert takeaway("Customer touches", changes) == (
        "Against the 4-week average, customer touches by internal reps fell 32% while customer touches by "
        "external reps rose 18%.")
    three = {"created": Change(150.0, 1, 100.0), "won": Change(0.0, 1, 4.0), "won_amount": Change(0.0, 1, 9000.0)}
    assert takeaway("Deals", three) == ("Against the 4-week average, deals created rose 50% while deals won fell "
                                        "to 0 from 4 and won amount fell to 0 from 9,000.")
    assert takeaway("Win rate", {"win_rate_internal": Change(None, None, None),
                                 "win_rate_external": Change(None, None, None)}) == (
        "Win rate: no earlier weeks to compare with.")
    # a card that shows a 4-week average never sits beside "no earlier weeks"
    assert takeaway("Win rate", {"win_rate_internal": Change(None, 0.5, 0.5),
                                 "win_rate_external": Change(0.4, 0.3, 0.3)}) == (
        "Against the 4-week average, the internal win rate could not be measured (no deal closed this week) "
        "while the external win rate rose 10.0 points.")


@pytest.mark.parametrize("key, change, base, delta, against", [
    ("created", Change(8.0, 1.0, 0.5), None, "+7", "4-week average 0.5 · +7.5"),
    ("created", Change(120.0, 100.0, 100.0), None, "+20 (+20%)", "4-week average 100 · +20 (+20%)"),
    ("won_amount", Change(80_000.0, 20_000.0, 20_000.0), Change(2.0, 1.0, 3.0), "+60,000", "4-week average 20,000 · +60,000"),
    ("win_rate_external", Change(0.5, 0.25, None), None, "+25.0 pts", "4-week average: no earlier weeks"),
])
def test_card_deltas_follow_the_same_rule(key, change, base, delta, against):
    assert format_delta(BY_KEY[key], change, base) == delta
    assert format_against_baseline(BY_KEY[key], change, base) == against
