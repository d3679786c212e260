"""Activities: customer touches (reps with contacts) and exchanges between reps."""

from __future__ import annotations

import numpy as np

from tandem.data.demo.accounts import Accounts
from tandem.data.demo.arrays import segment_offsets
from tandem.data.demo.calendar import DAY, END, Calendar
from tandem.data.demo.cast import (
    AGENCIES,
    BLURRED_REGION,
    CALL,
    CUSTOMER_SUBJECTS,
    EMAIL,
    ENTERPRISE,
    INTERNAL_TEAMS,
    MEETING,
    POACHER,
    REGIONAL_SALES,
    REP_SUBJECTS,
    Scale,
)
from tandem.data.demo.deals import Deals
from tandem.data.demo.sales_force import SalesForce


def customer_touches(
    rng: np.random.Generator, scale: Scale, calendar: Calendar, force: SalesForce, accounts: Accounts, deals: Deals,
    parts: int = 1,
) -> dict[str, np.ndarray]:
    """Calls, emails and meetings with contacts, mostly within a deal's window.

    Before the handover the source rep works the lead, after it the owner. In the
    blurred region the agency keeps calling and internal reps call early. The poacher
    calls enterprise deals that are not theirs. A few touches have no deal, come from a
    colleague, are dated before the deal, or reach a contact of another account.
    Returns activity columns (see `activity_rows`). Drawn in `parts` steps (see `draw_parts`).
    """
    budget = int(round(scale.activities * 0.8))
    n_deals = scale.deals
    created, window_end, handover = deals.created, deals.end, deals.handover
    blurred = deals.region == BLURRED_REGION

    # Intruders: reps of the other side calling a deal that is not theirs. The poacher
    # calls enterprise deals everywhere; in the blurred region agencies also chase deals
    # after the handover and internal reps call the leads agencies close themselves.
    enterprise = deals.segment == ENTERPRISE
    owner_internal = INTERNAL_TEAMS[force.seat_team[deals.owner_seat]]
    poached = enterprise & ~deals.external_source & (rng.random(n_deals) < np.where(blurred, 0.5, 0.15))
    agency_chases = blurred & owner_internal & ~deals.mixed & ~enterprise & (rng.random(n_deals) < 0.6)
    internal_calls = blurred & ~owner_internal & (rng.random(n_deals) < 0.6)
    intruder_team = np.select([poached, agency_chases], [POACHER, rng.choice(AGENCIES, n_deals)], REGIONAL_SALES)
    intruder_count = np.where(poached | agency_chases | internal_calls,
                              1 + rng.poisson(np.where(poached, 5.0, 2.5)), 0)
    prospecting = int(budget * 0.005)

    # Deal touches in proportion to the business time the deal is open, drawn for one range
    # of deals at a time so that the temporaries of a big scale fit in memory.
    segment_weight = np.array([1.4, 1.0, 0.7])[deals.segment]
    weight = (calendar.weight_until(window_end) - calendar.weight_until(created)) * segment_weight
    expected = (budget - intruder_count.sum() - prospecting) * weight / weight.sum()
    touches_per_deal = rng.poisson(expected)
    main_contact = None
    drawn: dict[str, list[np.ndarray]] = {"t": [], "seat": [], "contact": [], "deal_id": [], "deal": []}
    for first, stop in deal_ranges(touches_per_deal, parts):
        deal = first + segment_offsets(touches_per_deal[first:stop])[0]
        m = len(deal)
        early = rng.random(m) < 0.025  # touched in the weeks before the deal was created
        lo = np.where(early, np.maximum(created[deal] - 14 * DAY, 0), created[deal])
        hi = np.where(early & (lo < created[deal]), created[deal], window_end[deal])
        t = calendar.sample(rng, lo, hi)
        del early, lo, hi

        before = t < handover[deal]
        mixed, in_blur = deals.mixed[deal], blurred[deal]
        has_source = deals.source_seat[deal] >= 0
        u = rng.random(m)
        by_source = before & has_source & np.where(mixed, ~(in_blur & (u < 0.25)), u < 0.7)
        by_source |= ~before & mixed & in_blur & (u < 0.3)
        del before, mixed, in_blur, has_source, u
        seat = np.where(by_source, np.maximum(deals.source_seat[deal], 0), deals.owner_seat[deal])
        colleague = rng.random(m) < 0.04
        seat = np.where(colleague, force.pick_seats(rng, force.seat_team[seat], deals.territory[deal]), seat)

        account = deals.account[deal]
        if main_contact is None:  # one per deal, drawn at this point of the first range's draws
            main_contact = accounts.pick_contacts(rng, deals.account)
        contact = np.where(rng.random(m) < 0.7, main_contact[deal], accounts.pick_contacts(rng, account))
        foreign = rng.random(m) < 0.0005  # a contact of another account, deal kept
        contact = np.where(foreign, rng.integers(0, len(accounts.contact_account), m), contact)
        deal_id = np.where(~foreign & (rng.random(m) < 0.07), -1, deal)  # resolvable by account + window
        for name, column in (("t", t), ("seat", seat), ("contact", contact), ("deal_id", deal_id), ("deal", deal)):
            drawn[name].append(column if name == "t" else column.astype(np.int32))
        del t, seat, contact, deal_id, deal, account, colleague, foreign, by_source

    # The intruders' calls: agencies after the handover, internal reps before it, the
    # poacher at any time (whole window when the handover leaves no room).
    p_deal, _ = segment_offsets(intruder_count)
    p = len(p_deal)
    p_lo = np.where(agency_chases, handover, created)[p_deal]
    p_hi = np.where(internal_calls, handover, window_end)[p_deal]
    no_room = p_hi - p_lo < 3_600
    p_t = calendar.sample(rng, np.where(no_room, created[p_deal], p_lo), np.where(no_room, window_end[p_deal], p_hi))
    p_seat = force.pick_seats(rng, intruder_team[p_deal], deals.territory[p_deal])
    p_contact = accounts.pick_contacts(rng, deals.account[p_deal])
    p_deal_id = np.where(rng.random(p) < 0.08, -1, p_deal)

    # Prospecting: calls on random accounts, no deal.
    q_contact = rng.integers(0, len(accounts.contact_account), prospecting)
    q_territory = accounts.territory[accounts.contact_account[q_contact]]
    q_team = np.where(rng.random(prospecting) < 0.6, rng.choice(AGENCIES, prospecting), REGIONAL_SALES)
    q_seat = force.pick_seats(rng, q_team, q_territory)
    q_t = calendar.sample(rng, np.zeros(prospecting, dtype=np.int64), np.full(prospecting, END))

    def joined(name: str, *rest: np.ndarray) -> np.ndarray:
        """The deal touches' column (its ranges released) followed by the other rows'."""
        return np.concatenate(drawn.pop(name) + [r if name == "t" else r.astype(np.int32) for r in rest])

    t = joined("t", p_t, q_t)
    seat = joined("seat", p_seat, q_seat)
    total = len(t)
    touches = {
        "t": t,
        "rep": reps_at(rng, force, seat, t, parts),
        "counterpart": np.full(total, -1, dtype=np.int32),
        "contact": joined("contact", p_contact, q_contact),
        "deal": joined("deal_id", p_deal_id, np.full(prospecting, -1)),
        # rows of one deal (or contact) sit together when sorting for the insert
        "group": joined("deal", p_deal, n_deals + q_contact),
    }
    del seat
    touches.update(channels_in_parts(rng, total, parts, shares=[0.45, 0.40, 0.15],
                                     outbound=0.75, subjects=len(CUSTOMER_SUBJECTS)))
    return touches


