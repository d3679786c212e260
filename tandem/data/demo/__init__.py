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

The pieces: `cast` (regions, teams, names, scales), `calendar` (business time), one module
per group of tables whose functions take the generator and what they depend on and
return the rows they drew (`sales_force`, `accounts`, `deals`, `events`, `activities`),
`sql` (the insert statements of queries/demo/) and `build`, the one place that calls
them in order and writes the database.
"""

from tandem.data.demo.build import build_demo
from tandem.data.demo.cast import SCALES, Scale

__all__ = ["SCALES", "Scale", "build_demo"]
