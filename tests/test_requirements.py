"""The lock file agrees with requirements.txt: every requirement is pinned exactly, at a
version inside its range, and both README commands install from the lock."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.test_readme_commands import readme_command

ROOT = Path(__file__).resolve().parent.parent


def requirement_lines(path: Path) -> list[str]:
    return [line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()]


def locked_versions() -> dict[str, str]:
    pins = {}
    for line in requirement_lines(ROOT / "requirements.lock"):
        requirement = Requirement(line)
        (spec,) = requirement.specifier  # exactly one ==
        assert spec.operator == "==", line
        pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def test_every_requirement_is_locked_inside_its_range():
    pins = locked_versions()
    for line in requirement_lines(ROOT / "requirements.txt"):
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: refresh it (README 'lock' command)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside {requirement.specifier}: refresh the lock")


def test_every_requirement_has_a_lower_bound():
    for line in requirement_lines(ROOT / "requirements.txt"):
        assert any(spec.operator in (">=", "==", "~=") for spec in Requirement(line).specifier), line


def test_both_readme_commands_install_from_the_lock():
    for name in ("start", "test"):
        assert re.search(r"pip install (-q )?-r requirements\.lock\b", readme_command(name)), name
    assert "requirements.lock" in readme_command("lock")