def rep_exchanges(
    rng: np.random.Generator, scale: Scale, calendar: Calendar, force: SalesForce, deals: Deals,
    pair_affinity: np.ndarray, touch_count: int,
) -> dict[str, np.ndarray]:
    """Rep-to-rep calls, emails and meetings, as many as the customer touches (`touch_count`)
    leave of the scale's activities.

    Handovers from agency to internal owner (coordinated in most regions, seldom in the
    blurred one), exchanges between internal and agency reps in proportion to their
    affinity, and exchanges within each side. Returns activity columns (see `activity_rows`).
    """
    n_deals = scale.deals
    budget = scale.activities - touch_count

    # Handovers around the day the deal reached proposal.
    blurred = deals.region == BLURRED_REGION
    coordinated = deals.mixed & (rng.random(n_deals) < np.where(blurred, 0.35, 0.92))
    h_deal, _ = segment_offsets(np.where(coordinated, 1 + rng.poisson(0.6, n_deals), 0))
    h = len(h_deal)
    around = deals.handover[h_deal]
    h_t = calendar.sample(rng, np.maximum(around - 3 * DAY, 0), np.minimum(around + 3 * DAY, END))
    h_seats = np.stack([deals.source_seat[h_deal], deals.owner_seat[h_deal]])
    h_deal_id = np.where(rng.random(h) < 0.7, h_deal, -1)

    # Seat pairs: internal x agency weighted by affinity (mostly within a territory),
    # internal x internal, and agency reps of the same agency.
    n_seats = len(force.seat_team)
    a, b = np.triu_indices(n_seats, k=1)
    internal = INTERNAL_TEAMS[force.seat_team]
    same_territory = force.seat_territory[a] == force.seat_territory[b]
    cross = internal[a] != internal[b]
    internal_seat, external_seat = np.where(internal[a], a, b), np.where(internal[a], b, a)
    affinity = pair_affinity[internal_seat, external_seat]
    weight = np.where(
        cross,
        np.exp(0.9 * affinity) * np.where(same_territory, 1.0, 0.05),
        np.where(internal[a] | (force.seat_team[a] == force.seat_team[b]),
                 np.where(same_territory, 1.0, 0.2) * rng.lognormal(0.0, 0.5, len(a)), 0.0),
    )
    remaining = max(budget - h, 0)
    cross_budget, within_budget = 0.55 * remaining, 0.45 * remaining
    expected = np.where(cross, cross_budget * weight / weight[cross].sum(),
                        within_budget * weight / weight[~cross].sum())
    pair, _ = segment_offsets(rng.poisson(expected))
    e = len(pair)
    e_t = calendar.sample(rng, np.zeros(e, dtype=np.int64), np.full(e, END))
    e_seats = np.stack([a[pair], b[pair]])

    t = np.concatenate([h_t, e_t])
    seats = np.concatenate([h_seats, e_seats], axis=1)
    total = len(t)
    initiator = rng.random(total) < 0.5  # either side may call
    lag = departure_lag(rng, total)
    rep = force.rep_at(np.where(initiator, seats[0], seats[1]), t - lag)
    counterpart = force.rep_at(np.where(initiator, seats[1], seats[0]), t - lag)
    exchanges = {
        "t": t, "rep": rep.astype(np.int32), "counterpart": counterpart.astype(np.int32),
        "contact": np.full(total, -1, dtype=np.int32),
        "deal": np.concatenate([h_deal_id, np.full(e, -1)]).astype(np.int32),
        "group": np.concatenate([h_deal, n_deals + pair]).astype(np.int32),
    }
    exchanges.update(channels(rng, total, rng.choice(3, total, p=[0.5, 0.45, 0.05]),
                              outbound=0.5, subjects=len(REP_SUBJECTS)))
    # Rep subjects follow the customer subjects in the list the SQL reads.
    exchanges["subject"] = np.where(exchanges["subject"] >= 0,
                                    exchanges["subject"] + len(CUSTOMER_SUBJECTS), -1).astype(np.int16)
    return exchanges


