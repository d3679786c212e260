"""Helpers for browser tests: a Streamlit server on a free port, and a headless
Chromium page that waits until the app has finished running."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

from tandem.cli.sessions import free_port, wait_until_healthy

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def streamlit_server(command: str, cwd: Path, env: dict[str, str], log: Path, timeout: float = 120):
    """Run `command` (which starts Streamlit) with a free port; yields the base URL."""
    port = free_port()
    env = {**env, "STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_HEADLESS": "true",
           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    with open(log, "w") as out:
        server = subprocess.Popen(["bash", "-c", command], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            wait_until_healthy(port, server, log, timeout)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)


def app_env(db) -> dict[str, str]:
    """The environment of a dashboard on database `db` (no Streamlit settings inherited)."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}, "TANDEM_DB": str(db)}


def dashboard_server(db, log: Path):
    """`streamlit run dashboard.py` on database `db`, logging to `log`; yields the base URL."""
    return streamlit_server("streamlit run dashboard.py", ROOT, app_env(db), log)


def wait_until_rendered(page, timeout_ms: int = 120_000) -> None:
    """The script has run, no skeleton is left, and every chart has drawn."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_function("document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0",
                           timeout=timeout_ms)
    if page.locator("[data-testid='stPlotlyChart']").count():
        page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=timeout_ms)
    page.wait_for_timeout(500)
