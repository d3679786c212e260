"""URL parameters to filters: valid values kept, everything else ignored with a notice."""

import datetime as dt

import pytest

from tandem.model.filters import Filters, Options, from_url

OPTIONS = Options(teams={"int-a": "Inside A", "ext-x": "Agency X"}, regions=("North", "South"),
                  segments=("smb", "enterprise"), first_day=dt.date(2025, 1, 1), last_day=dt.date(2025, 12, 31))
DEFAULT = Filters(start=dt.date(2025, 10, 6), end=dt.date(2025, 12, 29))


@pytest.mark.parametrize("url, expected, notices", [
    ({}, DEFAULT, []),
    ({"start": ["2025-02-01"], "end": ["2025-03-01"], "team": ["ext-x", "int-a", "ext-x"], "region": ["South"],
      "segment": ["smb"], "attribution": ["source"], "presentation": ["1"]},
     Filters(dt.date(2025, 2, 1), dt.date(2025, 3, 1), ("ext-x", "int-a"), ("South",), ("smb",), "source", True), []),
    ({"start": ["2025-03-01"], "end": ["2025-02-01"]}, DEFAULT,
     ["Ignored the period from the URL: the end 2025-02-01 is not after the start 2025-03-01."]),
    ({"start": ["2030-01-01"], "end": ["2030-02-01"]}, DEFAULT,
     ["Ignored the period 2030-01-01 to 2030-02-01 from the URL: the data covers 2025-01-01 to 2025-12-31."]),
    # a period partly outside the data is cut to the data (last day 2025-12-31: end 2026-01-01)
    ({"start": ["2025-12-01"], "end": ["2026-03-01"]}, Filters(dt.date(2025, 12, 1), dt.date(2026, 1, 1)),
     ["The period 2025-12-01 to 2026-03-01 from the URL reaches beyond the data (2025-01-01 to 2025-12-31): "
      "showing 2025-12-01 to 2026-01-01 (end excluded)."]),
    ({"start": ["2020-01-01"], "end": ["2025-02-01"]}, Filters(dt.date(2025, 1, 1), dt.date(2025, 2, 1)),
     ["The period 2020-01-01 to 2025-02-01 from the URL reaches beyond the data (2025-01-01 to 2025-12-31): "
      "showing 2025-01-01 to 2025-02-01 (end excluded)."]),
    ({"start": ["2025-12-31"], "end": ["2026-01-01"]}, Filters(dt.date(2025, 12, 31), dt.date(2026, 1, 1)), []),
    ({"start": ["2024-12-01"], "end": ["2025-01-01"]}, DEFAULT,
     ["Ignored the period 2024-12-01 to 2025-01-01 from the URL: the data covers 2025-01-01 to 2025-12-31."]),
    ({"start": ["2025-01-01"]}, DEFAULT,
     ["Ignored the period from the URL (start '2025-01-01', end ''): dates must look like 2026-11-23."]),
    ({"team": ["int-a", "'; drop table teams; --"]}, Filters(DEFAULT.start, DEFAULT.end, teams=("int-a",)),
     ["Ignored the unknown team \"'; drop table teams; --\" from the URL."]),
    ({"region": ["a", "b", "c", "d"]}, DEFAULT, ["Ignored the unknown regions 'a', 'b', 'c' and more from the URL."]),
    ({"attribution": ["owner", "source"]}, DEFAULT, ["The URL gives attribution 2 times; the first value was used."]),
    ({"week": ["2025-W10"]}, DEFAULT, []),  # a page's own key
    ({"x" * 100: ["1"]}, DEFAULT, [f"Ignored the unknown URL parameter '{'x' * 40}…'."]),
])
def test_from_url(url, expected, notices):
    assert from_url(url, OPTIONS, DEFAULT, extra_keys=("week",)) == (expected, notices)


def test_to_url_leaves_defaults_out_and_round_trips():
    assert DEFAULT.to_url(DEFAULT) == {}
    chosen = Filters(dt.date(2025, 2, 1), dt.date(2025, 3, 1), ("ext-x",), (), ("smb", "enterprise"), "source", True)
    url = chosen.to_url(DEFAULT)
    as_lists = {k: v if isinstance(v, list) else [v] for k, v in url.items()}
    assert from_url(as_lists, OPTIONS, DEFAULT) == (chosen, [])


def test_params_are_what_the_queries_bind():
    assert DEFAULT.params("start", "teams", "attribution") == {
        "start": dt.datetime(2025, 10, 6), "teams": [], "attribution": "owner"}
