"""The allow-list: every kata of the reference passes it, and each way of reaching the grader does not."""

import pytest

from workbook import trees
from workbook.grader import allowlist
from workbook.implementation import NAMED
from workbook.katas import KATAS

TRICKS = {  # what a student who wants points without the work might write, and what gives it away
    "from solutions.day5.optim import AdamOptimizer": "`from solutions.day5.optim import ...`",
    "import workbook.implementation": "`import workbook.implementation`",
    "from workbook import grading\ngrading.grade = print": "`from workbook import ...`",
    "import pytest\npytest.main = lambda *a, **k: 0": "`import pytest`",
    "import sys\nsys.modules['pytest'] = None": "`import sys`",
    "import os\nos.environ['PYTEST_ADDOPTS'] = '--collect-only'": "`import os`",
    "get_ipython().input_transformers_cleanup.append(lambda lines: [])": "`get_ipython`",
    "open('tests/day5/test_05_data_loader.py', 'w').write('')": "`open`",
    "import sqlite3": "`import sqlite3`",
    "import importlib\nm = importlib.import_module('solutions')": "`import importlib`",
    "f = (lambda: 0).__globals__": "`.__globals__`",
    "x = __builtins__": "`__builtins__`",
    "c = ().__class__.__base__.__subclasses__()": "`.__base__`",
    "g = (i for i in [0])\nframe = g.gi_frame.f_back": "`.gi_frame`",
    "e = getattr(object, 'mro')": "`getattr`",
    "import numpy as np\nnp.allclose = lambda *a, **k: True": "assigning `np.allclose`",
    "import numpy as np\nnp.testing.assert_allclose(1, 1)": "`.testing`",
    "import numpy as np\nb = np.ma.core.builtins": "`.builtins`",
    "class Anything:\n    def __eq__(self, other):\n        return True": "defining `__eq__`",
    "class Meta(type):\n    pass\nclass Anything(metaclass=Meta):\n    pass": "`metaclass=` in a class statement",
    "T = type('T', (), {'__eq__': lambda s, o: True})": "the string '__eq__'",
    "from operator import attrgetter": "importing `attrgetter`",
    "exec('import os')": "`exec`",
    "import numpy as np\nnp.save('x.npy', np.zeros(1))": "`.save`",
    "from . import losses": "a relative import",
    "import ctypes": "`import ctypes`",
}


@pytest.mark.parametrize("kata", KATAS, ids=lambda kata: kata.slug)
def test_every_kata_of_the_reference_is_allowed(kata):
    answer = trees.answers_from_folder(NAMED["solutions"])[kata.slug]
    assert allowlist.check(answer.code) == []


@pytest.mark.parametrize("source, construct", TRICKS.items(), ids=range(len(TRICKS)))
def test_each_trick_is_refused_with_a_reason_naming_it(source, construct):
    violations = allowlist.check(source)
    assert violations and any(v.construct.startswith(construct) for v in violations), violations
    assert str(violations[0]).startswith(f"line {violations[0].line}: ") and "not allowed" in str(violations[0])


def test_what_a_learner_writes_is_allowed():
    source = '''
import math
from collections import Counter, defaultdict
import numpy as np


def helper(ids):
    return Counter(zip(ids, ids[1:]))


class DataLoader:
    def __init__(self, ids, batch_size):
        self._ids = np.asarray(ids)
        self.rng = np.random.default_rng(0)

    def __iter__(self):
        yield from np.array_split(self._ids, 2)

    def __len__(self):
        return math.ceil(len(self._ids) / 2)

    def __repr__(self):
        return f"{type(self).__name__}({len(self)})"
'''
    assert allowlist.check(source) == []


def test_code_that_does_not_parse_is_one_violation():
    [violation] = allowlist.check("def f(:\n")
    assert "does not parse" in str(violation)
