"""The grader's data-only channel (workbook/grader/inside/channel.py), both ends in one process.

One end serves in a thread, as the student process would; the laws: data crosses
exactly and as itself, objects stay behind handles whose proxies have their protocols,
mirrors stay equal on both sides, exceptions cross as built-in types, and whatever a
hostile end sends closes the channel without any other error.
"""

from __future__ import annotations

import json
import math
import pathlib
import socket
import struct
import threading
from collections import Counter, OrderedDict, namedtuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as nps

msgpack = pytest.importorskip("msgpack")  # the grading extra

from workbook.grader.inside.channel import CannotCross, Channel, ChannelClosed, Policy, Proxy, attributes, methods_of, protocols_of  # noqa: E402


class Pair:
    """Ends "h" (here) and "s" (serving in a thread); ``s.exports[0]`` is whatever the test puts there."""

    def __init__(self, policy: Policy | None = None, learner_file: str | None = None):
        here, there = socket.socketpair()
        self.s = Channel(there, "s", learner_file=learner_file)
        self.h = Channel(here, "h", policy)
        self.thread = threading.Thread(target=self.s.serve, daemon=True)
        self.thread.start()

    def remote(self, obj):
        """A proxy, on "h", of ``obj`` living on "s"."""
        return self.h._resolve("s", self.s._export(obj), "obj", protocols_of(obj), methods_of(obj))

    def close(self):
        self.h.close("done")
        self.thread.join(5)


@pytest.fixture
def pair():
    ends = Pair()
    yield ends
    ends.close()


