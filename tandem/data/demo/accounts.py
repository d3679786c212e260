"""Accounts and their contacts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem.data.demo.arrays import segment_offsets
from tandem.data.demo.calendar import END
from tandem.data.demo.cast import (
    COMPANY_CORES,
    COMPANY_FORMS,
    COMPANY_PREFIXES,
    CONTACT_TITLES,
    ENTERPRISE,
    FIRST_NAMES,
    KEY_ACCOUNTS,
    LAST_NAMES,
    MID_MARKET,
    REGION_SHARES,
    REGIONAL_SALES,
    REGIONS,
    SEGMENT_SHARES,
    SEGMENTS,
    Scale,
)
from tandem.data.demo.sales_force import SalesForce


@dataclass(frozen=True)
class Accounts:
    """What later tables need of the accounts (indexed by account) and their contacts."""

    segment: np.ndarray
    region: np.ndarray
    territory: np.ndarray
    owner_seat: np.ndarray  # -1: no owner
    first_contact: np.ndarray
    contact_count: np.ndarray
    contact_account: np.ndarray  # indexed by contact

    def pick_contacts(self, rng: np.random.Generator, account: np.ndarray) -> np.ndarray:
        """A random contact of each account."""
        u = rng.random(len(account))
        return self.first_contact[account] + np.floor(u * self.contact_count[account]).astype(np.int64)


def accounts_and_contacts(
    rng: np.random.Generator, scale: Scale, force: SalesForce,
) -> tuple[Accounts, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Accounts with unique company names, a segment and a region; their contacts. Returns
    the accounts and the rows of the accounts and contacts tables (queries/demo/)."""
    n = scale.accounts
    segment = rng.choice(len(SEGMENTS), n, p=SEGMENT_SHARES)
    region = rng.choice(len(REGIONS), n, p=REGION_SHARES)
    territory = region + len(REGIONS) * rng.integers(0, scale.territories_per_region, n)
    # Unique names: distinct codes in prefix x core x form, numbered beyond that space.
    space = len(COMPANY_PREFIXES) * len(COMPANY_CORES) * len(COMPANY_FORMS)
    code = rng.permutation(max(n, space))[:n]
    core = code % space // len(COMPANY_FORMS) % len(COMPANY_CORES)

    # Enterprise accounts have a Key Accounts owner; others a regional owner or none.
    owner_seat = np.select(
        [segment == ENTERPRISE, rng.random(n) < np.where(segment == MID_MARKET, 0.7, 0.3)],
        [force.pick_seats(rng, np.full(n, KEY_ACCOUNTS), territory),
         force.pick_seats(rng, np.full(n, REGIONAL_SALES), territory)],
        -1,
    )
    owner_rep = np.where(owner_seat >= 0, force.rep_at(np.maximum(owner_seat, 0), np.full(n, END - 1)), -1)
    account_rows = {
        "i": np.arange(n), "prefix": code % space // (len(COMPANY_FORMS) * len(COMPANY_CORES)), "core": core,
        "form": code % len(COMPANY_FORMS), "number": code // space, "segment": segment, "region": region,
        "has_industry": rng.random(n) > 0.03, "owner": owner_rep,
    }

    # Contacts: bigger accounts have more of them.
    low, high = np.array([5, 3, 1])[segment], np.array([11, 7, 4])[segment]
    per_account = rng.integers(low, high)
    contact_account, _ = segment_offsets(per_account)
    m = len(contact_account)
    contact_rows = {
        "i": np.arange(m), "account": contact_account,
        "first": rng.integers(0, len(FIRST_NAMES), m), "last": rng.integers(0, len(LAST_NAMES), m),
        "title": np.where(rng.random(m) < 0.1, -1, rng.integers(0, len(CONTACT_TITLES), m)),
    }
    accounts = Accounts(segment=segment, region=region, territory=territory, owner_seat=owner_seat,
                        first_contact=np.cumsum(per_account) - per_account, contact_count=per_account,
                        contact_account=contact_account)
    return accounts, account_rows, contact_rows
