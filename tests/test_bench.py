"""`python -m tandem bench` runs end to end and reports every page and figure. Its
timings are not asserted here (they are the benchmark's business, docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys

from tandem.cli.bench import FIGURES, PAGES, RULES_MEASURED, render, render_markdown
from tandem.data.config import ROOT
from tandem.export.writers import FORMATS


def test_bench_small_runs_and_reports_every_page_and_figure(tmp_path):
    result = subprocess.run([sys.executable, "-m", "tandem", "bench", "--scale", "small", "--repeat", "1", "--json",
                             "--rules", "1", "--dir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["scale"] == "small" and report["repeat"] == 1
    assert {"cpu", "cores", "memory_gb", "python", "duckdb"} <= set(report["machine"])
    assert [p["page"] for p in report["pages"]] == [*PAGES, "summary"]
    for page in report["pages"]:
        assert page["errors"] == [], page
        assert 0 < page["duckdb_s"] and page["queries"] > 0 and page["peak_mb"] > 0
        assert page["cold_s"] > 0 and (page["warm_s"] is None) == (page["page"] == "summary")
        assert page["page"] == "summary" or page["scope_agencies"] == [None]  # open access: all the data
    [rule] = report["rules"]  # --rules 1: the first of RULES_MEASURED
    assert (rule["lookback_days"], rule["overlap_days"]) == RULES_MEASURED[0] != (30, 7)
    assert rule["page"]["page"] == "contested_deals" and rule["page"]["errors"] == []
    assert rule["page"]["rule_shown"] == list(RULES_MEASURED[0])
    assert rule["page"]["cold_s"] > 0 and rule["page"]["warm_s"] > 0 and rule["summary"]["cold_s"] > 0
    exports = report["exports"]
    assert exports["page"] == "contested_deals" and exports["peak_mb"] > 0
    assert all(exports[f"{kind}_s"] > 0 for kind in FORMATS)
    assert [f["figure"] for f in report["figures"]] == list(FIGURES)
    for figure in report["figures"]:
        for side in ("ours", "pandas"):
            assert figure[side]["first_s"] > 0 and figure[side]["next_s"] > 0 and figure[side]["peak_mb"] > 0
        assert figure["speedup_first"] > 0 and figure["memory_ratio"] > 0
    table = render(report)
    assert "weekly_review" in table and "contested_signals" in table and "cold s" in table
    assert "report of contested_deals: pptx " in table
    assert " 10 d,  3 d " in table and "| 10 d, 3 d |" in render_markdown(report)
    assert (tmp_path / "bench-small.duckdb").exists()  # built once, reused by later runs


def test_bench_refuses_a_bad_repeat():
    result = subprocess.run([sys.executable, "-m", "tandem", "bench", "--repeat", "0"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--repeat" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run([sys.executable, "-m", "tandem", "bench", "--rules", "6"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--rules must be 0 to 5" in result.stderr and "Traceback" not in result.stderr


def test_pages_only_report_has_no_figures_and_the_scale_target():
    """`--pages-only` (for xxl, whose pandas baseline would not fit in memory) reports the pages
    against that scale's cold target and no figure or report-format table."""
    from tandem.cli.bench import TARGETS, TARGETS_BY_SCALE

    page = {"page": "overview", "cold_s": 1.5, "warm_s": 0.1, "duckdb_s": 1.2, "queries": 4, "peak_mb": 900.0,
            "errors": []}
    result = {"scale": "xxl", "repeat": 1, "machine": {"cores": 2, "memory_gb": 23, "cpu": "x"},
              "pages": [page], "rules": [], "exports": None, "figures": [],
              "targets": {**TARGETS, **TARGETS_BY_SCALE["xxl"]}}
    table = render_markdown(result)
    assert "| page | cold s | warm s | DuckDB s | queries | peak MB | cold < 2 s |" in table
    assert "| overview | 1.500 | 0.100 | 1.200 | 4 | 900 | yes | yes |" in table
    assert "figure" not in table and "report of" not in table
    assert "overview" in render(result) and "figure" not in render(result)
    demo = render_markdown({**result, "scale": "demo", "targets": TARGETS})
    assert "cold < 1 s" in demo and "| overview | 1.500 | 0.100 | 1.200 | 4 | 900 | **no** | yes |" in demo


def test_bench_measures_the_pages_in_an_agency_managers_scope(tmp_path):
    """`--agency`: every query of every page ran in that agency's scope (and without it, in
    all the data's); an agency the database does not have is refused, naming those it has."""
    command = [sys.executable, "-m", "tandem", "bench", "--scale", "small", "--repeat", "1", "--rules", "0",
               "--pages-only", "--json", "--dir", str(tmp_path)]
    result = subprocess.run([*command, "--agency", "Brightline Partners"], cwd=ROOT, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["agency"] == "Brightline Partners"
    pages = [page for page in report["pages"] if page["page"] != "summary"]
    assert [page["page"] for page in pages] == list(PAGES)
    for page in pages:
        assert page["errors"] == [] and page["scope_agencies"] == ["Brightline Partners"], page
    assert "pages as the agency manager of Brightline Partners" in render_markdown(report)

    result = subprocess.run([*command, "--agency", "Nowhere Ltd"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no agency named 'Nowhere Ltd'" in result.stderr and "Brightline Partners" in result.stderr
