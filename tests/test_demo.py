"""The demo generator: contract rules, determinism, sizes, and the story it must tell.

The story figures are measured here with SQL written from docs/definitions.md's definitions,
independently of `queries/` (it doubles as a cross-check of the production queries).
Run with `pytest -s tests/test_demo.py` to see the measured figures.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from tandem.data.contract import TABLES
from tandem.data.demo import build_demo

LOOKBACK_DAYS = 30
OVERLAP_DAYS = 7


def _connect(path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def _report(title: str, figures) -> None:
    print(f"\n[demo story] {title}: {figures}")


# --- Measures (SQL faithful to docs/definitions.md) -------------------------------------------------

REP_KINDS = "select r.rep_id, r.team_id, t.kind from reps r join teams t using (team_id)"

CONTEST_SIGNALS_SQL = f"""
with rep_kinds as ({REP_KINDS}),
deal_facts as (
    select d.deal_id, d.account_id, d.created_at, d.closed_at, a.segment, a.region, k.kind as owner_kind,
           d.created_at - to_days($lookback_days) as window_start,
           case when d.closed_at < $end then d.closed_at else $end end as window_end
    from deals d
    join accounts a using (account_id)
    join rep_kinds k on k.rep_id = d.owner_rep_id
    where d.created_at < $end
),
active_deals as (
    select * from deal_facts where closed_at is null or closed_at >= $start
),
touches as (
    select a.activity_id, a.occurred_at, a.rep_id, a.deal_id, c.account_id
    from activities a join contacts c using (contact_id)
    where a.occurred_at < $end
),
touches_of_deals as (  -- a touch belongs to its deal_id, or else to every deal of its account whose window holds it
    select t.activity_id, t.occurred_at, t.rep_id, t.deal_id from touches t where t.deal_id is not null
    union all
    select t.activity_id, t.occurred_at, t.rep_id, d.deal_id
    from touches t
    join deal_facts d on d.account_id = t.account_id
        and t.occurred_at >= d.window_start and t.occurred_at < d.window_end
    where t.deal_id is null
),
kinded_touches as (
    select td.*, k.kind, k.team_id from touches_of_deals td join rep_kinds k using (rep_id)
),
double_claim as (
    select c.deal_id
    from claims c join rep_kinds k using (rep_id)
    where c.claimed_at < $end
    group by c.deal_id
    having count(*) filter (k.kind = 'internal') > 0 and count(*) filter (k.kind = 'external') > 0
),
stage_changes as (
    select * from deal_stage_changes where changed_at < $end
),
other_kind_touches as (
    select kt.*, d.segment, d.region
    from kinded_touches kt join deal_facts d using (deal_id)
    where kt.kind <> d.owner_kind
),
staged_touches as (
    select o.*, coalesce(sc.stage, 'lead') as stage
    from other_kind_touches o
    asof left join stage_changes sc on sc.deal_id = o.deal_id and sc.changed_at <= o.occurred_at
),
out_of_scope as (  -- off when there are no scope rules at all
    select distinct s.deal_id
    from staged_touches s
    where exists (select 1 from scope_rules) and not exists (
        select 1
        from scope_rules r
        join stage_order f on f.stage = r.stage_from
        join stage_order l on l.stage = r.stage_to
        join stage_order st on st.stage = s.stage
        where r.team_id = s.team_id
          and (r.segment = s.segment or r.segment = '*')
          and (r.region = s.region or r.region = '*')
          and st.position between f.position and l.position
    )
),
close_pairs as (  -- an internal and an external touch of one deal less than overlap_days apart
    select i.deal_id, i.rep_id as internal_rep, e.rep_id as external_rep,
           least(i.occurred_at, e.occurred_at) as earlier, greatest(i.occurred_at, e.occurred_at) as later
    from kinded_touches i
    join kinded_touches e on e.deal_id = i.deal_id
        and e.occurred_at > i.occurred_at - to_days($overlap_days)
        and e.occurred_at < i.occurred_at + to_days($overlap_days)
    where i.kind = 'internal' and e.kind = 'external'
),
exchanges as (  -- rep-to-rep activities, both directions
    select rep_id as rep_a, counterpart_rep_id as rep_b, occurred_at
    from activities where counterpart_rep_id is not null and occurred_at < $end
    union all
    select counterpart_rep_id, rep_id, occurred_at
    from activities where counterpart_rep_id is not null and occurred_at < $end
),
uncoordinated_overlap as (
    select distinct p.deal_id
    from close_pairs p
    where not exists (
        select 1 from exchanges x
        where x.rep_a = p.internal_rep and x.rep_b = p.external_rep
          and x.occurred_at between p.earlier - to_days($overlap_days) and p.later + to_days($overlap_days)
    )
)
select a.deal_id, a.region, a.segment,
       a.deal_id in (select deal_id from double_claim) as double_claim,
       a.deal_id in (select deal_id from out_of_scope) as out_of_scope,
       a.deal_id in (select deal_id from uncoordinated_overlap) as uncoordinated_overlap
