"""Many people using one dashboard at once: simultaneous sessions of a running Tandem.

Each session speaks Streamlit's own websocket protocol (the one a browser speaks, without
drawing the page): it asks for a script run with the URL, the page and the widgets it
changed, reads the page's elements back, picks its next interaction among those
elements (page switches, filter changes, slider moves, deal clicks, downloads) with its
own seeded random generator, and keeps a digest of what the page shows after each one.

`drive` first runs every script alone (the single-session answers), then all sessions at
once, and compares answer by answer: the same interaction in the same state must show the
same page, whoever else is using the server. The reliability suite (tests/test_sessions.py),
`python -m tandem soak` and the benchmark use it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Widgets a session never touches: the export control builds a deck with a browser (seconds
# of work measured by the benchmark), saved views write a file.
UNTOUCHED_PREFIXES = ("export_", "deals_view_name", "deals_save_view")
SEARCH_TEXTS = ("", "a", "Deal", "**bold** [x](http://example.test)", "=cmd|' /C calc'!A0", "Ünïcödé", "' or 1=1 --")
INTERACTION_TIMEOUT_S = 180


# -- the server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def peak_rss_mb(self) -> float:
        """The server's peak resident memory so far (Linux: VmHWM)."""
        return _status_kb(self.process.pid, "VmHWM") / 1024

    def rss_mb(self) -> float:
        return _status_kb(self.process.pid, "VmRSS") / 1024

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _status_kb(pid: int, field_name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field_name} for process {pid}")


def app_env(db: str | os.PathLike, **extra: str) -> dict[str, str]:
    """The environment of a dashboard on database `db` (no Streamlit settings inherited)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    return {**env, "TANDEM_DB": str(db), **extra}


def wait_until_healthy(port: int, process: subprocess.Popen, log: Path, timeout: float) -> None:
    """Until the Streamlit server on `port` answers its health check; RuntimeError with its log
    when the process ends or `timeout` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("Streamlit did not start:\n" + log.read_text(errors="replace"))
        time.sleep(0.3)


@contextlib.contextmanager
def serve(db: str | os.PathLike, log: str | os.PathLike, timeout: float = 120, env: dict | None = None):
    """`streamlit run dashboard.py` on database `db` on a free loopback port; yields a `Server`."""
    port = free_port()
    log = Path(log)
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env or app_env(db), stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            wait_until_healthy(port, process, log, timeout)
            yield Server(f"http://127.0.0.1:{port}", process, log)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, 15)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a server stuck in a query does not stop on SIGTERM
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, 9)
                process.wait(timeout=30)


# -- one session ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One interaction: `kind` page | widget | row | download, on `target` (a page's URL path,
    a widget's key, a table's position on the page, a download button's key), to `value`."""
    kind: str
    target: str
    value: object = None

    def __str__(self) -> str:
        return f"{self.kind} {self.target}" + ("" if self.value is None else f" = {self.value!r}")


@dataclass
class Answer:
    step: Step
    page: str
    digest: str  # of what the page shows (main area and sidebar)
    seconds: float
    exceptions: list[str] = field(default_factory=list)
    sidebar_text: str = ""
    lines: list[str] = field(default_factory=list)  # what the digest hashes, readable: for a mismatch's diff


class SessionError(Exception):
    """The server closed the session or did not answer in time."""


