"""Who a report is for: the client's or company's name and logo, from a small TOML file.

    [report]
    client = "Acme Industries"     # the title slide's and the first page's name
    logo = "acme.png"              # PNG or JPEG, relative to this file

The file is $TANDEM_REPORT_CONFIG, else report.toml at the project's root; without it a
report is titled "Tandem report" and has no logo.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from tandem.data.config import ROOT

DEFAULT_TITLE = "Tandem report"
DEFAULT_PATH = ROOT / "report.toml"
MAX_LOGO_BYTES = 5_000_000
_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


@dataclass(frozen=True)
class Branding:
    title: str = DEFAULT_TITLE
    logo: bytes | None = None


def config_path(given: str | os.PathLike | None = None) -> Path:
    return Path(given or os.environ.get("TANDEM_REPORT_CONFIG") or DEFAULT_PATH)


def image_kind(data: bytes) -> str | None:
    """'png' or 'jpeg' from the file's first bytes; None for anything else."""
    return next((kind for magic, kind in _MAGIC.items() if data.startswith(magic)), None)


def load(given: str | os.PathLike | None = None) -> Branding:
    """The branding of `given`, else of config_path(); the default when no file is there
    and none was named. Raises ValueError, naming the file, for a file that is named but
    missing, unreadable TOML, or a logo that is not a PNG or JPEG."""
    path = config_path(given)
    if not path.is_file():
        if given or os.environ.get("TANDEM_REPORT_CONFIG"):
            raise ValueError(f"report config {path}: no such file")
        return Branding()
    try:
        section = tomllib.loads(path.read_text(encoding="utf-8")).get("report", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"report config {path}: {error}") from None
    unknown = sorted(set(section) - {"client", "logo"})
    if unknown:
        raise ValueError(f"report config {path}: unknown key {', '.join(unknown)} under [report] (client, logo)")
    client = section.get("client", DEFAULT_TITLE)
    if not isinstance(client, str) or not client.strip() or len(client) > 120:
        raise ValueError(f"report config {path}: client must be a name of 1 to 120 characters")
    logo = None
    if "logo" in section:
        logo_path = path.parent / str(section["logo"])
        if not logo_path.is_file():
            raise ValueError(f"report config {path}: logo {logo_path}: no such file")
        logo = logo_path.read_bytes()
        if len(logo) > MAX_LOGO_BYTES or image_kind(logo) is None:
            raise ValueError(f"report config {path}: logo {logo_path} must be a PNG or JPEG under 5 MB")
    return Branding(client.strip(), logo)