from active_deals a
"""


def contest_by_region(con) -> list[tuple]:
    """(region, active deals, contested, double_claim, out_of_scope, uncoordinated_overlap)
    over the whole period."""
    params = {**_period_of(con), "lookback_days": LOOKBACK_DAYS, "overlap_days": OVERLAP_DAYS}
    return con.execute(f"""
        with contest as ({CONTEST_SIGNALS_SQL})
        select region, count(*)::int,
               count(*) filter (double_claim or out_of_scope or uncoordinated_overlap)::int,
               count(*) filter (double_claim)::int, count(*) filter (out_of_scope)::int,
               count(*) filter (uncoordinated_overlap)::int
        from contest group by region order by region
    """, params).fetchall()


def _period_of(con) -> dict:
    start, end = con.execute(
        "select max(value) filter (key = 'period_start'), max(value) filter (key = 'period_end') from tandem_meta"
    ).fetchone()
    return {"start": dt.datetime.fromisoformat(start), "end": dt.datetime.fromisoformat(end)}


def poaching_share_by_agency(con) -> dict[str, float]:
    """Share of an agency's customer touches that hit enterprise accounts out of its scope."""
    rows = con.execute(f"""
        with rep_kinds as ({REP_KINDS}),
        agency_touches as (
            select a.activity_id, a.occurred_at, a.deal_id, k.team_id, acc.segment, acc.region
            from activities a
            join rep_kinds k using (rep_id)
            join contacts c using (contact_id)
            join accounts acc on acc.account_id = c.account_id
            where k.kind = 'external'
        ),
        staged as (  -- stage of the touch's deal at touch time; null when the touch has no deal
            select t.*, case when t.deal_id is not null then coalesce(sc.stage, 'lead') end as stage
            from agency_touches t
            asof left join deal_stage_changes sc on sc.deal_id = t.deal_id and sc.changed_at <= t.occurred_at
        ),
        judged as (
            select s.*, exists (
                select 1
                from scope_rules r
                join stage_order f on f.stage = r.stage_from
                join stage_order l on l.stage = r.stage_to
                left join stage_order st on st.stage = s.stage
                where r.team_id = s.team_id
                  and (r.segment = s.segment or r.segment = '*')
                  and (r.region = s.region or r.region = '*')
                  and (s.stage is null or st.position between f.position and l.position)
            ) as in_scope
            from staged s
        )
        select team_id, count(*) filter (segment = 'enterprise' and not in_scope) / count(*)
        from judged group by team_id order by team_id
    """).fetchall()
    return dict(rows)


def win_rate_by_exchange_quartile(con) -> list[tuple]:
    """(quartile, pairs, closed deals, pooled win rate), quartiles of (internal, external)
    rep pairs sharing a closed deal, by their number of exchanges over the whole period."""
    return con.execute(f"""
        with rep_kinds as ({REP_KINDS}),
        cross_exchanges as (
            select case when ki.kind = 'internal' then a.rep_id else a.counterpart_rep_id end as internal_rep,
                   case when ki.kind = 'internal' then a.counterpart_rep_id else a.rep_id end as external_rep,
                   count(*) as exchanges
            from activities a
            join rep_kinds ki on ki.rep_id = a.rep_id
            join rep_kinds kc on kc.rep_id = a.counterpart_rep_id
            where ki.kind <> kc.kind
            group by all
        ),
        shared_deals as (
            select case when ko.kind = 'internal' then d.owner_rep_id else d.source_rep_id end as internal_rep,
                   case when ko.kind = 'internal' then d.source_rep_id else d.owner_rep_id end as external_rep,
                   count(*) filter (d.status = 'won') as won,
                   count(*) as closed
            from deals d
            join rep_kinds ko on ko.rep_id = d.owner_rep_id
            join rep_kinds ks on ks.rep_id = d.source_rep_id
            where d.status in ('won', 'lost') and ko.kind <> ks.kind
            group by all
        ),
        pairs as (
            select s.*, coalesce(x.exchanges, 0) as exchanges
            from shared_deals s left join cross_exchanges x using (internal_rep, external_rep)
        ),
        ranked as (
            select *, ntile(4) over (order by exchanges, internal_rep, external_rep) as quartile from pairs
        )
        select quartile, count(*) as pairs, sum(closed)::int as closed, sum(won) / sum(closed) as win_rate,
               min(exchanges) as min_exchanges, max(exchanges) as max_exchanges
        from ranked group by quartile order by quartile
    """).fetchall()


