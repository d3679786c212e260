"""Documentation that cannot drift: every CLI command is in README.md."""

from pathlib import Path

from tandem.cli import _parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_cli_command_is_documented():
    commands = _parser()._subparsers._group_actions[0].choices
    assert set(commands) == {"import", "export", "demo", "precompute", "bench", "summary"}
    for name, parser in commands.items():
        assert f"python -m tandem {name}" in README, name
        for action in parser._actions:
            for flag in action.option_strings:
                if flag not in ("-h", "--help"):
                    assert flag in README, f"{name} {flag}"
