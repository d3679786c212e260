"""Who may see what: the roles, a signed-in user's identity and the scope it gives.

The scope is what the query runner binds to every query (`$scope_agency`: null for all the
data, else the one agency whose deals, exchanges and events the user may see) and what the
pages may offer (the Import page, user management, the audit log, presentation mode's
switch). It comes from the session's identity only, never from the URL or a widget.

| role | data | names | Import, users, audit | presentation mode |
|---|---|---|---|---|
| admin | all | real | yes | switchable |
| director | all | real | no | switchable |
| internal_manager | all | agency reps pseudonymised, unless the user is allowed them | no | switchable |
| agency_manager | its agency's deals, exchanges, events | its own reps real; others pseudonymised, other agencies "Other agency" | no | switchable |
| presenter | all | pseudonymised | no | forced on |
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.data.users import ROLES, User, role_problem

ROLE_LABELS = {
    "admin": "Administrator", "director": "Director", "internal_manager": "Internal sales manager",
    "agency_manager": "Agency manager", "presenter": "Presenter",
}
OPEN_ACCESS_USER = "open access (single user)"


class InvalidIdentity(ValueError):
    """A role or agency that does not make a valid identity."""


@dataclass(frozen=True)
class Identity:
    """A signed-in user: the name they signed in with, their role, for an agency manager
    their agency (as the teams table names it), for an internal manager whether agency reps'
    real names are allowed."""

    user: str
    role: str
    agency: str | None = None
    show_agency_rep_names: bool = False

    def __post_init__(self):
        problem = role_problem(self.role, self.agency, self.show_agency_rep_names)
        if problem:
            raise InvalidIdentity(f"user {self.user!r}: {problem}")

    @classmethod
    def of(cls, user: User) -> Identity:
        return cls(user.name, user.role, user.agency, user.show_agency_rep_names)

    @property
    def scope(self) -> Scope:
        return Scope(
            agency=self.agency,
            pseudonymise_agency_reps=(self.role == "internal_manager" and not self.show_agency_rep_names)
            or self.role == "presenter",
            presentation_forced=self.role == "presenter",
            administers=self.role == "admin",
        )


@dataclass(frozen=True)
class Scope:
    """What an identity may see. `agency` None: every agency's data."""

    agency: str | None = None
    pseudonymise_agency_reps: bool = False
    presentation_forced: bool = False
    administers: bool = False  # the Import page, user management, the audit log

    @property
    def hides_names(self) -> bool:
        """Whether some names are pseudonyms for this scope even outside presentation mode."""
        return self.agency is not None or self.pseudonymise_agency_reps or self.presentation_forced

    def query_parameters(self) -> dict[str, str | None]:
        """The scope's bound parameters, added by the query runner to every query."""
        return {"scope_agency": self.agency}


# Nobody signed in and no users file: one user who sees everything, as before roles existed.
OPEN_ACCESS = Identity(OPEN_ACCESS_USER, "admin")
# The scope of the command line (import, export, summary, report, bench): whoever runs it has
# the database file itself.
ALL_DATA = Scope()

__all__ = ["ALL_DATA", "OPEN_ACCESS", "ROLES", "ROLE_LABELS", "Identity", "InvalidIdentity", "Scope"]
