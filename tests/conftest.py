"""What test folders share: the 50_eval scripts as modules, and the given model's ``Parameter``."""

import importlib
import sys

import numpy as np
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


@pytest.fixture(scope="session")
def parameter(reference):
    """``parameter(data, grad)``: a float64 ``Parameter`` of the reference model (given code)."""
    Parameter = reference("model").Parameter

    def make(data, grad=None):
        p = Parameter(np.array(data, dtype=np.float64))
        if grad is not None:
            p.grad[...] = grad
        return p

    return make
