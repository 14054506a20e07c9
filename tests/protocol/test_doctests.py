"""The examples in the protocol's docstrings are run, so the documented wire format stays true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import protocol

MODULES = ["protocol", *(f"protocol.{m.name}" for m in pkgutil.iter_modules(protocol.__path__))]


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_module_has_examples() -> None:
    """Each module documents itself with at least one example (so the check above checks something)."""
    assert all(doctest.testmod(importlib.import_module(name)).attempted > 0 for name in MODULES)