def activity_seasonality(con) -> dict[str, float]:
    """Mean activities per calendar day in each part of the year (days without any count 0)."""
    row = con.execute("""
        with days as (
            select range::date as day from range($start, $end, interval 1 day)
        ),
        counts as (
            select occurred_at::date as day, count(*) as n from activities group by 1
        ),
        per_day as (
            select d.day, coalesce(c.n, 0) as n from days d left join counts c using (day)
        )
        select avg(n) filter (isodow(day) >= 6),
               avg(n) filter (isodow(day) < 6),
               avg(n) filter (month(day) = 8),
               avg(n) filter (month(day) <> 8),
               avg(n) filter (month(day) = 12 and day(day) >= 24),
               avg(n) filter (month(day) = 12 and day(day) <= 23)
        from per_day
    """, _period_of(con)).fetchone()
    keys = ("weekend", "weekday", "august", "other_months", "dec_24_31", "dec_1_23")
    return dict(zip(keys, row))


def sourcing_and_won_amount(con) -> dict[str, float]:
    row = con.execute(f"""
        with rep_kinds as ({REP_KINDS})
        select avg((ks.kind = 'external')::int) as external_sourced_share,
               sum(d.amount) filter (d.status = 'won' and ko.kind = 'internal')
                   / sum(d.amount) filter (d.status = 'won') as internal_owned_won_amount_share
        from deals d
        join rep_kinds ko on ko.rep_id = d.owner_rep_id
        left join rep_kinds ks on ks.rep_id = d.source_rep_id
    """).fetchone()
    return {"external_sourced_share": row[0], "internal_owned_won_amount_share": row[1]}


def external_reps_at_internal_strategy_meetings(con) -> int:
    return con.execute(f"""
        with rep_kinds as ({REP_KINDS})
        select count(distinct ea.rep_id)
        from event_attendance ea
        join events e using (event_id)
        join rep_kinds k using (rep_id)
        where e.kind = 'strategy_meeting' and e.internal_only and k.kind = 'external'
    """).fetchone()[0]


# --- Contract --------------------------------------------------------------------------

CONTRACT_VIOLATIONS = {
    # name: query counting rows that break a rule the schema does not enforce by itself
    "deal stage differs from its last stage change": """
        select count(*) from deals d
        left join (select deal_id, arg_max(stage, changed_at) as stage from deal_stage_changes group by deal_id) l
            using (deal_id)
        where d.stage <> coalesce(l.stage, 'lead')
    """,
    "duration on an email, or missing on a call or meeting": """
        select count(*) from activities
        where (channel = 'email') <> (duration_s is null)
    """,
    "activity outside the period": """
        select count(*) from activities where occurred_at < $start or occurred_at >= $end
    """,
    "deal created or closed outside the period": """
        select count(*) from deals
        where created_at < $start or created_at >= $end or closed_at >= $end
    """,
    "stage change or claim outside the period": """
        select (select count(*) from deal_stage_changes where changed_at < $start or changed_at >= $end)
             + (select count(*) from claims where claimed_at < $start or claimed_at >= $end)
    """,
    "event outside the period": """
        select count(*) from events where held_on < $start::date or held_on >= $end::date
    """,
    "scope rule with stage_from after stage_to": """
        select count(*) from scope_rules r
        join stage_order f on f.stage = r.stage_from join stage_order l on l.stage = r.stage_to
        where f.position > l.position
    """,
    "duplicate attendance": """
        select count(*) - count(distinct (event_id, rep_id)) from event_attendance
    """,
}

