"""`python -m tandem users add|remove|list`: the local accounts of users.toml.

Passwords are typed twice at a terminal (getpass), or read as one line from standard input
when that is not a terminal (a script's pipe); never taken from the command line, where
the shell history and the process list would keep them.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from tandem.data.users import ROLES, User, hash_password, load_users, role_problem, save_users, users_path


class UsersCommandError(Exception):
    """A bad request (unknown user, bad role, passwords that differ): one message, status 2."""


def add_arguments(commands, parser_class) -> None:
    p = commands.add_parser("users", help="manage who may sign in (users.toml: roles, agencies, password hashes)")
    p.add_argument("--file", default=None, help="the users file (default: $TANDEM_USERS, else users.toml beside "
                                                "the database)")
    actions = p.add_subparsers(dest="action", required=True, parser_class=parser_class)
    add = actions.add_parser("add", help="add a user, or replace one of the same name (asks for the password)")
    add.add_argument("name", help="the name to sign in with (lower case: letters, digits, '.', '_', '-')")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--agency", default=None, help="an agency manager's agency, as the teams table names it")
    add.add_argument("--email", default=None, help="the email that signs in through the identity provider "
                                                   "(st.login), when one is configured")
    add.add_argument("--show-agency-rep-names", action="store_true",
                     help="an internal manager allowed to see agency reps' real names (default: pseudonyms)")
    add.add_argument("--no-password", action="store_true",
                     help="no local password: signs in through the identity provider only (needs --email)")
    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    actions.add_parser("list", help="list the users (never their password hashes)")


def run(args) -> str:
    path = Path(args.file) if args.file else users_path()
    users = load_users(path) or {}
    if args.action == "list":
        if not users:
            return f"no users in {path}: Tandem runs open (single user, sees everything)"
        lines = [f"{'user':<20} {'role':<17} {'agency':<26} {'email':<30} signs in with"]
        for user in sorted(users.values(), key=lambda u: u.name):
            ways = " and ".join(w for w, on in (("password", user.password_hash), ("email", user.email)) if on)
            allowed = "  (sees agency reps' names)" if user.show_agency_rep_names else ""
            lines.append(f"{user.name:<20} {user.role:<17} {user.agency or '':<26} {user.email or '':<30} {ways}"
                         f"{allowed}")
        return "\n".join(lines)
    if args.action == "remove":
        if args.name not in users:
            raise UsersCommandError(f"no user {args.name!r} in {path}")
        del users[args.name]
        save_users(users, path)
        left = "" if users else "; no user left: Tandem will run open (single user, sees everything)"
        return f"removed {args.name} from {path}{left}"
    problem = role_problem(args.role, args.agency, args.show_agency_rep_names)
    if problem:
        raise UsersCommandError(problem)
    if args.no_password and not args.email:
        raise UsersCommandError("--no-password needs --email: the user signs in through the identity provider")
    password_hash = None if args.no_password else hash_password_or_refuse(read_password(args.name))
    user = User(args.name, args.role, args.agency, args.email.strip().lower() if args.email else None, password_hash,
                args.show_agency_rep_names)
    replaced = args.name in users
    save_users({**users, args.name: user}, path)
    details = ", ".join([args.role] + ([args.agency] if args.agency else [])
                        + (["sees agency reps' names"] if args.show_agency_rep_names else []))
    return f"{'replaced' if replaced else 'added'} {args.name} ({details}) in {path}"


def read_password(name: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != first:
            raise UsersCommandError("the two passwords differ; nothing was changed")
        return first
    return sys.stdin.readline().rstrip("\n")


def hash_password_or_refuse(password: str) -> str:
    try:
        return hash_password(password)
    except ValueError as error:
        raise UsersCommandError(f"{error}; nothing was changed") from None