def same(a, b) -> bool:
    """Equal and of the same types all the way down (NaN equals NaN, -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, complex):
        return same(a.real, b.real) and same(a.imag, b.imag)
    if isinstance(a, (float, np.floating)):
        return a.tobytes() == b.tobytes() if isinstance(a, np.floating) else (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.complex_numbers(), st.text(st.characters()),
    st.binary(), st.builds(pathlib.Path, st.text("ab/", min_size=1)),
)
arrays = nps.arrays(
    st.sampled_from(["bool", "int8", "uint16", "int64", "float32", "float64", "complex128", "<U3"]),
    nps.array_shapes(min_dims=0, max_dims=3, max_side=4),
)
numpy_scalars = st.sampled_from(["int64", "float32", "float64", "bool", "uint8"]).flatmap(
    lambda dtype: nps.from_dtype(np.dtype(dtype)).map(lambda x: np.dtype(dtype).type(x))
)
keys = st.one_of(st.integers(), st.text(max_size=3), st.tuples(st.integers(), st.integers()))
data = st.recursive(
    st.one_of(scalars, arrays, numpy_scalars),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(keys, inner, max_size=4),
        st.frozensets(st.integers(), max_size=4), st.sets(st.text(max_size=2), max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(data)
def test_data_crosses_both_ways_exactly_and_as_itself(value):
    ends = Pair()
    try:
        echo = ends.remote(lambda x: x)
        assert same(echo(value), value)
    finally:
        ends.close()


def test_a_subclass_crosses_as_its_base_type_so_it_cannot_lie(pair):
    class Liar(float):
        def __eq__(self, other):
            return True

    class LyingArray(np.ndarray):
        def __eq__(self, other):
            return True

    Point = namedtuple("Point", "x y")
    values = pair.remote(lambda: (Liar(1.5), np.zeros(3).view(LyingArray), Counter("aab"), OrderedDict(a=1), Point(1, 2)))()
    assert [type(v) for v in values] == [float, np.ndarray, dict, dict, tuple]
    assert values[0] != 2.0 and not (values[1] == np.ones(3)).any() and values[2] == {"a": 2, "b": 1}


class Box:
    def __init__(self, items):
        self.items = list(items)

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def add(self, item):
        self.items.append(item)
        return self


def test_an_object_stays_where_it_lives_and_its_proxy_has_its_protocols_only(pair):
    box = pair.remote(Box([1, 2]))
    assert len(box) == 2 and list(box) == [1, 2] and box.items == [1, 2]
    assert box.add(3) is box and len(box) == 3  # the same object comes back as the same proxy
    assert not callable(box) and hasattr(box, "__len__") and not hasattr(box, "__getitem__")
    assert box == box and box != pair.remote(Box([1, 2, 3]))  # identity: a learner's object equals only itself
    function = pair.remote(len)
    assert callable(function) and not hasattr(function, "__len__") and function([1, 2]) == 2


def test_calls_nest_both_ways(pair):
    here = []
    twice = pair.remote(lambda f, x: f(f(x)))
    assert twice(lambda x: here.append(x) or x + 1, 1) == 3 and here == [1, 2]
    deep = pair.remote(lambda f, n: f(f, n))
    assert deep(lambda g, n: n if n == 0 else deep(g, n - 1), 20) == 0


class Singular(Exception):
    pass


def test_exceptions_cross_as_built_in_types_with_their_arguments(pair):
    def raises(kind):
        if kind == "key":
            raise KeyError("no such token", 3)
        if kind == "stop":
            raise StopIteration
        if kind == "json":
            raise json.JSONDecodeError("bad", "x", 0)
        raise Singular("singular")

    raiser = pair.remote(raises)
    with pytest.raises(KeyError) as error:
        raiser("key")
    assert error.value.args == ("no such token", 3)
    with pytest.raises(StopIteration):
        raiser("stop")
    with pytest.raises(ValueError, match="^bad: line 1 column 1"):  # a subclass of a built-in error crosses as that error
        raiser("json")
    with pytest.raises(RuntimeError, match="^Singular: singular$"):  # any other as a RuntimeError naming its type
        raiser("other")


def test_an_error_says_where_in_the_learners_code_it_was_raised():
    code = compile("def stub():\n    raise NotImplementedError()\n", "exercises/day5/x.py", "exec")
    scope = {}
    exec(code, scope)
    ends = Pair(learner_file="exercises/day5/x.py")
    try:
        with pytest.raises(NotImplementedError) as error:
            ends.remote(scope["stub"])()
        assert error.value.learner_frame == ("stub", "exercises/day5/x.py", 2)
    finally:
        ends.close()


def test_floating_point_error_settings_cross_with_a_call(pair):
    overflow = pair.remote(lambda: np.exp(np.array([1e4])))
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            overflow()
    with np.errstate(over="ignore"):
        assert overflow()[0] == np.inf


class Param:
    def __init__(self, data):
        self.data = data
        self.grad = np.zeros_like(data)


class Model:
    def __init__(self):
        self.w, self.b = Param(np.ones(3)), Param(np.zeros(2))


def mirroring(pair):
    for end in (pair.h, pair.s):
        end.mirrored |= {"Param": attributes(Param), "Model": attributes(Model)}


def test_mirrors_keep_in_place_work_of_either_side(pair):
    mirroring(pair)
    model = Model()
    grad = model.w.grad  # held here while the other side works in place

    def step(m, rng, scale):
        m.w.grad[...] = scale(m.w.data)  # a call back here, in the middle: it must see the change so far
        m.w.data -= m.w.grad
        m.b.grad = np.full(2, rng.random())
        return m.w

    seen = []
    w = pair.remote(step)(model, rng := np.random.default_rng(0), lambda data: seen.append(model.w.data.copy()) or data * 0.5)
    assert w is model.w and (model.w.data == 0.5).all() and grad is model.w.grad and (grad == 0.5).all()
    assert model.b.grad[0] == np.random.default_rng(0).random() and rng.random() == _second_draw(0)
    assert (seen[0] == 1).all()


@settings(max_examples=300, deadline=None)
@given(data, data)
def test_a_change_to_a_mirror_crosses_however_small(a, b):
    """A mirror is sent again when its state's bytes change: 0.0 to -0.0, 1 to True or 1.0, a NaN's
    payload, an array's dtype or order all count, as much as any other change."""
    ends = Pair()
    try:
        mirroring(ends)
        param = Param(np.zeros(1))
        param.data = a
        ends.remote(lambda p, value: setattr(p, "data", value))(param, b)
        assert same(param.data, b)
        ends.remote(lambda p, value: setattr(p, "data", value))(param, a)
        assert same(param.data, a)
    finally:
        ends.close()


def test_a_mirror_that_died_is_let_go_on_both_sides(pair):
    """A test that draws from a new generator per example must not leave one copy each behind:
    every message carries the state of every live mirror, so each call would grow slower."""
    mirroring(pair)
    draw = pair.remote(lambda rng, model: rng.random())
    for seed in range(50):
        draw(np.random.default_rng(seed), Model())
    keep = np.random.default_rng(0)
    draw(keep, None)
    assert len(pair.h.mirrors) == len(pair.s.mirrors) == 1  # only the generator still held here