def draw_parts(scale: Scale) -> int:
    """In how many steps the per-activity draws are made: one per 10 million activities.

    One step draws exactly what the generator drew before steps existed (the scales up to
    `xl` keep their data); more steps draw other, equally distributed rows in a fraction
    of the memory (`xxl`: 100 million activities).
    """
    return max(1, -(-scale.activities // 10_000_000))


def deal_ranges(touches_per_deal: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """`parts` consecutive ranges of deals [first, stop) with about as many touches each."""
    if parts == 1:
        return [(0, len(touches_per_deal))]
    cumulative = np.cumsum(touches_per_deal)
    cuts = np.searchsorted(cumulative, cumulative[-1] * np.arange(1, parts) / parts)
    bounds = [0, *sorted(set(int(c) for c in cuts)), len(touches_per_deal)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def row_slices(n: int, parts: int) -> list[slice]:
    bounds = np.linspace(0, n, parts + 1).astype(np.int64)
    return [slice(int(a), int(b)) for a, b in zip(bounds, bounds[1:])]


def reps_at(rng: np.random.Generator, force: SalesForce, seat: np.ndarray, t: np.ndarray, parts: int) -> np.ndarray:
    """The rep on each row's seat at its time, less a departure lag drawn per row."""
    rep = np.empty(len(t), dtype=np.int32)
    for rows in row_slices(len(t), parts):
        rep[rows] = force.rep_at(seat[rows], t[rows] - departure_lag(rng, rows.stop - rows.start))
    return rep


def departure_lag(rng: np.random.Generator, n: int) -> np.ndarray:
    """Delay applied when looking up who holds a seat: a rep who left occasionally still
    shows up for a few days (activity outside employment, valid per the contract)."""
    return np.where(rng.random(n) < 0.1, 5 * DAY, 0)


def channels(rng: np.random.Generator, n: int, channel: np.ndarray, outbound: float,
             subjects: int) -> dict[str, np.ndarray]:
    """Direction, duration (calls and meetings only) and email subject per activity."""
    duration = np.select(
        [channel == CALL, channel == MEETING],
        [np.round(rng.lognormal(np.log(240), 0.8, n)), np.round(rng.lognormal(np.log(2_700), 0.35, n), -1)],
        np.nan,
    )
    subject = np.where((channel == EMAIL) & (rng.random(n) < 0.7), rng.integers(0, subjects, n), -1)
    return {"channel": channel.astype(np.int8), "direction": (rng.random(n) >= outbound).astype(np.int8),
            "duration": duration, "subject": subject.astype(np.int16)}


def channels_in_parts(rng: np.random.Generator, n: int, parts: int, shares: list[float], outbound: float,
                      subjects: int) -> dict[str, np.ndarray]:
    """`channels` of `n` rows with the channel drawn by `shares`, in `parts` steps."""
    columns: dict[str, list[np.ndarray]] = {}
    for rows in row_slices(n, parts):
        size = rows.stop - rows.start
        for name, column in channels(rng, size, rng.choice(3, size, p=shares), outbound, subjects).items():
            columns.setdefault(name, []).append(column)
    return {name: np.concatenate(parts_of) if len(parts_of) > 1 else parts_of[0]
            for name, parts_of in columns.items()}


def activity_rows(calendar: Calendar, touches: dict[str, np.ndarray],
                  exchanges: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """All activities in insert order, numbered by `i` (the activity ids follow it): the rows
    of the activities table (queries/demo/activities.sql). Empties `touches` and `exchanges`.

    Rows are ordered by calendar month, then customer touches before exchanges, then by
    deal (or rep pair), then time. Within a month the order by deal keeps consecutive
    rows on the same deal, contact and reps, which makes DuckDB's foreign-key checks
    much faster than a strict time order (xl: about 50 s instead of 100 s); row-group
    zone maps on occurred_at still skip by month.
    """
    def both(column: str) -> np.ndarray:
        """The column of all activities; the parts are released (the big scales' memory)."""
        return np.concatenate([touches.pop(column), exchanges.pop(column)])

    is_exchange = np.arange(len(touches["t"]) + len(exchanges["t"])) >= len(touches["t"])
    month, offset = calendar.month_key(np.concatenate([touches["t"], exchanges["t"]]))
    group = both("group")
    group_bits = max(int(group.max()).bit_length(), 1)
    key = (((month * 2 + is_exchange) << group_bits) + group) << 22 | offset  # offset < 2**22 s (48.5 days)
    del month, offset, group, is_exchange
    order = np.argsort(key, kind="stable")
    del key
    # One column at a time, so that at most one unsorted copy exists beside the sorted ones.
    rows = {column: both(column)[order] for column in list(touches)}
    rows["i"] = np.arange(len(order))
    return rows
