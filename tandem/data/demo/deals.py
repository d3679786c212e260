"""Deals, their stage changes, and the claims on them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem.data.demo.accounts import Accounts
from tandem.data.demo.arrays import segment_offsets
from tandem.data.demo.calendar import DAY, END, LIFECYCLE_DAYS, Calendar
from tandem.data.demo.cast import (
    AGENCIES,
    BLURRED_REGION,
    ENTERPRISE,
    INTERNAL_TEAMS,
    KEY_ACCOUNTS,
    LEAD,
    LOST,
    MID_MARKET,
    NEGOTIATION,
    POACHER,
    PRODUCT_BASE_AMOUNTS,
    PRODUCT_SHARES_BY_SEGMENT,
    PROPOSAL,
    QUALIFIED,
    REGIONAL_SALES,
    SEGMENT_AMOUNT_FACTORS,
    SMB,
    WON,
    Scale,
)
from tandem.data.demo.sales_force import SalesForce


@dataclass(frozen=True)
class Deals:
    """What later tables need of the deals, indexed by deal (deal ids follow creation time)."""

    created: np.ndarray
    account: np.ndarray
    segment: np.ndarray
    region: np.ndarray
    territory: np.ndarray
    owner_seat: np.ndarray
    source_seat: np.ndarray  # -1: inbound
    external_source: np.ndarray  # an agency brought it in
    mixed: np.ndarray  # an agency brought it in, an internal rep closes it
    source: np.ndarray  # the source rep at creation, -1: inbound
    end: np.ndarray  # end of the deal's window: its closing change, else the end of the period
    handover: np.ndarray  # when it first reached proposal, else its end
    won: np.ndarray  # won within the period


def deals(
    rng: np.random.Generator, scale: Scale, calendar: Calendar, force: SalesForce, accounts: Accounts,
) -> tuple[Deals, np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Deals with their source, owner, outcome and stage path, then their stage changes.

    Returns the deals, the affinity of each seat pair ([seat, seat]) and the rows of the
    deals and deal_stage_changes tables (queries/demo/).
    """
    n = scale.deals
    # Deal ids follow creation time.
    created = np.sort(calendar.sample(rng, np.zeros(n, dtype=np.int64), np.full(n, END)))
    account_weight = np.array([2.2, 1.2, 0.8])[accounts.segment] * rng.lognormal(0.0, 0.4, scale.accounts)
    account = rng.choice(scale.accounts, n, p=account_weight / account_weight.sum())
    segment, region = accounts.segment[account], accounts.region[account]
    territory = accounts.territory[account]

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
        [force.pick_seats(rng, agency, territory), force.pick_seats(rng, internal_source_team, territory)],
        -1,
    )

    # Who closes it: Key Accounts for enterprise (the account's owner), mostly Regional
    # Sales otherwise; agencies close some of the small deals they found themselves.
    mid_owner_team = np.where(rng.random(n) < 0.2, KEY_ACCOUNTS, REGIONAL_SALES)
    agency_closes = external_source & (segment == SMB) & (rng.random(n) < 0.45)
    owner_seat = np.select(
        [segment == ENTERPRISE, agency_closes],
        [accounts.owner_seat[account], source_seat],
        force.pick_seats(rng, np.where(segment == MID_MARKET, mid_owner_team, REGIONAL_SALES), territory),
    )
    mixed = external_source & INTERNAL_TEAMS[force.seat_team[owner_seat]]  # agency found it, internal closes

    # Each seat pair has an affinity: it drives how much they talk (rep_exchanges) and
    # how often the deals they share are won.
    n_seats = len(force.seat_team)
    pair_affinity = rng.standard_normal((n_seats, n_seats))
    affinity = np.where(mixed, pair_affinity[owner_seat, np.maximum(source_seat, 0)], 0.0)
    win_logit = -0.5 + np.array([0.2, 0.0, 0.1])[segment] + 0.9 * affinity - 0.3 * (region == BLURRED_REGION)
    won = rng.random(n) < 1.0 / (1.0 + np.exp(-win_logit))
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

    owner = force.rep_at(owner_seat, created)
    source = np.where(source_seat >= 0, force.rep_at(np.maximum(source_seat, 0), created), -1)
    outcome, changes = stage_changes(rng, calendar, force, created, owner_seat, source_seat, external_source,
                                     won, lost_at, steps_back, duration_days)
    deal_rows = {
        "i": np.arange(n), "account": account, "product": product, "amount": amount, "created": created,
        "closed": np.where(outcome["closed"], outcome["end"], -1), "status": outcome["status"],
        "stage": outcome["stage"], "owner": owner, "source": source, "lead_source": lead_source,
    }
    drawn = Deals(created=created, account=account, segment=segment, region=region, territory=territory,
                 owner_seat=owner_seat, source_seat=source_seat, external_source=external_source, mixed=mixed,
                 source=source, end=outcome["end"], handover=outcome["handover"], won=outcome["won"])
    return drawn, pair_affinity, deal_rows, changes


