"""The models as a notebook user meets them: every parameter of each model's constructor is
documented in its class (what ``help()`` and Shift-Tab show), the examples run, and
``get_params()`` and the repr give the parameters back."""

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


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_model_is_rebuilt_from_its_parameters(name: str) -> None:
    from tightrope import make_model

    model = make_model(name)
    params = model.get_params()
    assert list(params) == [p for p in inspect.signature(type(model).__init__).parameters][1:]
    assert repr(type(model)(**params)) == repr(model)
    assert repr(model).startswith(f"{type(model).__name__}(variant={model.variant!r}")