class Session:
    """One browser tab's worth of conversation with the server, without the drawing."""

    def __init__(self, url: str, rng_seed: int, slider_limits: tuple[tuple[str, int, int], ...] = ()):
        self.url = url
        self.rng = random.Random(rng_seed)
        self.slider_limits = {key: (low, high) for key, low, high in slider_limits}  # key -> the values it may take
        self.query = ""
        self.page = ""  # URL path of the current page ("" = the weekly review)
        self.pages: dict[str, str] = {}  # URL path -> page script hash
        self.tree = None
        self._ws = None
        self._session_id = ""
        self._pending: dict[str, asyncio.Future] = {}

    async def __aenter__(self) -> "Session":
        import websockets

        host = self.url.split("//", 1)[1]
        self._ws = await websockets.connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], max_size=None,
                                            open_timeout=60, ping_interval=None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def open(self, page: str = "", query: str = "") -> Answer:
        """The first run of the session: what a browser does when it opens `/<page>?<query>`."""
        self.query = query
        return await self._rerun(Step("page", page), page_name=page)

    async def sign_in(self, name: str, password: str) -> Answer:
        """The sign-in form filled in and submitted, as a person does (the form's widgets and
        its submit button in one run)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        states = []
        for key, value in (("sign_in_name", name), ("sign_in_password", password)):
            state = WidgetState()
            state.id, state.string_value = self._widget(key).id, value
            states.append(state)
        submit = next((node for node in _widgets(self.tree) if node.type == "button" and node.proto.is_form_submitter),
                      None)
        if submit is None:
            raise SessionError(f"no sign-in form on page {self.page!r}")
        state = WidgetState()
        state.id, state.trigger_value = submit.id, True
        # with the page's hash, as a browser sends it
        return await self._rerun(Step("sign_in", name), page_hash=self.pages.get(self.page, ""), page_name=self.page,
                                 states=[*states, state], keep_query=True)

    async def do(self, step: Step) -> Answer:
        if step.kind == "page":
            return await self._rerun(step, page_hash=self.pages[step.target])
        if step.kind == "download":
            return await self._download(step)
        # a widget's rerun is for the current page, with the URL as the page left it
        return await self._rerun(step, page_hash=self.pages.get(self.page, ""), states=[self._widget_state(step)],
                                 keep_query=True)

    # the protocol
    async def _receive(self):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        message = ForwardMsg()
        try:
            message.ParseFromString(await asyncio.wait_for(self._ws.recv(), INTERACTION_TIMEOUT_S))
        except (TimeoutError, asyncio.TimeoutError):
            raise SessionError(f"no answer within {INTERACTION_TIMEOUT_S} s") from None
        except Exception as error:  # the connection closed
            raise SessionError(f"the server closed the session: {error}") from None
        return message

    async def _rerun(self, step: Step, page_hash: str = "", page_name: str = "", states=(),
                     keep_query: bool = False) -> Answer:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.testing.v1.element_tree import parse_tree_from_messages

        back = BackMsg()
        client = back.rerun_script
        client.query_string = self.query if keep_query or not page_hash else ""
        client.page_script_hash = page_hash
        client.page_name = page_name
        client.widget_states.widgets.extend(states)
        started = time.perf_counter()
        await self._ws.send(back.SerializeToString())
        messages = []
        while True:
            message = await self._receive()
            kind = message.WhichOneof("type")
            if kind == "new_session":
                self._session_id = message.new_session.initialize.session_id
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in message.navigation.app_pages}
                current = message.navigation.page_script_hash
                self.page = next((path for path, h in self.pages.items() if h == current), self.page)
            elif kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "delta":
                messages.append(message)
            elif kind == "script_finished":
                status = message.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    messages = []  # st.rerun(): the next run draws the page again
                    continue
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise SessionError("the page did not compile")
                break
        seconds = time.perf_counter() - started
        self.tree = parse_tree_from_messages(_latest_at_each_path(messages))
        return self._answer(step, seconds)

    def _answer(self, step: Step, seconds: float) -> Answer:
        main, sidebar = self.tree.main, self.tree.sidebar
        lines = _page_lines([main, sidebar])
        return Answer(step, self.page, _digest(lines), seconds,
                      exceptions=[f"{e.message}" for e in self.tree.exception],
                      sidebar_text="\n".join(m.value for m in sidebar.caption), lines=lines)

    def _widget(self, key: str):
        for node in _widgets(self.tree):
            if _key(node) == key:
                return node
        raise SessionError(f"no widget {key!r} on page {self.page!r}")

    def _widget_state(self, step: Step):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        state = WidgetState()
        if step.kind == "row":
            table = _selectable_tables(self.tree)[int(step.target)]
            state.id = table.proto.id
            state.string_value = json.dumps({"selection": {"rows": [step.value], "columns": [], "cells": []}})
            return state
        node = self._widget(step.target)
        state.id = node.id
        kind, value = node.type, step.value
        if kind in ("multiselect", "button_group"):
            state.string_array_value.data[:] = list(value)
        elif kind in ("selectbox", "radio", "text_input"):
            state.string_value = value
        elif kind in ("toggle", "checkbox"):
            state.bool_value = value
        elif kind == "slider":
            state.double_array_value.data[:] = [value]
        elif kind == "number_input":
            if node.proto.data_type == node.proto.INT:
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        elif kind == "date_input":
            state.string_array_value.data[:] = [day.isoformat() for day in value]
        else:
            raise SessionError(f"cannot set a {kind}")
        return state

    async def _download(self, step: Step) -> Answer:
        """What a click on a download button fetches: its file's bytes (a deferred file is made
        by the server on request, as the browser asks for it)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        started = time.perf_counter()
        proto = self._widget(step.target).proto
        url = proto.url
        if proto.HasField("deferred_file_id"):
            back = BackMsg()
            request = back.backend_operation_request
            request.request_id = f"{step.target}-{time.monotonic_ns()}"
            request.session_id = self._session_id
            request.deferred_file.file_id = proto.deferred_file_id
            await self._ws.send(back.SerializeToString())
            while True:
                message = await self._receive()
                if message.WhichOneof("type") == "backend_operation_response":
                    response = message.backend_operation_response
                    if response.request_id != request.request_id:
                        continue
                    if response.error_msg:
                        return Answer(step, self.page, "", time.perf_counter() - started, [response.error_msg])
                    url = response.deferred_file.url
                    break
        try:
            body = await asyncio.to_thread(lambda: urllib.request.urlopen(self.url + url, timeout=120).read())
        except OSError as error:
            return Answer(step, self.page, "", time.perf_counter() - started, [f"download {url}: {error}"])
        return Answer(step, self.page, _file_digest(body), time.perf_counter() - started)

    # choosing the next interaction
    def next_step(self) -> Step:
        """A random interaction among those the current page offers (seeded: the same page
        gives the same choice in every session that follows the same script)."""
        rng = self.rng
        widgets = [node for node in _widgets(self.tree) if _settable(node)]
        downloads = [node for node in _widgets(self.tree) if node.type == "download_button"]
        tables = [(i, _rows(t)) for i, t in enumerate(_selectable_tables(self.tree))]
        tables = [(i, rows) for i, rows in tables if rows]
        kinds = ["page"] * 2 + ["widget"] * 6 + ["row"] * (3 if tables else 0) + ["download"] * (2 if downloads else 0)
        kind = rng.choice(kinds) if widgets else "page"
        if kind == "page":
            return Step("page", rng.choice(sorted(p for p in self.pages if p != self.page)))
        if kind == "download":
            return Step("download", _key(rng.choice(downloads)))
        if kind == "row":
            position, rows = rng.choice(tables)
            return Step("row", str(position), rng.randrange(min(rows, 20)))
        node = rng.choice(widgets)
        return Step("widget", _key(node), _random_value(rng, node, self.slider_limits.get(_key(node))))


