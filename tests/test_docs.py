"""Documentation that cannot drift: every CLI command is in README.md."""

from pathlib import Path

from tandem.cli.main import _parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_cli_command_is_documented():
    commands = _parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"import", "export", "demo", "precompute", "bench", "soak", "summary", "report",
                             "users"}
    for name, parser in commands.items():
        assert f"python -m tandem {name}" in README, name
        for action in parser._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in README, f"{name} {flag}"


def test_the_contract_and_the_definitions_live_in_the_repository():
    """A clone has no ../shared: README points to docs/ for the contract and the definitions."""
    docs = Path(__file__).resolve().parent.parent / "docs"
    assert "../shared" not in README
    for name, must_say in (("data-contract.md", ("| activities |", "closed_at >= created_at")),
                           ("definitions.md", ("**Win rate**", "**Deal window**", "uncoordinated_overlap"))):
        assert f"docs/{name}" in README, name
        text = (docs / name).read_text()
        assert all(phrase in text for phrase in must_say), name