EDGE_CASES = {
    # name: (query returning a count, lowest expected, highest expected as a share of touches or None)
    "touches without deal_id": "select count(*) from activities where contact_id is not null and deal_id is null",
    "touches without deal_id outside every deal window": """
        select count(*) from activities a join contacts c using (contact_id)
        where a.deal_id is null and not exists (
            select 1 from deals d where d.account_id = c.account_id
              and a.occurred_at >= d.created_at - interval 30 day
              and a.occurred_at < coalesce(d.closed_at, $end))
    """,
    "touches before their deal's creation": """
        select count(*) from activities a join deals d using (deal_id)
        where a.contact_id is not null and a.occurred_at < d.created_at
    """,
    "touches whose deal belongs to another account": """
        select count(*) from activities a join contacts c using (contact_id) join deals d using (deal_id)
        where d.account_id <> c.account_id
    """,
    "activities outside their rep's employment": """
        select count(*) from activities a join reps r using (rep_id)
        where a.occurred_at::date < r.started_on or a.occurred_at::date > r.left_on
    """,
    "reps who left": "select count(*) from reps where left_on is not null",
    "deals that stepped back a stage": """
        with ordered as (
            select c.deal_id, s.position,
                   lag(s.position) over (partition by c.deal_id order by c.changed_at) as previous
            from deal_stage_changes c join stage_order s using (stage)
        )
        select count(distinct deal_id) from ordered where position < previous
    """,
    "rep-to-rep exchanges with a deal": "select count(*) from activities where counterpart_rep_id is not null and deal_id is not null",
    "cross-team exchanges": f"""
        with rep_kinds as ({REP_KINDS})
        select count(*) from activities a join rep_kinds k1 on k1.rep_id = a.rep_id
        join rep_kinds k2 on k2.rep_id = a.counterpart_rep_id where k1.kind <> k2.kind
    """,
    "within-kind exchanges": f"""
        with rep_kinds as ({REP_KINDS})
        select count(*) from activities a join rep_kinds k1 on k1.rep_id = a.rep_id
        join rep_kinds k2 on k2.rep_id = a.counterpart_rep_id where k1.kind = k2.kind
    """,
    "double claims": f"""
        with rep_kinds as ({REP_KINDS})
        select count(*) from (
            select c.deal_id from claims c join rep_kinds k using (rep_id) group by c.deal_id
            having count(distinct k.kind) = 2)
    """,
}


@pytest.fixture(params=["small_db", "demo_db"])
def any_db(request):
    return request.getfixturevalue(request.param)


def test_every_contract_table_is_filled(any_db):
    with _connect(any_db) as con:
        counts = {t.name: con.execute(f"select count(*) from {t.name}").fetchone()[0] for t in TABLES}
    _report(f"row counts ({any_db.stem})", counts)
    assert all(n > 0 for n in counts.values()), counts


def test_rows_satisfy_the_contract(any_db):
    with _connect(any_db) as con:
        params = _period_of(con)
        broken = {}
        for name, sql in CONTRACT_VIOLATIONS.items():
            used = {k: v for k, v in params.items() if f"${k}" in sql}
            broken[name] = con.execute(sql, used).fetchone()[0]
    assert broken == {name: 0 for name in CONTRACT_VIOLATIONS}


def test_edge_cases_are_present_and_rare(demo_db):
    with _connect(demo_db) as con:
        params = _period_of(con)
        touches = con.execute("select count(*) from activities where contact_id is not null").fetchone()[0]
        counts = {}
        for name, sql in EDGE_CASES.items():
            counts[name] = con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchone()[0]
        scope_wildcards = con.execute(
            "select count(*) from scope_rules where segment = '*' or region = '*'").fetchone()[0]
    _report("edge cases", counts)
    assert all(n > 0 for n in counts.values()), counts
    assert counts["touches without deal_id outside every deal window"] < 0.2 * counts["touches without deal_id"]
    assert counts["touches without deal_id"] < 0.15 * touches
    assert counts["touches before their deal's creation"] < 0.1 * touches
    assert counts["touches whose deal belongs to another account"] < 0.01 * touches
    assert counts["activities outside their rep's employment"] < 0.001 * touches
    assert scope_wildcards > 0


