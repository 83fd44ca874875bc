"""The README keeps up with the command line: every command and every option is documented."""

from __future__ import annotations

import argparse

import pytest

from feeds.cli import parser

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_there_are_commands_to_document() -> None:
    assert {"build", "check", "newsletter"} <= set(commands())


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_and_option_is_in_the_readme(name: str) -> None:
    assert f"feeds {name}" in README
    options = [
        option
        for action in commands()[name]._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    ]
    assert options
    assert [option for option in options if option not in README] == []
