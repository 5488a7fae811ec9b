"""What test folders share: the 50_eval scripts as modules."""

import importlib
import sys

import pytest

from workbook.implementation import ROOT


@pytest.fixture(scope="module")
def scripts():
    """``{"checkpoint": module, "train_mini_lm": module, "generate_text": module}`` from 50_eval/."""
    sys.path.insert(0, str(ROOT / "50_eval"))
    try:
        yield {name: importlib.import_module(name) for name in ("checkpoint", "train_mini_lm", "generate_text")}
    finally:
        sys.path.remove(str(ROOT / "50_eval"))