def test_same_seed_gives_the_same_rows_and_another_seed_does_not(tmp_path):
    end = dt.date(2025, 3, 3)
    first = build_demo(tmp_path / "a.duckdb", scale="small", seed=7, end_date=end)
    second = build_demo(tmp_path / "b.duckdb", scale="small", seed=7, end_date=end)
    other = build_demo(tmp_path / "c.duckdb", scale="small", seed=8, end_date=end)
    with _connect(first) as a, _connect(second) as b, _connect(other) as c:
        for table in [t.name for t in TABLES]:
            rows_a = a.execute(f"select * from {table} order by all").fetchall()
            assert rows_a == b.execute(f"select * from {table} order by all").fetchall(), table
        differing = [t.name for t in TABLES
                     if a.execute(f"select * from {t.name} order by all").fetchall()
                     != c.execute(f"select * from {t.name} order by all").fetchall()]
        meta = dict(a.execute("select key, value from tandem_meta").fetchall())
    assert {"reps", "deals", "activities", "claims"} <= set(differing)
    assert meta["source"] == "demo"
    assert meta["detail"] == "scale=small seed=7 end_date=2025-03-03"
    assert (meta["period_start"], meta["period_end"]) == ("2023-03-04", "2025-03-03")


def test_demo_scale_sizes(demo_db):
    with _connect(demo_db) as con:
        sizes = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("reps", "accounts", "deals", "activities")}
        teams = con.execute("select kind, count(*), count(agency) from teams group by kind order by kind").fetchall()
    _report("demo sizes", sizes)
    assert 50 <= sizes["reps"] <= 70
    assert 1_300 <= sizes["accounts"] <= 1_700
    assert 7_000 <= sizes["deals"] <= 9_000
    assert 450_000 <= sizes["activities"] <= 550_000
    assert teams == [("external", 3, 3), ("internal", 2, 0)]


# --- The story (demo scale, seed 42, ending 2026-11-23) ----------------------------------


def test_story_1_one_agency_poaches_enterprise_accounts(demo_db):
    with _connect(demo_db) as con:
        shares = poaching_share_by_agency(con)
    _report("1. out-of-scope enterprise touches / all customer touches, per agency", shares)
    poacher = max(shares, key=shares.get)
    others = [share for team, share in shares.items() if team != poacher]
    assert len(shares) == 3
    assert all(shares[poacher] >= 3 * share for share in others)


def test_story_2_one_region_is_contested_twice_as_often(demo_db):
    with _connect(demo_db) as con:
        per_region = contest_by_region(con)
    rates = {region: contested / active for region, active, contested, *_ in per_region}
    _report("2. contested rate per region (whole period)", {r: round(v, 3) for r, v in rates.items()})
    _report("2. (region, active deals, contested, double_claim, out_of_scope, uncoordinated_overlap)", per_region)
    blurred = max(rates, key=rates.get)
    assert len(rates) >= 4
    assert all(rates[blurred] >= 2 * rate for region, rate in rates.items() if region != blurred)
    assert all(0.05 <= rate <= 0.35 for region, rate in rates.items() if region != blurred)


def test_story_3_pairs_who_talk_more_win_more(demo_db):
    with _connect(demo_db) as con:
        quartiles = win_rate_by_exchange_quartile(con)
    _report("3. (quartile, pairs, closed deals, win rate, min/max exchanges)", quartiles)
    bottom, top = quartiles[0][3], quartiles[-1][3]
    assert len(quartiles) == 4
    assert top - bottom >= 0.10


def test_story_4_weekends_august_and_christmas_are_quiet(demo_db):
    with _connect(demo_db) as con:
        per_day = activity_seasonality(con)
    _report("4. mean activities per day", {k: round(v, 1) for k, v in per_day.items()})
    assert per_day["weekend"] < 0.5 * per_day["weekday"]
    assert per_day["august"] < 0.8 * per_day["other_months"]
    assert per_day["dec_24_31"] < 0.5 * per_day["dec_1_23"]


def test_story_5_agencies_source_and_internal_reps_close(demo_db):
    with _connect(demo_db) as con:
        shares = sourcing_and_won_amount(con)
    _report("5. shares", {k: round(v, 3) for k, v in shares.items()})
    assert shares["external_sourced_share"] > 0.5
    assert shares["internal_owned_won_amount_share"] > 0.5


def test_story_6_a_few_agency_reps_attend_an_internal_strategy_meeting(demo_db):
    with _connect(demo_db) as con:
        external_attendees = external_reps_at_internal_strategy_meetings(con)
    _report("6. external reps at internal-only strategy meetings", external_attendees)
    assert 2 <= external_attendees <= 5
