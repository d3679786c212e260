"""The cast of the demo: regions, segments, teams and their scope, names, products,
subjects, the yearly events, and the sizes (scales) of the sales force and its activity.

Everything the tables refer to by index (a region, a team, a name) is listed here in
that index's order; queries/demo/*.sql turn the indexes into text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem.data.contract import ALL_STAGES

REGIONS = ("North", "South", "East", "West", "Central")
REGION_SHARES = (0.22, 0.21, 0.20, 0.19, 0.18)
BLURRED_REGION = REGIONS.index("Central")

SEGMENTS = ("enterprise", "mid_market", "smb")
ENTERPRISE, MID_MARKET, SMB = range(3)
SEGMENT_SHARES = (0.15, 0.35, 0.50)

STAGES = ALL_STAGES
LEAD, QUALIFIED, PROPOSAL, NEGOTIATION, WON, LOST = range(6)
DEAL_STATUSES = ("open", "won", "lost")

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
CLAIM_KINDS = ("registration", "credit")

# A calendar of company events each year: (kind, name, day of the year, internal only,
# share of the reps attending).
YEARLY_EVENTS = (
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
    # Built once outside the tests (docs/benchmarks.md); its 4,200 reps are as many names as
    # the cast's first and last names allow without repeating (4,800).
    "xxl": Scale(seats=(640, 960, 800, 800, 800), replacements=200, accounts=360_000, deals=2_000_000,
                 activities=100_000_000, territories_per_region=40),
}
