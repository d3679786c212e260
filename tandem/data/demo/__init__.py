"""Deterministic demo data: a company selling through two internal teams and three agencies.

`build_demo` fills every table of the data contract (docs/data-contract.md) with two years of sales
activity ending at `end_date` (exclusive). The data tells the story a sales director
would recognise, each part planted on purpose and checked by tests/test_demo.py:

1. One agency (Crestview, the "poacher") keeps calling enterprise accounts, which no
   agency is scoped to.
2. In one region (Central) the boundary between agencies and internal reps is blurred:
   agency reps keep working deals after the handover, internal reps call early, handovers
   are seldom coordinated and both sides claim the wins. Its deals are contested far
   more often than elsewhere.
3. Each (internal, external) pair of reps has an affinity that drives both how often they
   talk and how often their shared deals are won.
4. Activity follows office hours, drops at weekends, in August and between Christmas and
   New Year.
5. Agencies source most deals; internal reps own most of the won amount.
6. A handful of agency reps attended an internal-only strategy meeting.

Everything is drawn from one `numpy.random.default_rng(seed)` in a fixed order and is
vectorised per table (no Python loop per row). Times are whole seconds counted from the
start of the period and become timestamps in SQL; ids are formatted in SQL from indexes
that follow the data (deals by creation time, activities by their sort order), never
from insertion order.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tandem.data.config import QUERIES_DIR
from tandem.data.contract import ALL_STAGES
from tandem.data.db import THREADS, build_database
from tandem.data.progress import Progress, silent
from tandem.data.queries import query_parameters

DEMO_QUERIES_DIR = QUERIES_DIR / "demo"  # one insert statement per table

DAY = 86_400
PERIOD_DAYS = 730
LIFECYCLE_DAYS = 450  # deals may run past the end; what happens after it is cut off

# --- The cast --------------------------------------------------------------------------

REGIONS = ("North", "South", "East", "West", "Central")
REGION_SHARES = (0.22, 0.21, 0.20, 0.19, 0.18)
BLURRED_REGION = REGIONS.index("Central")

SEGMENTS = ("enterprise", "mid_market", "smb")
ENTERPRISE, MID_MARKET, SMB = range(3)
SEGMENT_SHARES = (0.15, 0.35, 0.50)

STAGES = ALL_STAGES
LEAD, QUALIFIED, PROPOSAL, NEGOTIATION, WON, LOST = range(6)

# team_id, name, kind, agency, email domain
TEAMS = (
    ("KEY", "Key Accounts", "internal", None, "tandem-demo.example"),
    ("REG", "Regional Sales", "internal", None, "tandem-demo.example"),
    ("BRI", "Brightline Field Sales", "external", "Brightline Partners", "brightline-partners.example"),
    ("CRE", "Crestview Promotions", "external", "Crestview Outsourcing", "crestview-outsourcing.example"),
    ("MER", "Meridian Lead Services", "external", "Meridian Staffing Group", "meridian-staffing.example"),
)
KEY_ACCOUNTS, REGIONAL_SALES = 0, 1
AGENCIES = (2, 3, 4)
POACHER = 3  # Crestview
INTERNAL_TEAMS = np.array([True, True, False, False, False])

# Agencies generate leads in small and mid-sized accounts; internal teams close.
SCOPE_RULES = (
    ("KEY", "enterprise", "*", "lead", "won"),
    ("KEY", "*", "*", "proposal", "won"),
    ("REG", "mid_market", "*", "qualified", "won"),
    ("REG", "smb", "*", "proposal", "won"),
    ("BRI", "smb", "*", "lead", "proposal"),
    ("BRI", "mid_market", "*", "lead", "qualified"),
    ("CRE", "smb", "*", "lead", "qualified"),
    ("CRE", "mid_market", "*", "lead", "qualified"),
    ("MER", "smb", "*", "lead", "qualified"),
    ("MER", "mid_market", "*", "lead", "qualified"),
)

FIRST_NAMES = (
    "Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonas",
    "Karin", "Lars", "Maria", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Samuel", "Tara",
    "Umar", "Vera", "William", "Xenia", "Yusuf", "Zoe", "Adrian", "Bianca", "Chloe", "Daniel",
    "Emma", "Fatima", "Georg", "Hannah", "Ivan", "Julia", "Kevin", "Laura", "Marco", "Nina",
    "Oscar", "Petra", "Rafael", "Sofia", "Tobias", "Ursula", "Victor", "Wanda", "Leon", "Mia",
    "Lucas", "Amelie", "Jan", "Lea", "Tom", "Sara", "Erik", "Lina", "Max", "Clara",
)
LAST_NAMES = (
    "Adams", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova", "Jensen",
    "Keller", "Larsen", "Meyer", "Novak", "Olsen", "Peters", "Quint", "Rossi", "Schmidt", "Thomas",
    "Ulrich", "Vogel", "Weber", "Young", "Zimmer", "Andersen", "Brown", "Clarke", "Dietrich", "Evans",
    "Ferrari", "Graf", "Huber", "Iversen", "Jung", "Klein", "Lehmann", "Moreau", "Nielsen", "Ortiz",
    "Pohl", "Richter", "Santos", "Tanaka", "Urban", "Vidal", "Walsh", "Wolf", "Berg", "Brandt",
    "Carter", "Fuchs", "Hartmann", "Koch", "Lang", "Martin", "Neumann", "Schulz", "Stein", "Winter",
    "Baker", "Cohen", "Dalton", "Engel", "Frost", "Gomez", "Hill", "Kraus", "Lopez", "Mills",
    "Nash", "Price", "Reed", "Shaw", "Torres", "Vance", "Ward", "Yates", "Roth", "Sauer",
)
COMPANY_PREFIXES = (
    "Alder", "Atlas", "Beacon", "Birch", "Blue Harbor", "Bright Oak", "Cedar", "Cobalt", "Copper", "Crescent",
    "Delta", "Eastwood", "Evergreen", "Falcon", "Fjord", "Granite", "Greenfield", "Harbor", "Highland", "Horizon",
    "Iron", "Ivory", "Juniper", "Keystone", "Lakeside", "Linden", "Lumen", "Maple", "Marble", "Northgate",
    "Nova", "Oakridge", "Orion", "Pacific", "Pinnacle", "Polar", "Quarry", "Redwood", "Riverside", "Sable",
    "Saffron", "Silverline", "Southport", "Sterling", "Stonebridge", "Summit", "Sunrise", "Tidewater", "Trident", "Union",
    "Valley", "Vertex", "Westbrook", "Willow", "Windmill", "Zenith", "Amber", "Aurora", "Bluestone", "Castle",
    "Clearwater", "Coral", "Driftwood", "Elm", "Emerald", "Foxglove", "Goldcrest", "Hawthorn", "Kestrel", "Larch",
)
COMPANY_CORES = (  # each with the industry it suggests
    ("Logistics", "logistics"), ("Foods", "food"), ("Manufacturing", "manufacturing"), ("Health", "healthcare"),
    ("Energy", "energy"), ("Retail", "retail"), ("Textiles", "manufacturing"), ("Pharma", "healthcare"),
    ("Engineering", "engineering"), ("Software", "technology"), ("Construction", "construction"), ("Freight", "logistics"),
    ("Dairy", "food"), ("Plastics", "manufacturing"), ("Media", "media"), ("Insurance", "financial services"),
    ("Hotels", "hospitality"), ("Motors", "automotive"), ("Chemicals", "chemicals"), ("Packaging", "manufacturing"),
    ("Labs", "healthcare"), ("Systems", "technology"), ("Metals", "manufacturing"), ("Paper", "manufacturing"),
    ("Optics", "technology"), ("Electric", "energy"), ("Water", "utilities"), ("Farms", "agriculture"),
    ("Furniture", "retail"), ("Tools", "manufacturing"), ("Bank", "financial services"), ("Clinics", "healthcare"),
    ("Transport", "logistics"), ("Brewing", "food"), ("Robotics", "technology"), ("Aviation", "aerospace"),
    ("Marine", "logistics"), ("Telecom", "telecommunications"), ("Printing", "media"), ("Textile Mills", "manufacturing"),
)
COMPANY_FORMS = ("Ltd", "GmbH", "SA", "Inc.", "AG", "BV", "& Co.", "Group", "plc", "Holding", "Corp.", "Partners",
                 "Industries", "LLC")
CONTACT_TITLES = (
    "CEO", "CFO", "COO", "Head of Procurement", "Purchasing Manager", "IT Director", "Operations Manager",
    "Sales Director", "Office Manager", "Project Lead", "Plant Manager", "Finance Controller",
)
PRODUCTS = ("Core Platform", "Analytics Suite", "Field Service Pack", "Integration Hub", "Premium Support")
PRODUCT_BASE_AMOUNTS = np.array([42_000.0, 26_000.0, 15_000.0, 12_000.0, 6_000.0])
PRODUCT_SHARES_BY_SEGMENT = np.array([
    [0.35, 0.30, 0.10, 0.15, 0.10],  # enterprise
    [0.25, 0.25, 0.20, 0.15, 0.15],  # mid_market
    [0.15, 0.15, 0.30, 0.10, 0.30],  # smb
])
SEGMENT_AMOUNT_FACTORS = np.array([3.2, 1.0, 0.35])
LEAD_SOURCES = ("agency_campaign", "inbound_web", "event", "referral", "outbound")
CUSTOMER_SUBJECTS = (
    "Introduction", "Follow-up on our call", "Pricing question", "Proposal attached", "Meeting notes",
    "Demo scheduling", "Contract draft", "Re: next steps", "Quote request", "Reference customers",
    "Renewal terms", "Technical questions",
)
REP_SUBJECTS = ("Handover", "Account update", "Lead for you", "Quick sync", "Pipeline review", "Re: customer call")
CHANNELS = ("call", "email", "meeting")
CALL, EMAIL, MEETING = range(3)
DIRECTIONS = ("outbound", "inbound")


@dataclass(frozen=True)
class Scale:
    seats: tuple[int, int, int, int, int]  # sales seats per team, in TEAMS order
    replacements: int  # seats whose rep left during the period and was replaced
    accounts: int
    deals: int
    activities: int
    territories_per_region: int = 1  # big sales forces split each region into territories


SCALES = {
    "small": Scale(seats=(3, 4, 5, 4, 4), replacements=1, accounts=100, deals=200, activities=5_000),
    "demo": Scale(seats=(11, 17, 11, 10, 10), replacements=4, accounts=1_500, deals=8_000, activities=500_000),
    "large": Scale(seats=(16, 26, 16, 15, 15), replacements=6, accounts=3_000, deals=16_000, activities=1_000_000),
    "xl": Scale(seats=(160, 240, 200, 200, 200), replacements=50, accounts=36_000, deals=200_000, activities=10_000_000,
                territories_per_region=10),
}


def build_demo(
    path: str | Path,
    scale: str = "demo",
    seed: int = 42,
    end_date: dt.date | None = None,
    progress: Progress = silent,
) -> Path:
    """Build a demo database at `path` (atomically replaced) and return its path.

    Same `scale`, `seed` and `end_date` give exactly the same rows. All timestamps lie in
    the two years before `end_date` (exclusive, default today).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")
    if end_date is None:
        end_date = dt.date.today()
    elif isinstance(end_date, dt.datetime):
        end_date = end_date.date()

    def fill(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
        _Generator(con, SCALES[scale], seed, end_date, progress).run()
        return {
            "source": "demo",
            "detail": f"scale={scale} seed={seed} end_date={end_date}",
            "period_start": (end_date - dt.timedelta(days=PERIOD_DAYS)).isoformat(),
            "period_end": end_date.isoformat(),
        }

    result = build_database(path, fill, lambda message: progress(0.97, message))
    progress(1.0, "demo database ready")
    return result


# --- Time ------------------------------------------------------------------------------

# Relative activity per hour of the day: office hours, a lunch dip, little at night.
HOUR_WEIGHTS = np.array([
    0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.15, 0.7, 1.0, 1.0, 1.0,
    0.55, 0.8, 1.0, 1.0, 0.95, 0.6, 0.2, 0.08, 0.04, 0.03, 0.02, 0.01,
])


class Calendar:
    """Business time: a weight per hour from the period start to the lifecycle horizon.

    Sampling uniformly in cumulative weight (inverse CDF) gives office hours, weekends,
    summer and Christmas for every kind of row at once, fully vectorised. Times are whole
    seconds since the period start.
    """

    def __init__(self, start: dt.date, days: int):
        dates = np.datetime64(start, "D") + np.arange(days)
        weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
        month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        day = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
        day_weight = np.select([weekday == 5, weekday == 6], [0.12, 0.05], 1.0)
        day_weight *= np.where(month == 8, 0.55, 1.0)  # summer holidays
        day_weight *= np.where((month == 12) & (day >= 24), 0.2, 1.0)  # Christmas to New Year
        day_weight *= np.where((month == 1) & (day == 1), 0.1, 1.0)
        day_weight *= 1.0 + 0.25 * np.arange(days) / PERIOD_DAYS  # the business grows
        self.hour_weight = (day_weight[:, None] * HOUR_WEIGHTS[None, :]).ravel()
        self.cumulative = np.concatenate([[0.0], np.cumsum(self.hour_weight)])
        # Calendar month of each day, counted from the start month (sorting activities).
        self.month_of_day = dates.astype("datetime64[M]").astype(np.int64)
        self.month_of_day -= self.month_of_day[0]
        self.month_start_day = np.searchsorted(self.month_of_day, np.arange(self.month_of_day[-1] + 1))

    def weight_until(self, t: np.ndarray) -> np.ndarray:
        hours = np.asarray(t, dtype=np.float64) / 3600.0
        hour = np.clip(np.floor(hours).astype(np.int64), 0, len(self.hour_weight) - 1)
        return self.cumulative[hour] + self.hour_weight[hour] * (hours - hour)

    def time_at(self, weight: np.ndarray) -> np.ndarray:
        hour = np.clip(np.searchsorted(self.cumulative, weight, side="right") - 1, 0, len(self.hour_weight) - 1)
        return (hour + (weight - self.cumulative[hour]) / self.hour_weight[hour]) * 3600.0

    def sample(self, rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """One business-weighted time per row in [lo, hi) (whole seconds; lo when hi <= lo)."""
        lo = np.asarray(lo, dtype=np.int64)
        hi = np.asarray(hi, dtype=np.int64)
        w_lo, w_hi = self.weight_until(lo), self.weight_until(hi)
        t = np.floor(self.time_at(w_lo + rng.random(np.broadcast(lo, hi).shape) * (w_hi - w_lo))).astype(np.int64)
        return np.clip(t, lo, np.maximum(hi - 1, lo))

    def month_key(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(calendar month index, seconds since that month began) of each time."""
        day = t // DAY
        month = self.month_of_day[day]
        return month, t - self.month_start_day[month] * DAY


# --- The generator ---------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _segment_offsets(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows repeated `counts` times per parent: (parent of each row, position within parent)."""
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return parent, np.arange(len(parent)) - starts[parent]


class _Generator:
    """Draws the tables in dependency order and inserts each one as soon as it is drawn."""

    def __init__(self, con: duckdb.DuckDBPyConnection, scale: Scale, seed: int, end_date: dt.date, progress: Progress):
        self.con = con
        self.scale = scale
        self.rng = np.random.default_rng(seed)
        self.progress = progress
        self.start_date = end_date - dt.timedelta(days=PERIOD_DAYS)
        self.end = PERIOD_DAYS * DAY  # the period is [0, end) in seconds since the start
        self.calendar = Calendar(self.start_date, PERIOD_DAYS + LIFECYCLE_DAYS)
        start = dt.datetime.combine(self.start_date, dt.time())
        self.sql_params = {"start_us": int((start - dt.datetime(1970, 1, 1)).total_seconds()) * 1_000_000,
                           "start_date": self.start_date}

    def run(self) -> None:
        steps = [
            (0.00, "teams, reps and scope rules", self.teams_and_reps),
            (0.03, "accounts and contacts", self.accounts_and_contacts),
            (0.06, "deals and stage changes", self.deals),
            (0.12, "claims", self.claims),
            (0.14, "events", self.events),
            (0.16, "customer touches", self.customer_touches),
            (0.30, "rep-to-rep exchanges", self.rep_exchanges),
            (0.36, "inserting activities", self.insert_activities),
        ]
        for fraction, message, step in steps:
            self.progress(fraction, message)
            step()
        self.progress(0.99, "writing the database file")

    # -- inserting ----------------------------------------------------------------------

    def insert(self, table: str, columns: dict[str, np.ndarray] | pd.DataFrame, params: dict | None = None) -> None:
        """Insert numeric columns into `table` by queries/demo/<table>.sql, which formats ids and strings."""
        frame = pd.DataFrame(columns)
        statement = _statement(table)
        self.con.register("demo_rows", frame)
        try:
            self.con.execute(statement, _used_params(statement, {**self.sql_params, **(params or {})}))
        finally:
            self.con.unregister("demo_rows")

    # -- reps -----------------------------------------------------------------------------

    def teams_and_reps(self) -> None:
        """Teams, scope rules, and reps on seats; a few seats change hands mid-period."""
        rng, scale = self.rng, self.scale
        self.insert("teams", pd.DataFrame([t[:4] for t in TEAMS], columns=["team_id", "name", "kind", "agency"]))
        self.insert("scope_rules", pd.DataFrame(list(SCOPE_RULES),
                                                columns=["team_id", "segment", "region", "stage_from", "stage_to"]))

        # A seat is a sales position (team, territory); a replaced seat has two reps in turn.
        # Territory k lies in region k % 5.
        seat_team = np.repeat(np.arange(len(TEAMS)), scale.seats)
        team_first_seat = np.cumsum(scale.seats) - scale.seats
        n_territories = len(REGIONS) * scale.territories_per_region
        seat_territory = (np.arange(len(seat_team)) - team_first_seat[seat_team] + 2 * seat_team) % n_territories
        n_seats = len(seat_team)
        replaced = np.zeros(n_seats, dtype=bool)
        replaced[rng.choice(n_seats, scale.replacements, replace=False)] = True
        switch_day = np.where(replaced, rng.integers(90, PERIOD_DAYS - 90, n_seats), PERIOD_DAYS + LIFECYCLE_DAYS)

        rep_seat, rep_turn = _segment_offsets(1 + replaced.astype(np.int64))  # turn 1 = the successor
        n_reps = len(rep_seat)
        self.seat_team, self.seat_territory = seat_team, seat_territory
        self.seat_first_rep = np.cumsum(1 + replaced) - (1 + replaced)
        self.seat_second_rep = self.seat_first_rep + replaced
        self.seat_switch = switch_day * DAY
        self.rep_team = seat_team[rep_seat]
        self.rep_internal = INTERNAL_TEAMS[self.rep_team]
        self.n_reps = n_reps

        # Seat candidates per (team, territory), falling back to the team's seats in the
        # region, then to the whole team, where a team has no seat there (small scale).
        n_teams = len(TEAMS)
        width = int(max(scale.seats))
        candidates = np.zeros((n_teams, n_territories, width), dtype=np.int64)
        counts = np.zeros((n_teams, n_territories), dtype=np.int64)
        for team in range(n_teams):
            team_seats = np.flatnonzero(seat_team == team)
            for territory in range(n_territories):
                here = team_seats[seat_territory[team_seats] == territory]
                if not len(here):
                    here = team_seats[seat_territory[team_seats] % len(REGIONS) == territory % len(REGIONS)]
                here = here if len(here) else team_seats
                candidates[team, territory, : len(here)] = here
                counts[team, territory] = len(here)
        self.seat_candidates, self.seat_candidate_counts = candidates, counts

        names = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), n_reps, replace=False)
        started = np.where(rep_turn == 1, switch_day[rep_seat] - 14, -rng.integers(60, 3_000, n_reps))
        has_left = replaced[rep_seat] & (rep_turn == 0)
        self.rep_started_day = started
        self.rep_left_day = np.where(has_left, switch_day[rep_seat] - 1, PERIOD_DAYS + LIFECYCLE_DAYS)
        self.insert("reps", {
            "i": np.arange(n_reps), "team": self.rep_team,
            "first": names // len(LAST_NAMES), "last": names % len(LAST_NAMES),
            "has_email": rng.random(n_reps) > 0.05,
            "started": started, "has_left": has_left, "left_day": self.rep_left_day,
        }, {"first": list(FIRST_NAMES), "last": list(LAST_NAMES),
              "team_ids": [t[0] for t in TEAMS], "domains": [t[4] for t in TEAMS]})

    def pick_seats(self, team: np.ndarray, territory: np.ndarray) -> np.ndarray:
        """A random seat of `team` in `territory` for each row."""
        count = self.seat_candidate_counts[team, territory]
        slot = np.floor(self.rng.random(len(count)) * count).astype(np.int64)
        return self.seat_candidates[team, territory, slot]

    def rep_at(self, seat: np.ndarray, t: np.ndarray) -> np.ndarray:
        """The rep holding `seat` at time `t`."""
        return np.where(t >= self.seat_switch[seat], self.seat_second_rep[seat], self.seat_first_rep[seat])

    # -- accounts -------------------------------------------------------------------------

    def accounts_and_contacts(self) -> None:
        """Accounts with unique company names, a segment and a region; their contacts."""
        rng, n = self.rng, self.scale.accounts
        segment = rng.choice(len(SEGMENTS), n, p=SEGMENT_SHARES)
        region = rng.choice(len(REGIONS), n, p=REGION_SHARES)
        territory = region + len(REGIONS) * rng.integers(0, self.scale.territories_per_region, n)
        # Unique names: distinct codes in prefix x core x form, numbered beyond that space.
        space = len(COMPANY_PREFIXES) * len(COMPANY_CORES) * len(COMPANY_FORMS)
        code = rng.permutation(max(n, space))[:n]
        core = code % space // len(COMPANY_FORMS) % len(COMPANY_CORES)

        # Enterprise accounts have a Key Accounts owner; others a regional owner or none.
        owner_seat = np.select(
            [segment == ENTERPRISE, rng.random(n) < np.where(segment == MID_MARKET, 0.7, 0.3)],
            [self.pick_seats(np.full(n, KEY_ACCOUNTS), territory),
             self.pick_seats(np.full(n, REGIONAL_SALES), territory)],
            -1,
        )
        owner_rep = np.where(owner_seat >= 0, self.rep_at(np.maximum(owner_seat, 0), np.full(n, self.end - 1)), -1)
        self.account_segment, self.account_region, self.account_owner_seat = segment, region, owner_seat
        self.account_territory = territory
        self.insert("accounts", {
            "i": np.arange(n), "prefix": code % space // (len(COMPANY_FORMS) * len(COMPANY_CORES)), "core": core,
            "form": code % len(COMPANY_FORMS), "number": code // space, "segment": segment, "region": region,
            "has_industry": rng.random(n) > 0.03, "owner": owner_rep,
        }, {"prefixes": list(COMPANY_PREFIXES), "cores": [c for c, _ in COMPANY_CORES],
              "forms": list(COMPANY_FORMS), "industries": [i for _, i in COMPANY_CORES],
              "segments": list(SEGMENTS), "regions": list(REGIONS)})

        # Contacts: bigger accounts have more of them.
        low, high = np.array([5, 3, 1])[segment], np.array([11, 7, 4])[segment]
        per_account = rng.integers(low, high)
        contact_account, _ = _segment_offsets(per_account)
        m = len(contact_account)
        self.account_first_contact = np.cumsum(per_account) - per_account
        self.account_contact_count = per_account
        self.contact_account = contact_account
        self.insert("contacts", {
            "i": np.arange(m), "account": contact_account,
            "first": rng.integers(0, len(FIRST_NAMES), m), "last": rng.integers(0, len(LAST_NAMES), m),
            "title": np.where(rng.random(m) < 0.1, -1, rng.integers(0, len(CONTACT_TITLES), m)),
        }, {"first": list(FIRST_NAMES), "last": list(LAST_NAMES), "titles": list(CONTACT_TITLES)})

    def pick_contacts(self, account: np.ndarray) -> np.ndarray:
        """A random contact of each account."""
        u = self.rng.random(len(account))
        return self.account_first_contact[account] + np.floor(u * self.account_contact_count[account]).astype(np.int64)

    # -- deals ----------------------------------------------------------------------------

    def deals(self) -> None:
        """Deals with their source, owner, outcome and stage path, then their stage changes."""
        rng, n, cal = self.rng, self.scale.deals, self.calendar
        # Deal ids follow creation time.
        created = np.sort(cal.sample(rng, np.zeros(n, dtype=np.int64), np.full(n, self.end)))
        account_weight = np.array([2.2, 1.2, 0.8])[self.account_segment] * rng.lognormal(0.0, 0.4, self.scale.accounts)
        account = rng.choice(self.scale.accounts, n, p=account_weight / account_weight.sum())
        segment, region = self.account_segment[account], self.account_region[account]
        territory = self.account_territory[account]

        # Who brought the deal in: nobody (inbound), an agency (mostly small and mid-sized
        # accounts; enterprise leads come from the poacher), or an internal rep.
        inbound = rng.random(n) < 0.10
        external_source = ~inbound & (rng.random(n) < np.array([0.06, 0.80, 0.90])[segment])
        internal_source = ~inbound & ~external_source
        agency = np.where(
            segment == ENTERPRISE,
            np.where(rng.random(n) < 0.8, POACHER, rng.choice([a for a in AGENCIES if a != POACHER], n)),
            rng.choice(AGENCIES, n),
        )
        internal_source_team = np.where(segment == ENTERPRISE, KEY_ACCOUNTS, REGIONAL_SALES)
        source_seat = np.select(
            [external_source, internal_source],
            [self.pick_seats(agency, territory), self.pick_seats(internal_source_team, territory)],
            -1,
        )

        # Who closes it: Key Accounts for enterprise (the account's owner), mostly Regional
        # Sales otherwise; agencies close some of the small deals they found themselves.
        mid_owner_team = np.where(rng.random(n) < 0.2, KEY_ACCOUNTS, REGIONAL_SALES)
        agency_closes = external_source & (segment == SMB) & (rng.random(n) < 0.45)
        owner_seat = np.select(
            [segment == ENTERPRISE, agency_closes],
            [self.account_owner_seat[account], source_seat],
            self.pick_seats(np.where(segment == MID_MARKET, mid_owner_team, REGIONAL_SALES), territory),
        )
        mixed = external_source & INTERNAL_TEAMS[self.seat_team[owner_seat]]  # agency found it, internal closes

        # Each seat pair has an affinity: it drives how much they talk (rep_exchanges) and
        # how often the deals they share are won.
        n_seats = len(self.seat_team)
        self.pair_affinity = rng.standard_normal((n_seats, n_seats))
        affinity = np.where(mixed, self.pair_affinity[owner_seat, np.maximum(source_seat, 0)], 0.0)
        win_logit = -0.5 + np.array([0.2, 0.0, 0.1])[segment] + 0.9 * affinity - 0.3 * (region == BLURRED_REGION)
        won = rng.random(n) < _sigmoid(win_logit)
        lost_at = rng.choice(4, n, p=[0.3, 0.3, 0.25, 0.15])  # last stage reached by a lost deal
        steps_back = rng.random(n) < 0.05
        duration_days = np.clip(
            rng.lognormal(np.log(np.array([80.0, 50.0, 28.0])[segment]), 0.55, n) * np.where(won, 1.0, 0.8),
            1.0, LIFECYCLE_DAYS - 30,
        )

        product = (rng.random(n)[:, None] > np.cumsum(PRODUCT_SHARES_BY_SEGMENT[segment], axis=1)).sum(axis=1)
        amount = np.round(PRODUCT_BASE_AMOUNTS[product] * SEGMENT_AMOUNT_FACTORS[segment]
                          * rng.lognormal(0.0, 0.45, n), -1)
        lead_source = np.select(
            [inbound, external_source, internal_source],
            [1, rng.choice([0, 0, 0, 0, 2, 4], n), rng.choice([2, 3, 3, 4], n)],
        )

        self.deal_created, self.deal_account, self.deal_segment, self.deal_region = created, account, segment, region
        self.deal_territory = territory
        self.deal_owner_seat, self.deal_source_seat, self.deal_mixed = owner_seat, source_seat, mixed
        self.deal_external_source = external_source
        self.deal_owner = self.rep_at(owner_seat, created)
        self.deal_source = np.where(source_seat >= 0, self.rep_at(np.maximum(source_seat, 0), created), -1)
        self.stage_changes(won, lost_at, steps_back, duration_days)

        self.insert("deals", {
            "i": np.arange(n), "account": account, "product": product, "amount": amount, "created": created,
            "closed": np.where(self.deal_closed, self.deal_end, -1), "status": self.deal_status, "stage": self.deal_stage,
            "owner": self.deal_owner, "source": self.deal_source, "lead_source": lead_source,
        }, {"products": list(PRODUCTS), "statuses": ["open", "won", "lost"], "stages": list(STAGES),
              "lead_sources": list(LEAD_SOURCES)})
        self.insert("deal_stage_changes", self.changes, {"stages": list(STAGES)})
        del self.changes

    def stage_changes(self, won, lost_at, steps_back, duration_days) -> None:
        """Each deal's full path of stage changes, cut off at the end of the period.

        What happens after the end does not exist yet: a deal whose closing change falls
        after it is open, at the stage of its last change before it.
        """
        rng, cal, n = self.rng, self.calendar, len(won)
        paths, lookup = _stage_paths()
        path = lookup[won.astype(int), np.where(won, NEGOTIATION, lost_at), steps_back.astype(int)]
        length = np.array([len(p) for p in paths])[path]
        padded = np.full((len(paths), max(len(p) for p in paths)), -1)
        for k, p in enumerate(paths):
            padded[k, : len(p)] = p
        deal, pos = _segment_offsets(length)
        stage = padded[path[deal], pos]
        last = pos == length[deal] - 1

        # Changes spread over the deal's life in business time, the closing one at its end;
        # `+ pos` seconds keeps a deal's changes distinct and in order.
        created = self.deal_created
        w_from = cal.weight_until(created)
        w_to = cal.weight_until(created + np.round(duration_days * DAY).astype(np.int64))
        share = np.where(last, 1.0, (pos + 0.15 + 0.7 * rng.random(len(deal))) / length[deal])
        t = np.floor(cal.time_at(w_from[deal] + share * (w_to - w_from)[deal])).astype(np.int64)
        t = np.maximum(t, created[deal]) + pos
        kept = t < self.end

        kept_count = np.bincount(deal[kept], minlength=n)
        first_row = np.cumsum(length) - length
        last_kept = first_row + kept_count - 1
        closed = kept[first_row + length - 1]
        self.deal_closed = closed
        self.deal_end = np.where(closed, t[first_row + length - 1], self.end)  # end of the deal's window
        self.deal_stage = np.where(kept_count > 0, stage[np.maximum(last_kept, 0)], LEAD)
        self.deal_status = np.where(closed, np.where(won, 1, 2), 0)
        self.deal_won = closed & won

        # The handover: when the deal first reached proposal (else the end of its window).
        reached = kept & (stage == PROPOSAL)
        handover = self.deal_end.copy()
        first_deal, first_at = np.unique(deal[reached], return_index=True)
        handover[first_deal] = t[reached][first_at]
        self.deal_handover = handover

        # Agencies qualify the leads they found; the owner moves the rest; a few changes
        # come from automation (no rep).
        source_seat = self.deal_source_seat[deal]
        by_source = (stage == QUALIFIED) & (source_seat >= 0) & self.deal_external_source[deal]
        seat = np.where(by_source, np.maximum(source_seat, 0), self.deal_owner_seat[deal])
        rep = np.where(rng.random(len(deal)) < 0.03, -1, self.rep_at(seat, t))
        self.changes = {"deal": deal[kept], "stage": stage[kept], "t": t[kept], "rep": rep[kept]}

    # -- claims ---------------------------------------------------------------------------

    def claims(self) -> None:
        """Source reps register leads; winners claim credit. In the blurred region both sides
        claim the same wins."""
        rng, n = self.rng, self.scale.deals
        has_source = self.deal_source >= 0
        blurred = self.deal_region == BLURRED_REGION
        registered = has_source & (rng.random(n) < np.where(self.deal_external_source, 0.55, 0.3))
        # Registration shortly before or at creation (some before: valid per the contract).
        reg_at = np.maximum(self.deal_created - np.floor(rng.random(n) * 3 * DAY).astype(np.int64), 0)

        won = self.deal_won
        credit_p = np.where(self.deal_mixed, np.where(blurred, 0.6, 0.12), 0.7)
        owner_credit = won & (rng.random(n) < credit_p)
        source_credit = won & self.deal_mixed & (rng.random(n) < np.where(blurred, 0.35, 0.02))
        room = np.clip(self.end - 1 - self.deal_end, 0, 2 * DAY)
        credit_at = self.deal_end + np.floor(rng.random(n) * room).astype(np.int64)

        source_seat = np.maximum(self.deal_source_seat, 0)
        deal = np.concatenate([np.flatnonzero(registered), np.flatnonzero(owner_credit), np.flatnonzero(source_credit)])
        at = np.concatenate([reg_at[registered], credit_at[owner_credit], credit_at[source_credit]])
        rep = np.concatenate([
            self.deal_source[registered],
            self.rep_at(self.deal_owner_seat[owner_credit], credit_at[owner_credit]),
            self.rep_at(source_seat[source_credit], credit_at[source_credit]),
        ])
        kind = np.concatenate([np.zeros(registered.sum()), np.ones(owner_credit.sum() + source_credit.sum())])
        self.insert("claims", {"deal": deal, "rep": rep, "t": at, "kind": kind.astype(np.int8)}, {"kinds": ["registration", "credit"]})

    # -- events ---------------------------------------------------------------------------

    def events(self) -> None:
        """A calendar of company events per year; one internal-only strategy meeting was
        attended by a few agency reps."""
        rng = self.rng
        # (kind, name, day of the year, internal only, share of reps attending)
        yearly = (
            ("convention", "Annual Sales Convention", 75, False, 0.5),
            ("seminar", "Seminar: Negotiation Skills", 40, False, 0.15),
            ("seminar", "Seminar: Value Selling", 160, False, 0.15),
            ("seminar", "Seminar: Working With Partners", 290, False, 0.2),
            ("product_launch", "Product Launch: Analytics Suite", 120, False, 0.4),
            ("team_building", "Joint Team Day", 180, False, 0.35),
            ("team_building", "Winter Team Event", 340, False, 0.35),
            ("strategy_meeting", "Strategy Meeting Q1", 20, True, 0.7),
            ("strategy_meeting", "Strategy Meeting Q2", 110, True, 0.7),
            ("strategy_meeting", "Strategy Meeting Q3", 200, True, 0.7),
            ("strategy_meeting", "Strategy Meeting Q4", 285, True, 0.7),
        )
        held, rows = [], []
        for year in range(PERIOD_DAYS // 365):
            for kind, name, day, internal_only, share in yearly:
                held_day = year * 365 + day + int(rng.integers(0, 7))
                weekday = (np.datetime64(self.start_date, "D") + held_day).astype(np.int64) + 3
                held_day -= max(0, weekday % 7 - 4)  # move weekend events back to Friday
                held.append(held_day)
                rows.append((kind, name, internal_only, share))
        order = np.argsort(held, kind="stable")
        events = [(held[k], *rows[k]) for k in order]
        leak = max(k for k, e in enumerate(events) if e[1] == "strategy_meeting")  # the latest one

        attendance_event, attendance_rep = [], []
        for k, (held_day, kind, _name, internal_only, share) in enumerate(events):
            employed = (self.rep_started_day <= held_day) & (self.rep_left_day >= held_day)
            eligible = employed & (self.rep_internal | (not internal_only))
            attends = eligible & (rng.random(self.n_reps) < share)
            if k == leak:  # three agency reps sat in on the internal strategy meeting
                agency_reps = np.flatnonzero(employed & ~self.rep_internal)
                attends[rng.choice(agency_reps, 3, replace=False)] = True
            attendance_rep.append(np.flatnonzero(attends))
            attendance_event.append(np.full(attends.sum(), k))
        self.insert("events", {
            "i": np.arange(len(events)), "held": np.array([e[0] for e in events]),
            "kind": np.array([e[1] for e in events]), "name": np.array([e[2] for e in events]),
            "internal_only": np.array([e[3] for e in events]),
        })
        self.insert("event_attendance", {
            "event": np.concatenate(attendance_event), "rep": np.concatenate(attendance_rep),
        })

    # -- activities -----------------------------------------------------------------------

    def customer_touches(self) -> None:
        """Calls, emails and meetings with contacts, mostly within a deal's window.

        Before the handover the source rep works the lead, after it the owner. In the
        blurred region the agency keeps calling and internal reps call early. The poacher
        calls enterprise deals that are not theirs. A few touches have no deal, come from a
        colleague, are dated before the deal, or reach a contact of another account.
        """
        rng, cal = self.rng, self.calendar
        budget = int(round(self.scale.activities * 0.8))
        n_deals = self.scale.deals
        created, window_end, handover = self.deal_created, self.deal_end, self.deal_handover
        blurred = self.deal_region == BLURRED_REGION

        # Intruders: reps of the other side calling a deal that is not theirs. The poacher
        # calls enterprise deals everywhere; in the blurred region agencies also chase deals
        # after the handover and internal reps call the leads agencies close themselves.
        enterprise = self.deal_segment == ENTERPRISE
        owner_internal = INTERNAL_TEAMS[self.seat_team[self.deal_owner_seat]]
        poached = enterprise & ~self.deal_external_source & (rng.random(n_deals) < np.where(blurred, 0.5, 0.15))
        agency_chases = blurred & owner_internal & ~self.deal_mixed & ~enterprise & (rng.random(n_deals) < 0.6)
        internal_calls = blurred & ~owner_internal & (rng.random(n_deals) < 0.6)
        intruder_team = np.select([poached, agency_chases], [POACHER, rng.choice(AGENCIES, n_deals)], REGIONAL_SALES)
        intruder_count = np.where(poached | agency_chases | internal_calls,
                                  1 + rng.poisson(np.where(poached, 5.0, 2.5)), 0)
        prospecting = int(budget * 0.005)

        # Deal touches in proportion to the business time the deal is open.
        weight = (cal.weight_until(window_end) - cal.weight_until(created)) * np.array([1.4, 1.0, 0.7])[self.deal_segment]
        expected = (budget - intruder_count.sum() - prospecting) * weight / weight.sum()
        deal, _ = _segment_offsets(rng.poisson(expected))
        m = len(deal)
        early = rng.random(m) < 0.025  # touched in the weeks before the deal was created
        lo = np.where(early, np.maximum(created[deal] - 14 * DAY, 0), created[deal])
        hi = np.where(early & (lo < created[deal]), created[deal], window_end[deal])
        t = cal.sample(rng, lo, hi)

        before = t < handover[deal]
        mixed, in_blur = self.deal_mixed[deal], blurred[deal]
        has_source = self.deal_source_seat[deal] >= 0
        u = rng.random(m)
        by_source = before & has_source & np.where(mixed, ~(in_blur & (u < 0.25)), u < 0.7)
        by_source |= ~before & mixed & in_blur & (u < 0.3)
        seat = np.where(by_source, np.maximum(self.deal_source_seat[deal], 0), self.deal_owner_seat[deal])
        colleague = rng.random(m) < 0.04
        seat = np.where(colleague, self.pick_seats(self.seat_team[seat], self.deal_territory[deal]), seat)

        account = self.deal_account[deal]
        main_contact = self.pick_contacts(self.deal_account)
        contact = np.where(rng.random(m) < 0.7, main_contact[deal], self.pick_contacts(account))
        foreign = rng.random(m) < 0.0005  # a contact of another account, deal kept
        contact = np.where(foreign, rng.integers(0, len(self.contact_account), m), contact)
        deal_id = np.where(~foreign & (rng.random(m) < 0.07), -1, deal)  # resolvable by account + window

        # The intruders' calls: agencies after the handover, internal reps before it, the
        # poacher at any time (whole window when the handover leaves no room).
        p_deal, _ = _segment_offsets(intruder_count)
        p = len(p_deal)
        p_lo = np.where(agency_chases, handover, created)[p_deal]
        p_hi = np.where(internal_calls, handover, window_end)[p_deal]
        no_room = p_hi - p_lo < 3_600
        p_t = cal.sample(rng, np.where(no_room, created[p_deal], p_lo), np.where(no_room, window_end[p_deal], p_hi))
        p_seat = self.pick_seats(intruder_team[p_deal], self.deal_territory[p_deal])
        p_contact = self.pick_contacts(self.deal_account[p_deal])
        p_deal_id = np.where(rng.random(p) < 0.08, -1, p_deal)

        # Prospecting: calls on random accounts, no deal.
        q_contact = rng.integers(0, len(self.contact_account), prospecting)
        q_territory = self.account_territory[self.contact_account[q_contact]]
        q_team = np.where(rng.random(prospecting) < 0.6, rng.choice(AGENCIES, prospecting), REGIONAL_SALES)
        q_seat = self.pick_seats(q_team, q_territory)
        q_t = cal.sample(rng, np.zeros(prospecting, dtype=np.int64), np.full(prospecting, self.end))

        t = np.concatenate([t, p_t, q_t])
        seat = np.concatenate([seat, p_seat, q_seat])
        total = len(t)
        self.touches = {
            "t": t,
            "rep": self.rep_at(seat, t - self.departure_lag(total)),
            "counterpart": np.full(total, -1, dtype=np.int32),
            "contact": np.concatenate([contact, p_contact, q_contact]),
            "deal": np.concatenate([deal_id, p_deal_id, np.full(prospecting, -1)]),
            # rows of one deal (or contact) sit together when sorting for the insert
            "group": np.concatenate([deal, p_deal, n_deals + q_contact]),
        }
        self.touches.update(self.channels(total, rng.choice(3, total, p=[0.45, 0.40, 0.15]),
                                          outbound=0.75, subjects=len(CUSTOMER_SUBJECTS)))

    def departure_lag(self, n: int) -> np.ndarray:
        """Delay applied when looking up who holds a seat: a rep who left occasionally still
        shows up for a few days (activity outside employment, valid per the contract)."""
        return np.where(self.rng.random(n) < 0.1, 5 * DAY, 0)

    def channels(self, n: int, channel: np.ndarray, outbound: float, subjects: int) -> dict[str, np.ndarray]:
        """Direction, duration (calls and meetings only) and email subject per activity."""
        rng = self.rng
        duration = np.select(
            [channel == CALL, channel == MEETING],
            [np.round(rng.lognormal(np.log(240), 0.8, n)), np.round(rng.lognormal(np.log(2_700), 0.35, n), -1)],
            np.nan,
        )
        subject = np.where((channel == EMAIL) & (rng.random(n) < 0.7), rng.integers(0, subjects, n), -1)
        return {"channel": channel.astype(np.int8), "direction": (rng.random(n) >= outbound).astype(np.int8),
                "duration": duration, "subject": subject.astype(np.int16)}

    def rep_exchanges(self) -> None:
        """Rep-to-rep calls, emails and meetings.

        Handovers from agency to internal owner (coordinated in most regions, seldom in the
        blurred one), exchanges between internal and agency reps in proportion to their
        affinity, and exchanges within each side.
        """
        rng, cal, n_deals = self.rng, self.calendar, self.scale.deals
        budget = self.scale.activities - len(self.touches["t"])

        # Handovers around the day the deal reached proposal.
        blurred = self.deal_region == BLURRED_REGION
        coordinated = self.deal_mixed & (rng.random(n_deals) < np.where(blurred, 0.35, 0.92))
        h_deal, _ = _segment_offsets(np.where(coordinated, 1 + rng.poisson(0.6, n_deals), 0))
        h = len(h_deal)
        around = self.deal_handover[h_deal]
        h_t = cal.sample(rng, np.maximum(around - 3 * DAY, 0), np.minimum(around + 3 * DAY, self.end))
        h_seats = np.stack([self.deal_source_seat[h_deal], self.deal_owner_seat[h_deal]])
        h_deal_id = np.where(rng.random(h) < 0.7, h_deal, -1)

        # Seat pairs: internal x agency weighted by affinity (mostly within a territory),
        # internal x internal, and agency reps of the same agency.
        n_seats = len(self.seat_team)
        a, b = np.triu_indices(n_seats, k=1)
        internal = INTERNAL_TEAMS[self.seat_team]
        same_territory = self.seat_territory[a] == self.seat_territory[b]
        cross = internal[a] != internal[b]
        internal_seat, external_seat = np.where(internal[a], a, b), np.where(internal[a], b, a)
        affinity = self.pair_affinity[internal_seat, external_seat]
        weight = np.where(
            cross,
            np.exp(0.9 * affinity) * np.where(same_territory, 1.0, 0.05),
            np.where(internal[a] | (self.seat_team[a] == self.seat_team[b]),
                     np.where(same_territory, 1.0, 0.2) * rng.lognormal(0.0, 0.5, len(a)), 0.0),
        )
        remaining = max(budget - h, 0)
        cross_budget, within_budget = 0.55 * remaining, 0.45 * remaining
        expected = np.where(cross, cross_budget * weight / weight[cross].sum(),
                            within_budget * weight / weight[~cross].sum())
        pair, _ = _segment_offsets(rng.poisson(expected))
        e = len(pair)
        e_t = cal.sample(rng, np.zeros(e, dtype=np.int64), np.full(e, self.end))
        e_seats = np.stack([a[pair], b[pair]])

        t = np.concatenate([h_t, e_t])
        seats = np.concatenate([h_seats, e_seats], axis=1)
        total = len(t)
        initiator = rng.random(total) < 0.5  # either side may call
        lag = self.departure_lag(total)
        rep = self.rep_at(np.where(initiator, seats[0], seats[1]), t - lag)
        counterpart = self.rep_at(np.where(initiator, seats[1], seats[0]), t - lag)
        self.exchanges = {
            "t": t, "rep": rep, "counterpart": counterpart,
            "contact": np.full(total, -1, dtype=np.int32),
            "deal": np.concatenate([h_deal_id, np.full(e, -1)]),
            "group": np.concatenate([h_deal, n_deals + pair]),
        }
        self.exchanges.update(self.channels(total, rng.choice(3, total, p=[0.5, 0.45, 0.05]),
                                            outbound=0.5, subjects=len(REP_SUBJECTS)))
        self.exchanges["subject"] = np.where(self.exchanges["subject"] >= 0,
                                             self.exchanges["subject"] + len(CUSTOMER_SUBJECTS), -1).astype(np.int16)

    def insert_activities(self) -> None:
        """Sort and insert all activities.

        Rows are ordered by calendar month, then customer touches before exchanges, then by
        deal (or rep pair), then time. Within a month the order by deal keeps consecutive
        rows on the same deal, contact and reps, which makes DuckDB's foreign-key checks
        much faster than a strict time order (xl: about 50 s instead of 100 s); row-group
        zone maps on occurred_at still skip by month. Ids follow this order.
        """
        columns = {k: np.concatenate([self.touches[k], self.exchanges[k]]) for k in self.touches}
        del self.touches, self.exchanges
        is_exchange = columns["counterpart"] >= 0
        month, offset = self.calendar.month_key(columns["t"])
        group = columns.pop("group")
        group_bits = max(int(group.max()).bit_length(), 1)
        key = (((month * 2 + is_exchange) << group_bits) + group) << 22 | offset  # offset < 2**22 s (48.5 days)
        order = np.argsort(key, kind="stable")
        columns = {k: v[order] for k, v in columns.items()}
        columns["i"] = np.arange(len(order))
        self.progress(0.45, "inserting activities")
        params = {"channels": list(CHANNELS), "directions": list(DIRECTIONS),
                  "subjects": list(CUSTOMER_SUBJECTS + REP_SUBJECTS)}
        statement = _statement("activities")
        _insert_in_parallel(self.con, pd.DataFrame(columns), statement,
                            _used_params(statement, {**self.sql_params, **params}),
                            parts=THREADS if len(order) > 200_000 else 1)


def _statement(table: str) -> str:
    """The statement that inserts `table` from the frame registered as demo_rows."""
    return (DEMO_QUERIES_DIR / f"{table}.sql").read_text()


def _used_params(statement: str, params: dict) -> dict:
    """The named parameters that `statement` uses (DuckDB rejects unused ones)."""
    wanted = query_parameters(statement)
    return {name: value for name, value in params.items() if name in wanted}


def _insert_in_parallel(con, frame: pd.DataFrame, statement: str, params: dict, parts: int) -> None:
    """Insert consecutive slices of `frame` from `parts` transactions running at once.

    Constraint checks (primary key, foreign keys) dominate a big insert; separate
    transactions check them side by side (about 10% faster on 2 cores for xl). They
    commit in slice order, so the table's row order does not depend on thread timing.
    """
    bounds = np.linspace(0, len(frame), parts + 1).astype(int)
    cursors = [con.cursor() for _ in range(parts)]
    errors: list[BaseException] = []

    def work(cur, lo, hi):
        try:
            cur.register("demo_rows", frame.iloc[lo:hi])
            cur.execute(statement, params)
        except BaseException as error:  # re-raised in the calling thread
            errors.append(error)

    try:
        for cur in cursors:
            cur.execute("begin transaction")
        threads = [threading.Thread(target=work, args=(cur, bounds[k], bounds[k + 1])) for k, cur in enumerate(cursors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        for cur in cursors:
            cur.execute("commit")
    finally:
        for cur in cursors:
            cur.close()


def _stage_paths() -> tuple[list[list[int]], np.ndarray]:
    """All stage paths a deal can take, and lookup[won, last stage reached, steps back].

    Won deals pass every stage; lost deals stop at lead..negotiation. A deal that steps
    back returns to the previous stage once and moves on again.
    """
    paths: list[list[int]] = []
    lookup = np.zeros((2, 4, 2), dtype=np.int64)
    for won in (0, 1):
        for reached in range(4):
            for back in (0, 1):
                path = list(range(QUALIFIED, reached + 1))
                if back and reached >= PROPOSAL:
                    path += [reached - 1, reached]
                path.append(WON if won else LOST)
                if path not in paths:
                    paths.append(path)
                lookup[won, reached, back] = paths.index(path)
    return paths, lookup
