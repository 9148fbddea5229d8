"""The models' docstrings: every parameter of each model's constructor is documented in its
class (what ``help()`` and a notebook's Shift-Tab show), and their examples run."""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

from tightrope.bargaining import MODELS


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_constructor_parameter_is_documented(name: str) -> None:
    model = MODELS[name]
    documented = inspect.getdoc(model) or ""
    assert "Parameters\n----------" in documented
    for parameter in inspect.signature(model.__init__).parameters:
        if parameter != "self":
            assert f"\n{parameter} : " in documented, f"{name}: {parameter} undocumented"


@pytest.mark.parametrize("name", ["compromise", "eum"])
def test_the_examples_in_the_docstrings_run(name: str) -> None:
    module = importlib.import_module(MODELS[name].__module__)
    outcome = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert outcome.attempted > 0
    assert outcome.failed == 0
