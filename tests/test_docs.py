"""README keeps up with the code: each command's synopsis lists exactly the options its --help
shows, each command's purpose is described, and the settings table matches the declarations."""

from __future__ import annotations

import argparse
import re

import pytest

from feeds.arguments import parser
from feeds.cli import COMMANDS

from .conftest import ROOT
from .docs_tables import readme_block, settings_table

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def help_options(command: argparse.ArgumentParser) -> set[str]:
    """The command's options, with those of its actions (``feeds subscribers add --name``)."""
    found = {
        option
        for action in command._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for nested in action.choices.values():
                found |= help_options(nested)
    return found


def synopsis(name: str, readme: str = README) -> str:
    """The lines of README's "Command line" block that describe ``feeds NAME``."""
    block = readme.split("## Command line", 1)[1].split("```", 2)[1]
    found = re.search(rf"^feeds {name} .*?(?=^feeds |\Z)", block, re.MULTILINE | re.DOTALL)
    assert found, f"README's command line block has no 'feeds {name}' synopsis"
    return found.group(0)


def test_there_are_commands_to_document() -> None:
    assert {"build", "check", "newsletter", "send"} <= set(commands())


@pytest.mark.parametrize("name", sorted(commands()))
def test_the_synopsis_lists_exactly_the_options_of_help(name: str) -> None:
    documented = set(re.findall(r"--[a-z][a-z-]*", synopsis(name)))
    assert documented == help_options(commands()[name])


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_is_described(name: str) -> None:
    assert f"- `feeds {name}`" in README


def test_a_synopsis_that_drifts_from_help_is_caught() -> None:
    drifted = README.replace("feeds send [--dry-run", "feeds send [--drafts] [--dry-run", 1)
    documented = set(re.findall(r"--[a-z][a-z-]*", synopsis("send", drifted)))
    assert documented != help_options(commands()["send"])


def test_the_settings_table_is_made_from_the_declarations() -> None:
    assert readme_block(README) == settings_table()


def test_every_command_has_its_runner() -> None:
    """Each command the parser knows names a function of cli.COMMANDS, and none is left over."""
    named: set[str] = set()
    pending = [parser()]
    while pending:
        current = pending.pop()
        if current.get_default("command"):
            named.add(current.get_default("command"))
        pending.extend(subcommands(current))
    assert named == set(COMMANDS)


def subcommands(command: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    return [
        child
        for action in command._actions
        if isinstance(action, argparse._SubParsersAction)
        for child in action.choices.values()
    ]
