"""The two commands of README.md, run verbatim from a clean copy of the repository.

A clean copy holds exactly what git would commit (tracked and new, not ignored, files),
so no database and no cache: what a newcomer gets from a fresh clone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser import streamlit_server, wait_until_rendered

ROOT = Path(__file__).resolve().parent.parent
NESTED = "TANDEM_README_NESTED_RUN"  # set for the nested suite run, which cannot contain itself


def readme_command(name: str) -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- command: {name} -->\s*```bash\n(.+?)\n```", text, re.S)
    assert match, f"README.md has no '{name}' command block"
    return match.group(1).strip()


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory) -> Path:
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\0")
    target = tmp_path_factory.mktemp("clone") / "tandem"
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not (target / "data" / "tandem.duckdb").exists()
    # a clone is a git checkout: commit the snapshot so that git commands work in it too
    git = ["git", "-c", "user.name=tandem-tests", "-c", "user.email=tests@localhost"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "clean copy"]):
        subprocess.run(git + command, cwd=target, check=True, capture_output=True)
    return target


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TANDEM_", "STREAMLIT_", "PYTEST_"))}
    env.update(extra)
    return env


def test_ci_runs_exactly_the_readme_test_command():
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
             if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert lines == [readme_command("test")]


def test_start_command_builds_the_demo_database_and_shows_the_app(clean_copy, tmp_path, browser):
    with streamlit_server(readme_command("start"), clean_copy, clean_env(), tmp_path / "streamlit.log") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(url)
        # first start: the page shows the build's progress beside the navigation (not the
        # file names of pages/), then the app
        page.get_by_text("First start", exact=False).wait_for(timeout=180_000)
        navigation = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Contested deals" in navigation and "contested_deals" not in navigation, navigation
        page.get_by_text("Weekly review").first.wait_for(timeout=180_000)
        wait_until_rendered(page)
        page.screenshot(path=tmp_path / "first_start.png")
        assert page.locator("[data-testid='stException']").count() == 0
        assert "Demo data" in page.inner_text("[data-testid='stApp']")
        # the tab icon comes from the app itself (works offline), and viewers get no "Deploy"
        icons = page.evaluate("Array.from(document.querySelectorAll('link[rel*=icon]')).map(l => l.href)")
        assert icons and all(icon.startswith(url) for icon in icons), icons
        assert page.get_by_role("button", name="Deploy").count() == 0
        page.close()
    assert (clean_copy / "data" / "tandem.duckdb").exists()


def test_test_command_passes_in_a_clean_copy(clean_copy):
    """The README's test command, exactly, in a clean copy of the repository; there it
    runs the smoke subset of tests/conftest.py (NESTED_RUN_SMOKE)."""
    result = subprocess.run(["bash", "-c", readme_command("test")], cwd=clean_copy,
                            env=clean_env(**{NESTED: "1"}), capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed.group(1)) >= 50, result.stdout[-2000:]  # the smoke subset ran, not nothing
