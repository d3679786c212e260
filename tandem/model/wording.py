"""How numbers and names are written on every page, chart and download: one rule each.

- Changes: a percentage only over a base of at least `MIN_BASE` (counts of deals,
  activities...); below it the counts themselves ("7, against 0.5 on average"), so a
  takeaway never says "rose 700%" about one deal.
- Money: whole units with thousands separators; the currency (`tandem.data.config.currency`)
  is named in the label, axis or column header ("Won amount (EUR)").
- Codes from the data (`mid_market`) are shown as words ("Mid-market").
"""

from __future__ import annotations

import re

import pandas as pd

from tandem.data.config import currency

MIN_BASE = 10  # below this many (deals, activities) a change is told in counts, not in percent
STEADY = 0.02  # relative changes smaller than this are "steady"
STEADY_POINTS = 0.5  # rate changes smaller than this many points are "steady"
# codes written otherwise than "first letter up, underscores as spaces"
TERMS = {"smb": "SMB", "mid_market": "Mid-market", "emea": "EMEA", "apac": "APAC", "amer": "AMER", "latam": "LATAM",
         "us": "US", "uk": "UK"}


# what makes Streamlit's markdown more than text: emphasis, code, links and images ([ ]),
# HTML (< > &), strikethrough, maths ($), directives (:material/x:, :red[...]), tables, headings
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>&~$:|#])")


def literal(text) -> str:
    """Text from the data (a name, a deal id from a link) shown as it is in Streamlit's
    markdown (st.markdown, st.caption, st.info...): no link, emphasis, icon or maths."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def plain(markdown: str) -> str:
    """A sentence written for the page (bold in **, data made `literal`) as plain text, for a file."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def missing(value) -> bool:
    """None, NaN or pandas' NA/NaT: no value."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # not a scalar
        return False


def number(value) -> float | None:
    """A value as a float, or None when it is missing."""
    return None if missing(value) else float(value)


def count(value) -> str:
    return "—" if missing(value) else f"{value:,.0f}"


def average(value) -> str:
    """An average of counts: one decimal below 10 ('0.5', '7'), whole numbers above ('1,234')."""
    if missing(value):
        return "—"
    return f"{value:,.1f}".removesuffix(".0") if abs(value) < 10 else f"{value:,.0f}"


def money(value) -> str:
    """An amount as shown in cards and sentences: '1,234,567' (the label names the currency)."""
    return "—" if missing(value) else f"{value:,.0f}"


def money_with_currency(value) -> str:
    """An amount in running text, where no label names the currency: '1,234,567 EUR'."""
    return "—" if missing(value) else f"{value:,.0f} {currency()}"


def money_label(label: str) -> str:
    """'Won amount' -> 'Won amount (EUR)': how a card, axis or column names its currency."""
    return f"{label} ({currency()})"


def percent(value) -> str:
    return "n/a" if missing(value) else f"{value:.0%}"


def humanise(code) -> str:
    """A code from the data as words: 'mid_market' -> 'Mid-market', 'smb' -> 'SMB',
    'product_launch' -> 'Product launch', 'North' stays 'North'. Text that is not a plain code is left as it is."""
    if missing(code):
        return "—"
    text = str(code)
    if text.lower() in TERMS:
        return TERMS[text.lower()]
    if "_" not in text and not text.islower():
        return text
    phrase = " ".join(text.replace("_", " ").split())
    return phrase[:1].upper() + phrase[1:]


def markdown_text(value) -> str:
    """Text from the data shown literally in Markdown (a table cell included): the characters
    Markdown would read as formatting are escaped; missing is '—'."""
    if missing(value):
        return "—"
    text = " ".join(str(value).split())  # no line break inside a table row
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~$" else c for c in text)


def possessive(name: str) -> str:
    """'Crestview Promotions' -> "Crestview Promotions'", 'Key Accounts' -> "Key Accounts'",
    'North Team' -> "North Team's"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def share(part: int, whole: int) -> str:
    """A share in a takeaway by the same rule: '33%' over at least MIN_BASE, else '3 of 9'."""
    return f"{part / whole:.0%}" if whole >= MIN_BASE else f"{part:,} of {whole:,}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 deal', '3 deals' (with thousands separators)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def percent_allowed(reference, base=None) -> bool:
    """Whether a change against `reference` may be told in percent: its base (the count
    behind it, by default the reference itself) is at least MIN_BASE."""
    base = reference if base is None else base
    return not missing(reference) and reference != 0 and not missing(base) and base >= MIN_BASE


def signed_change(value, reference, base=None, fmt=None) -> str | None:
    """The difference with its sign, and in percent when `percent_allowed`: '+12 (+8%)',
    '+7', '-4,000'. None when either value is missing."""
    if missing(value) or missing(reference):
        return None
    difference = value - reference
    text = f"{difference:+,.0f}" if fmt is None else fmt(difference)
    if difference and percent_allowed(reference, base):
        text += f" ({difference / reference:+.0%})"
    return text


def change_phrase(value, reference, unit: str = "count", base=None, reference_name: str = "a 4-week average of",
                  fmt=None) -> str | None:
    """How `value` compares with `reference`, in words, by the one rule of every takeaway:

    - rates ('rate', fractions): in points, 'rose 4.1 points' / 'held steady';
    - counts and money: in percent when the base is at least MIN_BASE ('rose 12%'), else
      the two values ('rose to 7 from a 4-week average of 0.5'). `base` is the count
      behind the figure (the deals behind an amount); by default the reference itself.
    None when either value is missing."""
    if missing(value) or missing(reference):
        return None
    fmt = fmt or (money if unit == "money" else average)
    if unit == "rate":
        points = (value - reference) * 100
        if abs(points) < STEADY_POINTS:
            return "held steady"
        return f"{'rose' if points > 0 else 'fell'} {abs(points):.1f} points"
    if not percent_allowed(reference, base):
        if value == reference:
            return f"held at {fmt(value)}"
        named = f"{reference_name} " if reference_name else ""
        return f"{'rose' if value > reference else 'fell'} to {fmt(value)} from {named}{fmt(reference)}"
    share = (value - reference) / reference
    if abs(share) < STEADY:
        return "held steady"
    return f"{'rose' if share > 0 else 'fell'} {abs(share):.0%}"
