"""Local accounts (users.toml), the roles they give and `python -m tandem users`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tandem.data.config import ROOT
from tandem.data.users import (
    SignInLimiter,
    User,
    UsersFileError,
    hash_password,
    load_users,
    password_matches,
    save_users,
)
from tandem.model.roles import OPEN_ACCESS, Identity, InvalidIdentity

PASSWORD = "correct horse battery"


def users_cli(path, *args, password: str | None = None):
    return subprocess.run([sys.executable, "-m", "tandem", "users", "--file", str(path), *args], cwd=ROOT,
                          input=None if password is None else password + "\n", capture_output=True, text=True)


def test_no_file_means_open_access(tmp_path):
    assert load_users(tmp_path / "users.toml") is None
    assert OPEN_ACCESS.scope.agency is None and OPEN_ACCESS.scope.administers


def test_add_list_remove_through_the_command(tmp_path):
    path = tmp_path / "users.toml"
    added = users_cli(path, "add", "anna", "--role", "director", password=PASSWORD)
    assert added.returncode == 0 and "added anna (director)" in added.stdout, added.stderr
    assert PASSWORD not in path.read_text() and "$argon2id$" in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600  # hashes are for the owner's eyes only
    manager = users_cli(path, "add", "bianca", "--role", "agency_manager", "--agency", "Brightline Partners",
                        "--email", "Bianca@Brightline.example", password=PASSWORD + "2")
    assert manager.returncode == 0, manager.stderr
    listed = users_cli(path, "list")
    assert listed.returncode == 0 and "$argon2" not in listed.stdout
    assert "bianca" in listed.stdout and "Brightline Partners" in listed.stdout
    assert "bianca@brightline.example" in listed.stdout and "password and email" in listed.stdout
    users = load_users(path)
    assert sorted(users) == ["anna", "bianca"]
    assert password_matches(users["anna"], PASSWORD) and not password_matches(users["anna"], PASSWORD + "2")
    assert password_matches(users["bianca"], PASSWORD + "2")
    assert Identity.of(users["bianca"]).scope.agency == "Brightline Partners"
    removed = users_cli(path, "remove", "anna")
    assert removed.returncode == 0 and sorted(load_users(path)) == ["bianca"]


@pytest.mark.parametrize("args, password, message", [
    (["add", "bob", "--role", "director"], "short", "at least 10 characters"),
    (["add", "Bob", "--role", "director"], PASSWORD, "names are 1-64 lower-case"),
    (["add", "carl", "--role", "agency_manager"], PASSWORD, "an agency manager needs an agency"),
    (["add", "dora", "--role", "director", "--agency", "Brightline Partners"], PASSWORD, "only an agency manager"),
    (["add", "emil", "--role", "owner"], PASSWORD, "invalid choice"),
    (["add", "fred", "--role", "director", "--no-password"], None, "--no-password needs --email"),
    (["remove", "nobody"], None, "no user 'nobody'"),
    (["add", "gus", "--role", "director", "--show-agency-rep-names"], PASSWORD, "only an internal manager can be"),
])
def test_bad_requests_change_nothing(tmp_path, args, password, message):
    path = tmp_path / "users.toml"
    assert users_cli(path, "add", "anna", "--role", "director", password=PASSWORD).returncode == 0
    before = path.read_text()
    result = users_cli(path, *args, password=password)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert path.read_text() == before


def test_an_internal_manager_can_be_allowed_agency_reps_names(tmp_path):
    path = tmp_path / "users.toml"
    assert users_cli(path, "add", "ian", "--role", "internal_manager", password=PASSWORD).returncode == 0
    allowed = users_cli(path, "add", "ivy", "--role", "internal_manager", "--show-agency-rep-names", password=PASSWORD)
    assert allowed.returncode == 0 and "(internal_manager, sees agency reps' names)" in allowed.stdout
    assert "show_agency_rep_names = true" in path.read_text()
    users = load_users(path)
    assert not users["ian"].show_agency_rep_names and users["ivy"].show_agency_rep_names
    assert Identity.of(users["ian"]).scope.pseudonymise_agency_reps
    assert not Identity.of(users["ivy"]).scope.pseudonymise_agency_reps
    listed = users_cli(path, "list").stdout.splitlines()
    assert "sees agency reps' names" in next(line for line in listed if line.startswith("ivy"))
    assert "sees agency reps' names" not in next(line for line in listed if line.startswith("ian"))
    path.write_text(path.read_text().replace("show_agency_rep_names = true", 'show_agency_rep_names = "yes"'))
    with pytest.raises(UsersFileError, match="show_agency_rep_names must be true or false"):
        load_users(path)


def test_a_password_is_never_an_argument():
    result = subprocess.run([sys.executable, "-m", "tandem", "users", "add", "--help"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0 and "--password" not in result.stdout.replace("--no-password", "")


def test_one_email_per_user_and_broken_files_are_named(tmp_path):
    path = tmp_path / "users.toml"
    twice = {name: User(name, "director", email="same@example.com", password_hash=hash_password(PASSWORD))
             for name in ("anna", "bert")}
    with pytest.raises(UsersFileError, match="same@example.com is also user 'anna'"):
        save_users(twice, path)
    assert not path.exists() and list(tmp_path.iterdir()) == []
    path.write_text("[users.anna\nrole = 1")
    with pytest.raises(UsersFileError, match="cannot be read as TOML"):
        load_users(path)
    path.write_text('[users.anna]\nrole = "director"\n')
    with pytest.raises(UsersFileError, match="neither a password nor an email"):
        load_users(path)
    path.write_text('[users.anna]\nrole = "director"\npassword = "plain"\n')
    with pytest.raises(UsersFileError, match="unknown keys: password"):
        load_users(path)


def test_an_identity_needs_a_known_role_and_an_agency_only_for_an_agency_manager():
    assert Identity("x", "presenter").scope.presentation_forced
    assert Identity("x", "internal_manager").scope.pseudonymise_agency_reps
    assert not Identity("x", "internal_manager", show_agency_rep_names=True).scope.pseudonymise_agency_reps
    assert not Identity("x", "director").scope.pseudonymise_agency_reps
    with pytest.raises(InvalidIdentity, match="only an internal manager"):
        Identity("x", "director", show_agency_rep_names=True)
    assert Identity("x", "agency_manager", "Crestview Outsourcing").scope.query_parameters() == {
        "scope_agency": "Crestview Outsourcing"}
    assert Identity("x", "director").scope.query_parameters() == {"scope_agency": None}
    for role, agency in (("owner", None), ("agency_manager", None), ("director", "Crestview Outsourcing")):
        with pytest.raises(InvalidIdentity):
            Identity("x", role, agency)


def test_unknown_users_and_wrong_passwords_do_not_sign_in():
    user = User("anna", "director", password_hash=hash_password(PASSWORD))
    assert not password_matches(None, PASSWORD)
    assert not password_matches(user, "")
    assert not password_matches(User("anna", "director", password_hash="not a hash"), PASSWORD)
    assert not password_matches(User("anna", "director", email="a@example.com"), PASSWORD)


def test_failed_sign_ins_are_rate_limited_per_name():
    now = [1000.0]
    limiter = SignInLimiter(free=3, base_s=10, max_wait_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.wait_s("anna") == 0
        limiter.failed("anna")
    assert limiter.wait_s("anna") == 10 and limiter.wait_s("bert") == 0
    now[0] += 10
    assert limiter.wait_s("anna") == 0
    limiter.failed("anna")  # the 4th failure doubles the wait
    assert limiter.wait_s("anna") == 20
    for _ in range(5):
        limiter.failed("anna")
    assert limiter.wait_s("anna") == 60  # capped
    limiter.succeeded("anna")
    assert limiter.wait_s("anna") == 0