def stage_changes(
    rng: np.random.Generator, calendar: Calendar, force: SalesForce, created: np.ndarray, owner_seat: np.ndarray,
    source_seat: np.ndarray, external_source: np.ndarray, won: np.ndarray, lost_at: np.ndarray,
    steps_back: np.ndarray, duration_days: np.ndarray,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Each deal's full path of stage changes, cut off at the end of the period.

    What happens after the end does not exist yet: a deal whose closing change falls
    after it is open, at the stage of its last change before it. Returns per deal
    whether it closed, the end of its window, its stage, status, whether it was won and
    its handover; and the rows of the deal_stage_changes table.
    """
    n = len(won)
    paths, lookup = stage_paths()
    path = lookup[won.astype(int), np.where(won, NEGOTIATION, lost_at), steps_back.astype(int)]
    length = np.array([len(p) for p in paths])[path]
    padded = np.full((len(paths), max(len(p) for p in paths)), -1)
    for k, p in enumerate(paths):
        padded[k, : len(p)] = p
    deal, pos = segment_offsets(length)
    stage = padded[path[deal], pos]
    last = pos == length[deal] - 1

    # Changes spread over the deal's life in business time, the closing one at its end;
    # `+ pos` seconds keeps a deal's changes distinct and in order.
    w_from = calendar.weight_until(created)
    w_to = calendar.weight_until(created + np.round(duration_days * DAY).astype(np.int64))
    share = np.where(last, 1.0, (pos + 0.15 + 0.7 * rng.random(len(deal))) / length[deal])
    t = np.floor(calendar.time_at(w_from[deal] + share * (w_to - w_from)[deal])).astype(np.int64)
    t = np.maximum(t, created[deal]) + pos
    kept = t < END

    kept_count = np.bincount(deal[kept], minlength=n)
    first_row = np.cumsum(length) - length
    last_kept = first_row + kept_count - 1
    closed = kept[first_row + length - 1]
    end = np.where(closed, t[first_row + length - 1], END)

    # The handover: when the deal first reached proposal (else the end of its window).
    reached = kept & (stage == PROPOSAL)
    handover = end.copy()
    first_deal, first_at = np.unique(deal[reached], return_index=True)
    handover[first_deal] = t[reached][first_at]

    # Agencies qualify the leads they found; the owner moves the rest; a few changes
    # come from automation (no rep).
    change_source_seat = source_seat[deal]
    by_source = (stage == QUALIFIED) & (change_source_seat >= 0) & external_source[deal]
    seat = np.where(by_source, np.maximum(change_source_seat, 0), owner_seat[deal])
    rep = np.where(rng.random(len(deal)) < 0.03, -1, force.rep_at(seat, t))
    outcome = {
        "closed": closed, "end": end,
        "stage": np.where(kept_count > 0, stage[np.maximum(last_kept, 0)], LEAD),
        "status": np.where(closed, np.where(won, 1, 2), 0),  # DEAL_STATUSES
        "won": closed & won, "handover": handover,
    }
    return outcome, {"deal": deal[kept], "stage": stage[kept], "t": t[kept], "rep": rep[kept]}


def stage_paths() -> tuple[list[list[int]], np.ndarray]:
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


def claims(rng: np.random.Generator, deals: Deals, force: SalesForce) -> dict[str, np.ndarray]:
    """Source reps register leads; winners claim credit. In the blurred region both sides
    claim the same wins. Returns the rows of the claims table (queries/demo/claims.sql)."""
    n = len(deals.created)
    has_source = deals.source >= 0
    blurred = deals.region == BLURRED_REGION
    registered = has_source & (rng.random(n) < np.where(deals.external_source, 0.55, 0.3))
    # Registration shortly before or at creation (some before: valid per the contract).
    reg_at = np.maximum(deals.created - np.floor(rng.random(n) * 3 * DAY).astype(np.int64), 0)

    won = deals.won
    credit_p = np.where(deals.mixed, np.where(blurred, 0.6, 0.12), 0.7)
    owner_credit = won & (rng.random(n) < credit_p)
    source_credit = won & deals.mixed & (rng.random(n) < np.where(blurred, 0.35, 0.02))
    room = np.clip(END - 1 - deals.end, 0, 2 * DAY)
    credit_at = deals.end + np.floor(rng.random(n) * room).astype(np.int64)

    source_seat = np.maximum(deals.source_seat, 0)
    deal = np.concatenate([np.flatnonzero(registered), np.flatnonzero(owner_credit), np.flatnonzero(source_credit)])
    at = np.concatenate([reg_at[registered], credit_at[owner_credit], credit_at[source_credit]])
    rep = np.concatenate([
        deals.source[registered],
        force.rep_at(deals.owner_seat[owner_credit], credit_at[owner_credit]),
        force.rep_at(source_seat[source_credit], credit_at[source_credit]),
    ])
    # Indexes into CLAIM_KINDS: registrations, then credits.
    kind = np.concatenate([np.zeros(registered.sum()), np.ones(owner_credit.sum() + source_credit.sum())])
    return {"deal": deal, "rep": rep, "t": at, "kind": kind.astype(np.int8)}