def test_an_object_whose_proxy_died_is_let_go_where_it_lives(pair):
    """Every object a call returns is kept where it lives while a proxy of it lives, and no longer."""
    make = pair.remote(lambda: Box([1, 2]))
    kept = make()
    for _ in range(50):
        make()
    make()
    assert len(pair.s.exports) == 3  # ``make``, ``kept``, and the last one (its proxy's death is told in the next message)
    assert len(kept) == 2


def _second_draw(seed):
    rng = np.random.default_rng(seed)
    rng.random()
    return rng.random()


def test_a_mirror_state_holds_data_and_mirrors_only(pair):
    mirroring(pair)
    model = Model()

    def smuggle(m):
        m.w.data = lambda: 0  # a function in a mirror's state: the answer cannot cross
        return 1

    with pytest.raises(TypeError, match="data and mirrors only, not function"):
        pair.remote(smuggle)(model)


def test_what_cannot_cross_is_an_error_and_the_channel_goes_on():
    class Closed(Policy):
        def export(self, obj):
            return "nothing crosses"

    ends = Pair(policy=Closed())
    try:
        echo = ends.remote(lambda x: x)
        with pytest.raises(CannotCross, match="nothing crosses"):
            echo(object())
        with pytest.raises(CannotCross, match="dtype object"):
            echo(np.array([None]))
        assert echo([1]) == [1]
    finally:
        ends.close()


def frame(*parts) -> bytes:
    body = msgpack.packb(list(parts), use_bin_type=True)
    return struct.pack(">I", len(body)) + body


def message(value) -> bytes:
    return msgpack.packb(value, use_bin_type=True)


GARBAGE = {
    "a length above the limit": struct.pack(">I", 2**31),
    "not msgpack": struct.pack(">I", 4) + b"\xc1\xc1\xc1\xc1",
    "a frame that is not three parts": frame(b"x"),
    "a message of no known kind": frame(message([]), [[], []], message(["z", 1])),
    "an unknown extension": frame(message([]), [[], []], msgpack.packb(["r", msgpack.ExtType(99, b"")], use_bin_type=True)),
    "an answer nested too deep": frame(message([]), [[], []], b"\x92\xa1r" + b"\x91" * 100_000 + b"\xc0"),
    "a handle to nothing": frame(message([]), [[], []], msgpack.packb(["r", msgpack.ExtType(10, message(["h", 99, "x", 0, []]))], use_bin_type=True)),
    "a mirror of an unknown class": frame(message([[2, "Popen", message({})]]), [[], []], message(["r", None])),
    "an array whose shape lies": frame(message([]), [[], []], msgpack.packb(["r", msgpack.ExtType(4, message(["<f8", [10**6], b"1234"]))], use_bin_type=True)),
    "an object dtype": frame(message([]), [[], []], msgpack.packb(["r", msgpack.ExtType(4, message(["|O", [1], b"12345678"]))], use_bin_type=True)),
    "an unknown request": frame(message([]), [[], []], message(["q", "eval", 5, [], None])),
    "a request for an object never handed out": frame(message([]), [[], []], message(["q", "call", 99, [[], {}], None])),
    "a request that names no handle": frame(message([]), [[], []], message(["q", "call", "5", [[], {}], None])),
    "a truncated frame, then silence": struct.pack(">I", 100) + b"\x93",
}


@pytest.mark.parametrize("garbage", GARBAGE)
def test_garbage_from_the_other_side_closes_the_channel_and_nothing_else(garbage):
    here, there = socket.socketpair()
    end = Channel(here, "h")
    end.exports[5] = len
    there.sendall(GARBAGE[garbage])
    if garbage == "a truncated frame, then silence":
        there.shutdown(socket.SHUT_WR)
    theirs = Proxy(end, 7, "an object of the other side")
    with pytest.raises(ChannelClosed):
        end.request("call", theirs, [[1]], {})
    assert end.closed
    with pytest.raises(ChannelClosed):  # and it stays closed
        end.request("call", theirs, [[1]], {})
    there.close()
