"""The layers of docs/architecture.md: pages -> ui -> figures -> model -> data, and the
command line beside the pages. Every module's imports, read from its source, point down
or sideways, never up; Streamlit stays in the ui and the pages, Plotly out of the model
and the data."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tandem.data.config import ROOT

LAYERS = ("data", "model", "figures", "export", "ui")  # lowest first
MAY_IMPORT = {
    "data": {"data"},
    "model": {"data", "model"},
    "figures": {"data", "model", "figures"},
    "export": {"data", "model", "figures", "export"},
    "ui": {"data", "model", "figures", "export", "ui"},
    "cli": {"data", "model", "figures", "export", "ui", "cli"},  # the bench runs the pages through ui.app
    "pages": {"data", "model", "figures", "export", "ui"},
    "entry": {"cli"},  # tandem/__main__.py
    "package": set(),  # tandem/__init__.py
}
FORBIDDEN_PACKAGES = {  # third-party packages a layer must not import
    "data": {"streamlit", "plotly"},
    "model": {"streamlit", "plotly"},
    "figures": {"streamlit"},
    "export": {"streamlit"},
    "cli": {"streamlit"},  # except through the bench's AppTest, imported inside its functions
}


def layer_of(path: Path) -> str:
    relative = path.relative_to(ROOT)
    if relative.parts[0] == "pages" or relative == Path("dashboard.py"):
        return "pages"
    if relative == Path("tandem/__main__.py"):
        return "entry"
    if relative == Path("tandem/__init__.py"):
        return "package"
    assert relative.parts[0] == "tandem" and len(relative.parts) >= 3, f"{relative} is in no layer"
    return relative.parts[1]


def modules() -> list[Path]:
    return sorted([*ROOT.glob("tandem/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "dashboard.py"])


def imports(path: Path, top_level_only: bool = False) -> list[tuple[int, str]]:
    """(line, imported module) for every import of the file; `from tandem import x` gives
    tandem.x. With top_level_only, imports inside functions are left out."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "tandem":
                found += [(node.lineno, f"tandem.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def test_every_module_is_in_a_layer():
    loose = [p.name for p in ROOT.glob("tandem/*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert loose == []
    for layer in (*LAYERS, "cli"):
        package = ROOT / "tandem" / layer / "__init__.py"
        assert ast.get_docstring(ast.parse(package.read_text())), f"{layer} says what it may import"


def violations(layer: str, path: Path) -> list[str]:
    """The imports of the file at `path`, a module of `layer`, that go against the direction."""
    wrong = []
    for line, module in imports(path):
        parts = module.split(".")
        if parts[0] == "tandem":
            if len(parts) < 2 or parts[1] not in MAY_IMPORT[layer]:
                wrong.append(f"line {line}: {module}")
    for line, module in imports(path, top_level_only=True):
        if module.split(".")[0] in FORBIDDEN_PACKAGES.get(layer, set()):
            wrong.append(f"line {line}: {module}")
    return wrong


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path):
    assert violations(layer_of(path), path) == []


def test_the_check_sees_an_upward_import(tmp_path):
    """The check itself: a model module importing the ui, Streamlit or a page's layer is caught;
    Streamlit imported inside a function of the command line is not (the bench's AppTest)."""
    probe = tmp_path / "probe.py"
    probe.write_text("import datetime\nfrom tandem.ui import app\nimport streamlit\nfrom tandem import figures\n"
                     "from tandem.data import queries\n\n\ndef bench():\n    import streamlit\n")
    assert violations("model", probe) == ["line 2: tandem.ui", "line 4: tandem.figures", "line 3: streamlit"]
    assert violations("cli", probe) == ["line 3: streamlit"]