def _latest_at_each_path(messages: list) -> list:
    """The run's deltas without an element that a block replaced later at the same place (as
    the browser draws them). Streamlit's queue merges such pairs when they leave in one flush
    (`st.empty()` then `.container()`), but sends both when a flush falls between them, and
    the test tree cannot put a block over an element. (An element that replaces a block later,
    as `form.empty()` does, stays: the tree handles that one.)"""
    kept, later_blocks = [], set()
    for message in reversed(messages):
        path, kind = tuple(message.metadata.delta_path), message.delta.WhichOneof("type")
        if kind == "add_block":
            later_blocks.add(path)
        elif kind == "new_element" and path in later_blocks:
            continue
        kept.append(message)
    return kept[::-1]


def _widgets(tree):
    from streamlit.testing.v1.element_tree import Widget

    return [node for node in tree if isinstance(node, Widget)] if tree is not None else []


def _key(node) -> str:
    return node.key or node.id


def _settable(node) -> bool:
    key = _key(node)
    if node.type not in ("multiselect", "button_group", "selectbox", "radio", "text_input", "toggle", "slider",
                         "number_input", "date_input"):
        return False
    return not key.startswith(UNTOUCHED_PREFIXES) and not node.proto.disabled


def _selectable_tables(tree):
    return [node for node in tree if node.type == "dataframe" and len(node.proto.selection_mode)] \
        if tree is not None else []


