"""The README's command lines are the ones the CLI takes: every flag exists and every value
parses and lies within its bounds (the commands themselves are not run here)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from tightrope.cli import app

README = Path(__file__).parent.parent / "README.md"


def command_lines() -> list[str]:
    """Each ``tightrope …`` line of the README's bash blocks, up to a pipe, a redirection or a
    comment."""
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.DOTALL):
        for line in block.splitlines():
            command = re.split(r"\s(?:#|\||>)\s", f"{line} ")[0].strip()
            if command.startswith("tightrope "):
                lines.append(command)
    return lines


def parse(line: str) -> Any:
    """The command's context after parsing the line, as running it would begin."""
    command: Any = typer.main.get_command(app)
    words = shlex.split(line)[1:]
    name = "tightrope"
    while hasattr(command, "commands"):  # a group: the next word names its command
        name, words = words[0], words[1:]
        command = command.commands[name]
    return command.make_context(name, words)


@pytest.mark.parametrize("line", command_lines())
def test_every_command_line_the_readme_shows_parses(line: str) -> None:
    parse(line)


def test_a_line_with_a_wrong_flag_or_value_does_not_parse() -> None:
    assert len(command_lines()) > 30
    parse("tightrope forecast --record --date 2025-03-20")
    for wrong, message in (
        ("tightrope forecast --recrod", "No such option: --recrod"),
        ("tightrope simulate --runs 0", "greater than or equal to 1"),
    ):
        # Click's usage errors, as typer vendors them; the CLI turns them into exit code 2.
        with pytest.raises(Exception, match=message) as refused:
            parse(wrong)
        assert getattr(refused.value, "exit_code", None) == 2
