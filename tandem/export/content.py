"""What a report holds, whatever its format: sections (one per page) of charts and tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

MAX_TABLE_ROWS = 15  # a slide's table; "and N more" says what was left out


@dataclass(frozen=True)
class Chart:
    title: str  # the chart's takeaway sentence (the slide's title)
    figure: go.Figure
    caption: str = ""


@dataclass(frozen=True)
class Table:
    title: str
    frame: pd.DataFrame  # shown as is: column names are the headers, values already worded
    caption: str = ""
    total: int | None = None  # the rows the table stands for, when `frame` holds only the first ones

    @property
    def shown(self) -> pd.DataFrame:
        return self.frame.head(MAX_TABLE_ROWS)

    @property
    def more(self) -> int:
        return max((len(self.frame) if self.total is None else self.total) - len(self.shown), 0)


@dataclass(frozen=True)
class Note:
    """A sentence standing for a chart or table with nothing to show ("No contested deal ...")."""
    title: str
    text: str


@dataclass
class Section:
    page: str  # the page's url path
    title: str  # the page's title
    subtitle: str  # its period or week, in words
    blocks: list[Chart | Table | Note] = field(default_factory=list)


@dataclass
class Report:
    title: str  # the client's or company's name
    period: str
    filters: str  # the filters in words
    source: str  # where the data comes from and when it was built
    built_at: dt.datetime
    sections: list[Section]
    definitions: list[str]  # the closing slide
    presentation: bool = False
    logo: bytes | None = None  # the client's logo (PNG or JPEG), on the title slide and the first page