def _rows(table) -> int:
    try:
        return len(table.value)
    except Exception:  # a table the test tree cannot decode: not clicked
        return 0


def _random_value(rng: random.Random, node, limits: tuple[int, int] | None = None):
    kind, proto = node.type, node.proto
    if kind == "multiselect":
        return rng.sample(list(proto.options), k=min(len(proto.options), rng.choice([0, 1, 1, 2])))
    if kind == "button_group":
        options = [option.content for option in proto.options]
        if proto.click_mode == proto.SINGLE_SELECT:
            return [rng.choice(options)]
        return rng.sample(options, k=rng.randint(1, len(options)))
    if kind in ("selectbox", "radio"):
        return rng.choice(list(proto.options))
    if kind == "text_input":
        return rng.choice(SEARCH_TEXTS)
    if kind == "toggle":
        return rng.random() < 0.5
    if kind == "slider":
        low, high, step = proto.min, proto.max, proto.step or 1
        if limits:
            low, high = max(low, limits[0]), min(high, limits[1])
        return low + step * rng.randint(0, int((high - low) / step))
    if kind == "number_input":
        low = proto.min if proto.has_min else 0
        high = proto.max if proto.has_max else low + 20
        return rng.randint(int(low), int(min(high, low + 60)))
    if kind == "date_input":
        first = dt.date.fromisoformat(proto.min)
        last = dt.date.fromisoformat(proto.max)
        length = rng.choice([1, 7, 28, (last - first).days + 1])
        end = last - dt.timedelta(days=rng.randint(0, max(0, (last - first).days - length + 1)))
        return [max(first, end - dt.timedelta(days=length - 1)), end]
    raise ValueError(kind)


