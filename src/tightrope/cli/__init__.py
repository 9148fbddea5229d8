"""The ``tightrope`` command.

Each module of this package holds a group of commands (:mod:`.common` what they share); importing
them registers their commands, in the order ``tightrope --help`` lists them. Commands import the
engines, reports and registry they use inside their bodies, so that ``--version``, ``--help`` and
the scenario commands start at once (pip does the same).
"""

from __future__ import annotations

import inspect
import os
import re
import shlex
import sys
from typing import Any

import typer

from tightrope.cli.common import (
    DEFAULT_SCENARIO,
    INTERRUPTED,
    USAGE_ERROR,
    app,
    backtest_app,
    observe_app,
    say,
)

# Importing a group registers its commands; the help lists them in this order.
# isort: off
import tightrope.cli.scenario
import tightrope.cli.bargain
import tightrope.cli.simulate
import tightrope.cli.observe
import tightrope.cli.forecast
import tightrope.cli.registry
import tightrope.cli.explore
import tightrope.cli.serve  # noqa: F401

# isort: on

__all__ = ["DEFAULT_SCENARIO", "app", "run"]


def _reflowed(docstring: str) -> str:
    """A command's docstring with each paragraph on one line: typer keeps a paragraph's line
    breaks in its help (0.29 does), so the source's wrapping showed as ragged lines."""
    paragraphs = inspect.cleandoc(docstring).split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


for _group in (app, backtest_app, observe_app):
    for _command in _group.registered_commands:
        if _command.help is None and _command.callback is not None and _command.callback.__doc__:
            _command.help = _reflowed(_command.callback.__doc__)


_stopped_workers: list[int] = []  # the exit code, once SIGTERM has stopped worker processes


def _terminated(signal_number: int, _: object) -> None:
    """SIGTERM (a job scheduler, ``timeout``, ``kill``) ends the command as an error would: the
    clean-up runs, so a registry this command created is removed and no staged output stays.
    The command's worker processes stop at once rather than finish the task in hand."""
    # Without a pool, multiprocessing was never imported (nor need it be, inside a handler).
    multiprocessing = sys.modules.get("multiprocessing")
    workers = [] if multiprocessing is None else multiprocessing.active_children()
    for worker in workers:
        worker.terminate()
    if workers:
        _stopped_workers.append(128 + signal_number)
    raise SystemExit(128 + signal_number)


def _scenario_flag(message: str, context: Any) -> str | None:
    """How to write ``observe check SCENARIO FILE``, as ``forecast SCENARIO`` reads: a command
    whose scenario is a flag took the scenario for its file and the file as one too many."""
    extra = re.fullmatch(r"Got unexpected extra argument(?:\(s\))? \((\S+)\)", message)
    if context is None or extra is None or "scenario" not in context.params:
        return None
    if context.get_parameter_source("scenario").name != "DEFAULT":
        return None
    arguments = [
        param.name for param in context.command.params if param.param_type_name == "argument"
    ]
    if len(arguments) != 1 or context.params.get(arguments[0]) is None:
        return None
    scenario = shlex.quote(str(context.params[arguments[0]]))
    written = f"{context.command_path} {shlex.quote(extra[1])} --scenario {scenario}"
    return f"the scenario is a flag here: {written}; see"


# Flags users write for an option tightrope names otherwise, where Click's spelling-based
# guess misleads ("--json": "Possible options: --as-of").
_MEANT = {
    "--json": "--format json",
    "--step": "--every",
    "--interval": "--every",
    "--output": "--out",
    "--n": "--runs",
    "--iterations": "--runs",
}
_HORIZON = "the horizon is the scenario's horizon_months (extended to its last deadline)"


def _meant(message: str, context: Any) -> str | None:
    """The message for an unknown flag that is another name of one the command has."""
    unknown = re.match(r"No such option: (\S+)", message)
    if context is None or unknown is None:
        return None
    flag = unknown[1].split("=")[0]
    if flag in ("--horizon", "--months", "--horizon-months"):
        return f"No such option: {flag}: {_HORIZON}"
    meant = _MEANT.get(flag)
    options = {name for param in context.command.params for name in getattr(param, "opts", ())}
    if meant is None or meant.split()[0] not in options:
        return None
    return f"No such option: {flag} (did you mean {meant}?)"


def run(args: list[str] | None = None) -> None:
    """The console entry point: like ``app()``, but a bad flag or value is one line on stderr.
    ``args`` replaces the command line (tests)."""
    try:
        _run(args)
    finally:
        if _stopped_workers:
            # The clean-up has run; the process ends without waiting for its pool's threads. A
            # worker stopped while it sent a result leaves the pool's reader thread waiting for
            # the rest of it forever, and Python's exit waits for that thread (CPython 3.11).
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(_stopped_workers[0])


def _run(args: list[str] | None) -> None:
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():  # signal's own requirement
        signal.signal(signal.SIGTERM, _terminated)
    try:
        code = app(args=args, standalone_mode=False, prog_name="tightrope")
    except typer.Abort:  # Ctrl-C, as older typer and Click report it
        code = INTERRUPTED
    except Exception as error:
        # Click's usage errors (bad flag, bad value, unknown command) carry exit code 2 and a
        # message; typer may vendor Click, so they are recognised by those two attributes.
        if getattr(error, "exit_code", None) != USAGE_ERROR or not hasattr(error, "format_message"):
            raise
        context = getattr(error, "ctx", None)
        command = context.command_path if context is not None else "tightrope"
        # One line: Click lists a choice's values on lines of their own.
        message = " ".join(error.format_message().split())
        message = _meant(message, context) or message.replace(": Value error, ", ": ")
        if message:  # empty when the help was shown because no arguments were given
            see = _scenario_flag(message, context) or "see"
            say(f"{command}: {message} ({see} {command} --help)")
        raise SystemExit(USAGE_ERROR) from None
    if code == INTERRUPTED:  # Ctrl-C, as typer reports it; the clean-up has run
        say("tightrope: interrupted")
    raise SystemExit(code if isinstance(code, int) else 0)
