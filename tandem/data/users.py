"""Local accounts: `users.toml` (user name, role, agency, email, argon2 password hash, and
for an internal manager whether agency reps' real names are shown).

The file lives beside the database unless $TANDEM_USERS names another; with no file,
Tandem runs open (one user who sees everything). `python -m tandem users add|remove|list`
manages it; passwords are typed, never passed on the command line, and only their argon2id
hashes are stored. Signing in with Streamlit's `st.login` (OpenID Connect) maps the
identity's email to a user of this file.

    [users.anna]
    role = "director"
    email = "anna@example.com"
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."

    [users.bianca]
    role = "agency_manager"
    agency = "Brightline Partners"
    password_hash = "..."

    [users.ivan]
    role = "internal_manager"
    show_agency_rep_names = true   # allowed to see agency reps' real names (default: pseudonyms)
    password_hash = "..."
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tandem.data.config import db_path

# The roles a user may have (what each may see: tandem.model.roles, README "Who may see what").
ROLES = ("admin", "director", "internal_manager", "agency_manager", "presenter")
USER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()  # argon2id with the library's current defaults


class UsersFileError(Exception):
    """The users file cannot be read or breaks a rule; the message names the file and the rule."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    agency: str | None = None
    email: str | None = None
    password_hash: str | None = None  # None: signs in by st.login only
    show_agency_rep_names: bool = False  # an internal manager allowed to see agency reps' real names


def role_problem(role: str, agency: str | None, show_agency_rep_names: bool = False) -> str | None:
    """What is wrong with this role, agency and permission together (None: nothing)."""
    if role not in ROLES:
        return f"unknown role {role!r}: expected one of {', '.join(ROLES)}"
    if (role == "agency_manager") != bool(agency):
        return "an agency manager needs an agency, and only an agency manager has one"
    if show_agency_rep_names and role != "internal_manager":
        return "only an internal manager can be allowed agency reps' names (the other roles see them or not by role)"
    return None


def users_path() -> Path:
    """$TANDEM_USERS, else users.toml beside the database."""
    value = os.environ.get("TANDEM_USERS")
    return Path(value) if value else db_path().with_name("users.toml")


def load_users(path: Path | None = None) -> dict[str, User] | None:
    """The users of the file, by name; None when there is no file (open access)."""
    path = path or users_path()
    if not path.exists():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsersFileError(f"{path}: cannot be read as TOML ({error})") from None
    table = data.get("users", {})
    if not isinstance(table, dict):
        raise UsersFileError(f"{path}: [users] must be a table of users")
    users = {}
    emails: dict[str, str] = {}
    for name, entry in table.items():
        where = f"{path}: user {name!r}"
        if not isinstance(entry, dict):
            raise UsersFileError(f"{where} must be a table")
        unknown = set(entry) - {"role", "agency", "email", "password_hash", "show_agency_rep_names"}
        if unknown:
            raise UsersFileError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
        if not USER_NAME.fullmatch(name):
            raise UsersFileError(f"{where}: names are 1-64 lower-case letters, digits, '.', '_' or '-'")
        values = {key: entry.get(key) for key in ("role", "agency", "email", "password_hash")}
        if any(value is not None and not isinstance(value, str) for value in values.values()):
            raise UsersFileError(f"{where}: every value but show_agency_rep_names must be a string")
        shown = entry.get("show_agency_rep_names", False)
        if not isinstance(shown, bool):
            raise UsersFileError(f"{where}: show_agency_rep_names must be true or false")
        user = User(name, values["role"] or "", values["agency"], _normal_email(values["email"]), values["password_hash"],
                    shown)
        problem = role_problem(user.role, user.agency, user.show_agency_rep_names)
        if problem:
            raise UsersFileError(f"{where}: {problem}")
        if user.password_hash is None and user.email is None:
            raise UsersFileError(f"{where} has neither a password nor an email to sign in with")
        if user.email and user.email in emails:
            raise UsersFileError(f"{where}: email {user.email} is also user {emails[user.email]!r}'s")
        if user.email:
            emails[user.email] = name
        users[name] = user
    return users


def _normal_email(email: str | None) -> str | None:
    return email.strip().lower() if email else None


def save_users(users: dict[str, User], path: Path | None = None) -> Path:
    """Write the users (atomically: a temporary file, read back by `load_users`, renamed over
    the old one; readable by its owner only). UsersFileError, and no change, when they break
    a rule of the file."""
    path = path or users_path()
    lines = ["# Tandem users: python -m tandem users add|remove|list (README, \"Who may see what\").", ""]
    for user in sorted(users.values(), key=lambda u: u.name):
        lines.append(f"[users.{json.dumps(user.name)}]")
        for key in ("role", "agency", "email", "password_hash"):
            value = getattr(user, key)
            if value is not None:
                lines.append(f"{key} = {json.dumps(value)}")  # a JSON string is a TOML basic string
        if user.show_agency_rep_names:
            lines.append("show_agency_rep_names = true")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.writing")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write("\n".join(lines))
    try:
        load_users(temporary)  # what is written must read back: the file's rules are checked once, there
    except UsersFileError as error:
        temporary.unlink()
        raise UsersFileError(str(error).replace(str(temporary), str(path)) + "; nothing was changed") from None
    os.replace(temporary, path)
    return path


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    """Whether `password` is the user's. Also costs one hash for an unknown user, so that
    the time taken does not tell which user names exist."""
    if user is None or user.password_hash is None:
        _hasher.hash(password or "-")
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class SignInLimiter:
    """Failed sign-ins per user name: after `free` failures in a row, each next attempt must
    wait, 2 ** (failures - free) seconds times `base_s` (at most `max_wait_s`). A success
    clears the count. Kept in the server process: it survives a new browser session."""

    def __init__(self, free: int = 5, base_s: float = 15.0, max_wait_s: float = 900.0, clock=time.monotonic):
        self.free, self.base_s, self.max_wait_s, self.clock = free, base_s, max_wait_s, clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, name: str) -> float:
        """Seconds before `name` may try again (0: now)."""
        with self._lock:
            count, last = self._failures.get(name, (0, 0.0))
        if count < self.free:
            return 0.0
        wait = min(self.base_s * 2 ** (count - self.free), self.max_wait_s)
        return max(0.0, last + wait - self.clock())

    def failed(self, name: str) -> None:
        with self._lock:
            count, _ = self._failures.get(name, (0, 0.0))
            self._failures[name] = (count + 1, self.clock())

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)