def _file_digest(body: bytes) -> str:
    """A downloaded file's content; for a workbook, its sheets and styles without the time it
    was written at (docProps/core.xml, the Filters sheet's "Exported at" minute), which differs
    between two identical downloads a minute apart."""
    if not body.startswith(b"PK"):
        return hashlib.sha256(body).hexdigest()
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        for name in sorted(book.namelist()):
            if name != "docProps/core.xml":
                part = re.sub(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", b"(minute)", book.read(name))
                digest.update(name.encode() + b"\0" + part)
    return digest.hexdigest()


# A widget's value fields say how the server set it (from the session or as the browser holds
# it), which differs between a session's first run and later ones for the same page: left out
# of the digest, which keeps the widget's label and options (the values show in the page).
_WIDGET_VALUE_FIELDS = ("value", "values", "raw_value", "raw_values", "default", "set_value")


def _page_lines(blocks) -> list[str]:
    """What the page shows, one line per element: its type, a hash of its content and the
    content's start, readable (a download's file id is left out: it is a random handle, not
    content)."""
    from google.protobuf import text_format
    from streamlit.testing.v1.element_tree import Widget

    lines = []
    for block in blocks:
        for node in block:
            proto = getattr(node, "proto", None)
            if proto is None or node.type == "download_button":
                lines.append(f"{node.type}|{getattr(node, 'label', '')}")
                continue
            if isinstance(node, Widget):
                proto = type(proto).FromString(proto.SerializeToString())
                for name in _WIDGET_VALUE_FIELDS:
                    if name in proto.DESCRIPTOR.fields_by_name:
                        proto.ClearField(name)
            body = proto.SerializeToString(deterministic=True)
            # readable only when small: a table's text would be megabytes, built for every answer
            readable = text_format.MessageToString(proto, as_one_line=True)[:300] if len(body) < 4096 \
                else f"({len(body)} bytes)"
            lines.append(f"{node.type}|{hashlib.sha256(body).hexdigest()[:16]}|{readable}")
    return lines


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _difference(alone: list[str], together: list[str], most: int = 12) -> str:
    """The lines where a page differs from the same page in a session alone, as a diff."""
    import difflib

    lines = [line for line in difflib.unified_diff(alone, together, "alone", "together", n=0, lineterm="")][2:]
    return "".join(f"\n    {line}" for line in lines[:most]) + (f"\n    … {len(lines) - most} more" if len(lines) > most else "")


# -- many sessions ----------------------------------------------------------------------------

@dataclass
class Script:
    """A session's interactions: its seed (its random choices), where it opens and, on a
    server with sign-in, who signs in (user name, password) before the first interaction."""
    seed: int
    interactions: int
    page: str = ""
    query: str = ""
    slider_limits: tuple[tuple[str, int, int], ...] = ()  # (key, lowest, highest): sliders kept in a range
    user: tuple[str, str] | None = None


async def play(url: str, script: Script, start: asyncio.Event | None = None, think_s: float = 0.0) -> list[Answer]:
    """One session through its script; the answers in order (the opening first). With
    `think_s`, the session waits between an answer and its next click, 0.5 to 1.5 times that
    long (a person reading the page); the times of the answers do not include the wait."""
    pause = random.Random(script.seed)  # its own generator: the script's choices stay the same
    async with Session(url, script.seed, script.slider_limits) as session:
        if start is not None:
            await start.wait()
        answers = [await session.open(script.page, script.query)]
        if script.user is not None:
            answers = [await session.sign_in(*script.user)]  # the page, signed in, is the opening answer
        for _ in range(script.interactions):
            if think_s:
                await asyncio.sleep(think_s * pause.uniform(0.5, 1.5))
            answers.append(await session.do(session.next_step()))
        return answers


@dataclass
class Run:
    """The outcome of `drive`: every session's answers, the single-session answers of each
    script, and the server's memory."""
    alone: list[list[Answer]]
    together: list[list[Answer]]
    scripts: list[Script]
    peak_rss_mb: float
    rss_samples_mb: list[float]
    seconds: float

    @property
    def interactions(self) -> int:
        return sum(len(answers) - 1 for answers in self.together)

    def mismatches(self) -> list[str]:
        """Every concurrent answer that differs from the same interaction in a session alone."""
        found = []
        for number, answers in enumerate(self.together):
            reference = self.alone[number % len(self.alone)]
            for position, (got, want) in enumerate(zip(answers, reference)):
                if got.step != want.step or got.digest != want.digest:
                    found.append(f"session {number}, interaction {position} ({got.step} on {got.page or 'home'}): "
                                 f"{'another step' if got.step != want.step else 'another page'} than alone "
                                 f"({want.step})" + _difference(want.lines, got.lines))
                    break  # the rest of this session follows another path
            if len(answers) != len(reference):
                found.append(f"session {number}: {len(answers)} answers, alone {len(reference)}")
        return found

    def exceptions(self) -> list[str]:
        return [f"{a.step} on {a.page or 'home'}: {e}" for answers in self.alone + self.together
                for a in answers for e in a.exceptions]

    def times(self) -> list[float]:
        return [a.seconds for answers in self.together for a in answers[1:]]

    def percentile(self, p: float) -> float:
        times = sorted(self.times())
        return times[min(len(times) - 1, int(round(p / 100 * (len(times) - 1))))] if times else float("nan")

    def summary(self) -> str:
        times = self.times()
        return (f"{len(self.together)} sessions x {self.interactions // max(1, len(self.together))} interactions "
                f"({self.interactions} in all) in {self.seconds:.1f} s; interaction time median "
                f"{statistics.median(times):.3f} s, p95 {self.percentile(95):.3f} s, max {max(times):.3f} s; "
                f"{len(self.mismatches())} answers unlike a single session's, {len(self.exceptions())} exceptions; "
                f"server peak RSS {self.peak_rss_mb:.0f} MB")


async def _together(url: str, scripts: list[Script], server: Server | None, samples: list[float],
                    think_s: float = 0.0) -> list:
    start = asyncio.Event()
    tasks = [asyncio.create_task(play(url, script, start, think_s)) for script in scripts]

    async def sample():
        while not all(task.done() for task in tasks):
            if server is not None:
                samples.append(server.rss_mb())
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    await asyncio.sleep(0.2)  # every websocket open before the first run
    start.set()
    results = await asyncio.gather(*tasks)
    await sampler
    return list(results)


def run_sync(coroutine):
    """`asyncio.run` on a thread of its own: the caller's thread may already run an event loop
    (Playwright's sync API keeps one running for a whole test session)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def drive(server: Server, sessions: int = 20, interactions: int = 50, distinct_scripts: int = 4, seed: int = 0,
          openings: tuple[tuple[str, str], ...] = (("", ""),),
          slider_limits: tuple[tuple[str, int, int], ...] = (), think_s: float = 0.0,
          users: tuple[tuple[str, str], ...] = (), alone_server=None) -> Run:
    """Run `distinct_scripts` scripts alone, one after the other, then `sessions` sessions at
    once (session k follows script k mod distinct_scripts) and return both sets of answers.
    With `users` ((name, password), ...), script k signs in as user k mod len(users) first.
    With `alone_server` (a function giving a context manager of a `Server`), each script runs
    alone on a server of its own, whose caches no other user has filled."""
    scripts = [Script(seed * 1000 + k, interactions, *openings[k % len(openings)], slider_limits=slider_limits,
                      user=users[k % len(users)] if users else None)
               for k in range(distinct_scripts)]
    alone = []
    for script in scripts:
        with alone_server() if alone_server else contextlib.nullcontext(server) as reference:
            alone.append(run_sync(play(reference.url, script)))
    samples: list[float] = []
    started = time.perf_counter()
    together = run_sync(_together(server.url, [scripts[k % distinct_scripts] for k in range(sessions)], server,
                                     samples, think_s))
    return Run(alone, together, scripts, server.peak_rss_mb(), samples, time.perf_counter() - started)


# -- the soak: longer, bigger -----------------------------------------------------------------

SOAK_PASSWORD = "soak-only password"  # of the throwaway users file `soak --roles` writes


def soak_users(db: str | os.PathLike, folder: Path) -> tuple[Path, tuple[tuple[str, str], ...]]:
    """A users file in `folder` with a director and one manager per agency of `db`, and their
    (name, password) pairs, for `soak --roles`."""
    from tandem.cli.bench import agencies
    from tandem.data.users import User, hash_password, save_users

    hashed = hash_password(SOAK_PASSWORD)
    users = {"director": User("director", "director", password_hash=hashed)}
    for number, agency in enumerate(agencies(str(db)), start=1):
        users[f"agency{number}"] = User(f"agency{number}", "agency_manager", agency=agency, password_hash=hashed)
    path = save_users(users, folder / "soak-users.toml")
    return path, tuple((name, SOAK_PASSWORD) for name in users)


def soak(db: Path, sessions: int, interactions: int, scripts: int, rounds: int, log_dir: Path,
         say=print, slider_limits: tuple[tuple[str, int, int], ...] = (), think_s: float = 0.0,
         roles: bool = False) -> list[Run]:
    """`rounds` runs of `drive` (another seed each) on one server: a memory that keeps growing
    from round to round is a leak; every round must also match its single-session answers.
    With `roles`, sign-in is on and the scripts sign in as the director and each agency's
    manager in turn, each run alone on a server of its own for its reference answers."""
    runs = []
    env, users, alone_server = None, (), None
    if roles:
        path, users = soak_users(db, log_dir)
        env = app_env(db, TANDEM_USERS=str(path), TANDEM_AUDIT=str(log_dir / "soak-audit.jsonl"))
        say(f"signed in as {', '.join(name for name, _ in users)} ({path})")

        def alone_server():
            return serve(db, log_dir / "soak-alone-streamlit.log", env=env)
    with serve(db, log_dir / "soak-streamlit.log", env=env) as server:
        for number in range(rounds):
            try:
                run = drive(server, sessions=sessions, interactions=interactions, distinct_scripts=scripts,
                            seed=number, slider_limits=slider_limits, think_s=think_s, users=users,
                            alone_server=alone_server)
            except SessionError as error:  # a session got no answer: the soak failed, say where and stop
                say(f"round {number + 1}/{rounds}: {error}; server peak RSS {server.peak_rss_mb():.0f} MB")
                runs.append(None)
                break
            runs.append(run)
            say(f"round {number + 1}/{rounds}: {run.summary()}; RSS at the end {server.rss_mb():.0f} MB")
            for line in (run.mismatches() + run.exceptions())[:10]:
                say(f"  {line}")
        if "Traceback" in server.log_text():
            say(f"the server logged a traceback: see {server.log}")
    return runs
