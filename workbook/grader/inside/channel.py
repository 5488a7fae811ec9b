"""The data-only channel between the grader's harness and a student process.

Both ends run this module: the harness in its own process, the student process in its
sandbox (which shows it this package and nothing else of the workbook). A message is a
msgpack frame; what crosses is one of three things:

- **data**, by value: None, bool, int, float, complex, str, bytes, list, tuple, dict,
  set, frozenset, paths, NumPy scalars and dtypes, and NumPy arrays of numbers, booleans
  or text. A subclass crosses as its base type (a ``Counter`` arrives as a ``dict``).
- **mirrors**: objects of the given code (a ``Parameter``, the model) and NumPy
  ``Generator``\\ s. Each side holds a real object, and every message carries the states
  that changed (their bytes tell which did not), so in-place work on either side
  (an optimizer step, ``zero_grad``, a draw from a generator) is seen by the other. A
  mirror's state is data and mirrors only.
- **handles**: every other object stays where it lives, as long as the other side holds
  its ``Proxy``, which forwards calls, attribute reads, iteration, ``len`` and item access
  (when the proxy dies, the next message says so). A proxy compares and hashes by
  identity: a learner's object cannot claim to equal anything.

Calls nest both ways (a learner's loop calls the harness's loader, which may call the
learner's code again), one at a time: a side that waits for its answer serves the
requests that come first. Nothing rebuilds arbitrary objects (no pickle): the decoder
makes only the types above, within limits on size and depth. A frame that breaks these
rules, or a side that stops answering, ends the channel (``ChannelClosed``); an exception
crosses as its built-in type, its arguments, and where in the learner's code it was raised.
"""

from __future__ import annotations

import contextlib
import functools
import math
import operator
import os
import pathlib
import socket
import struct
import sys
import traceback
import types
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgpack
import numpy as np

FRAME_BYTES = 64 << 20  # one message at most: a few large arrays
ITEMS = 1 << 22  # elements in one list, dict, string or bytes at most
ERROR_CHARS = 2000  # characters of an error's text that cross
ARRAY_KINDS = "biufcUS"  # booleans, integers, floats, complex numbers and fixed-width text
BIT_GENERATORS = {name: getattr(np.random, name) for name in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")}
ERRORS = {  # the exceptions that cross as themselves; any other arrives as a RuntimeError naming its type
    error.__name__: error
    for error in (
        ArithmeticError, AssertionError, AttributeError, FloatingPointError, IndexError, KeyError, LookupError,
        MemoryError, NotImplementedError, OverflowError, RecursionError, RuntimeError, StopIteration, TypeError,
        UnicodeDecodeError, UnicodeEncodeError, ValueError, ZeroDivisionError, OSError, FileNotFoundError, EOFError,
    )
}
NOTHING = msgpack.packb([])  # no mirror changed: the commonest part of a frame, packed once
DEFAULT_ERRSTATE = np.geterr()  # NumPy's floating-point error settings as a process starts: they need not cross
TUPLE, SET, FROZENSET, ARRAY, SCALAR, DTYPE, COMPLEX, BIGINT, PATH, HANDLE, METHOD, MIRROR, ERROR = range(1, 14)


class ChannelClosed(RuntimeError):
    """The other side broke the protocol, ended, or stopped answering: the channel is over."""


class CannotCross(TypeError):
    """A value that is neither data, nor a mirror, nor an object this side may hand out."""


@dataclass(frozen=True)
class Mirrored:
    """How objects of ``cls`` cross by value: their ``state``, a fresh object, and how to ``restore`` one."""

    cls: type
    state: Callable[[Any], dict]
    new: Callable[[dict], Any]
    restore: Callable[[Any, dict], None]


def attributes(cls: type) -> Mirrored:
    """A plain class whose state is its instance attributes (``vars``)."""
    return Mirrored(cls, lambda obj: dict(vars(obj)), lambda state: cls.__new__(cls), _restore_attributes)


def _restore_attributes(obj, state: dict) -> None:
    if not all(isinstance(name, str) and name.isidentifier() and not name.startswith("__") for name in state):
        raise ChannelClosed("a mirror's state names an attribute that is not a plain identifier")
    for name in set(vars(obj)) - set(state):
        delattr(obj, name)
    for name, value in state.items():
        current = vars(obj).get(name)
        if isinstance(value, np.ndarray) and type(current) is np.ndarray and current.shape == value.shape and current.dtype == value.dtype and current.flags.writeable:
            current[...] = value  # in place: whoever holds this array sees the change, as in one process
        else:
            setattr(obj, name, value)


def _new_generator(state: dict) -> np.random.Generator:
    bit_generator = BIT_GENERATORS.get(state.get("bit_generator")) if isinstance(state, dict) else None
    if bit_generator is None:
        raise ChannelClosed("a generator's state names no known bit generator")
    return np.random.Generator(bit_generator())


def _restore_generator(generator: np.random.Generator, state: dict) -> None:
    try:
        generator.bit_generator.state = state
    except (TypeError, ValueError, KeyError) as error:
        raise ChannelClosed(f"a generator's state does not fit: {error}") from None


# a PCG64 state holds 128-bit ints: spelled out at once, rather than after msgpack fails on them
GENERATOR = Mirrored(np.random.Generator, lambda g: _spell_big_ints(g.bit_generator.state), _new_generator, _restore_generator)


class Proxy:
    """An object that lives on the other side of ``channel``; reading and writing its attributes forward.

    A proxy has the protocols of its object and no others (``proxy_class``): calling,
    iteration, ``len``, items, ``in``, truth; so ``callable(proxy)`` and
    ``hasattr(proxy, "__len__")`` answer as for the object itself.
    """

    __slots__ = ("_channel", "_handle", "_label", "_methods", "__weakref__")

    def __init__(self, channel: Channel, handle: int, label: str, methods: frozenset[str] = frozenset()):
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_methods", methods)  # what its type defines as methods: called in one request

    def __getattr__(self, name):
        if name.startswith("__"):  # protocols (numpy's __array__, copy's __deepcopy__, ...) are not forwarded
            raise AttributeError(name)
        if name in self._methods:
            return Method(self, name)
        return self._channel.request("getattr", self, name)

    def __setattr__(self, name, value):
        self._channel.request("setattr", self, name, value)

    def __repr__(self):
        return f"<{self._label}>"


PROTOCOLS = {  # the special methods a proxy forwards, when its object has them
    "__call__": lambda self, *args, **kwargs: self._channel.request("call", self, list(args), kwargs),
    "__iter__": lambda self: self._channel.request("iter", self),
    "__next__": lambda self: self._channel.request("next", self),
    "__len__": lambda self: self._channel.request("len", self),
    "__bool__": lambda self: self._channel.request("bool", self),
    "__getitem__": lambda self, key: self._channel.request("getitem", self, key),
    "__setitem__": lambda self, key, value: self._channel.request("setitem", self, key, value),
    "__contains__": lambda self, item: self._channel.request("contains", self, item),
}


def protocols_of(obj) -> int:
    """The special methods of ``PROTOCOLS`` that ``obj``'s type defines (as Python looks them up), as bits."""
    defined = {name for cls in type(obj).__mro__ for name in vars(cls)}
    return sum(1 << bit for bit, name in enumerate(PROTOCOLS) if name in defined)


def methods_of(obj) -> list[str]:
    """The public methods that ``obj``'s type defines (functions, class and static methods), unless ``obj`` shadows them."""
    if isinstance(obj, type) or not hasattr(obj, "__dict__") or type(obj).__module__ == "builtins":
        return []
    kinds = (types.FunctionType, classmethod, staticmethod)
    found = {name for cls in type(obj).__mro__[:-1] for name, value in vars(cls).items() if isinstance(value, kinds)}
    return sorted(name for name in found - set(vars(obj)) if not name.startswith("_"))


@functools.cache
def proxy_class(protocols: int) -> type:
    """The subclass of ``Proxy`` with the special methods of ``protocols`` (bits of ``PROTOCOLS``)."""
    methods = {name: method for bit, (name, method) in enumerate(PROTOCOLS.items()) if protocols >> bit & 1}
    return type("Proxy", (Proxy,), {"__slots__": (), **methods})


class Method:
    """``proxy.name`` when it is a method: calling it is one request, not two."""

    __slots__ = ("owner", "name")

    def __init__(self, owner: Proxy, name: str):
        self.owner, self.name = owner, name

    def __call__(self, *args, **kwargs):
        return self.owner._channel.request("callmethod", self.owner, self.name, list(args), kwargs)

    def __repr__(self):
        return f"<method {self.name} of {self.owner!r}>"


class Policy:
    """What the other side may do with this side's objects: everything (the student process's policy).

    The harness's policy (``workbook.grader.harness``) narrows each method.
    """

    def export(self, obj) -> str | None:
        """Why ``obj`` may not become a handle for the other side, or None."""
        return None

    def attribute(self, obj, name: str, writing: bool) -> str | None:
        """Why the other side may not read (or write) attribute ``name`` of ``obj``, or None."""
        return None

    def operation(self, op: str) -> str | None:
        """Why the other side may not apply ``op`` (``"setitem"``, ...) to this side's objects, or None."""
        return None


OPERATIONS = {
    "call": lambda obj, args, kwargs: obj(*args, **kwargs),
    "iter": iter,
    "next": next,
    "len": len,
    "bool": bool,
    "getitem": operator.getitem,
    "setitem": operator.setitem,
    "contains": operator.contains,
}


class Channel:
    """One end of the channel over a connected stream ``sock``; ``side`` is ``"h"`` or ``"s"``.

    ``request`` asks the other side to do something with one of its objects and returns
    the answer (or raises what it raised); while it waits, it serves the other side's
    requests. ``serve`` only serves, until the other side closes the channel.
    """

    def __init__(self, sock: socket.socket, side: str, policy: Policy | None = None, learner_file: str | None = None):
        self.sock, self.side, self.policy = sock, side, policy or Policy()
        self.reader = sock.makefile("rb", buffering=1 << 16)  # a small message takes one system call
        self.learner_file = learner_file  # where an error was raised in the learner's code is reported
        self.mirrored: dict[str, Mirrored] = {"Generator": GENERATOR}
        self.closed: str | None = None  # why the channel ended
        self.ended: Callable[[], str] = lambda: "the other side ended"  # says why, when the other side is gone
        # handles: this side's objects, kept until the other side's proxy of one dies and it says so
        self.exports: dict[int, Any] = {}  # handle -> this side's object
        self.exported: dict[int, int] = {}  # id(object) -> handle
        self.proxies: dict[int, weakref.ref[Proxy]] = {}  # handle -> the proxy here of the other side's object
        self.dropped: list[int] = []  # handles whose proxies died here since the last message
        # mirrors: id -> this side's object; its own weakly (when it dies, the other side lets go of its
        # copy), the other side's strongly (until that side lets go)
        self.mirrors: dict[int, Any] = {}
        self.mirror_ids: dict[int, int] = {}  # id(object) -> mirror id
        self.synced: dict[int, bytes] = {}  # mirror id -> its state's bytes, as last sent or received
        self.released: list[int] = []  # this side's mirrors that died since the last message
        self.count = 0
        self.packing = {  # msgpack's options, for values and for mirror states
            flag: dict(default=functools.partial(self._default, mirror_state=flag), strict_types=True, use_bin_type=True, unicode_errors="surrogatepass")
            for flag in (False, True)
        }
        self.packers: dict[bool, list[msgpack.Packer]] = {False: [], True: []}  # idle ones, by ``packing``
        self.unpacking = {  # and for unpacking them, within the channel's limits
            flag: dict(
                ext_hook=functools.partial(self._unpack_ext, mirror_state=flag), raw=False, strict_map_key=False,
                unicode_errors="surrogatepass", max_str_len=FRAME_BYTES, max_bin_len=FRAME_BYTES, max_array_len=ITEMS,
                max_map_len=ITEMS, max_ext_len=FRAME_BYTES,
            )
            for flag in (False, True)
        }

    # --- requests and answers ---------------------------------------------------------

    def request(self, op: str, target: Proxy, *args):
        """Ask the other side to apply ``op`` to its object ``target`` (a proxy here) with ``args``; its answer.

        The request names ``target`` by its bare handle, and a call's arguments cross as a list:
        no extension value to pack and unpack for either, in the commonest message.
        """
        errstate = np.geterr()
        self._forget_unheld()  # before they are held below, which would keep every one alive for good
        # while the other side may still name this side's mirrors, none of them may die and be let go
        held = [self._mirror(mid) for mid in list(self.mirrors)]  # noqa: F841 -- held until the answer comes
        self._send(["q", op, target._handle, list(args), None if errstate == DEFAULT_ERRSTATE else errstate])
        while True:
            kind, body = self._receive()
            if kind == "q":
                self._serve_one(body)
            elif kind == "r":
                return body
            else:
                raise body

    def serve(self) -> None:
        """Serve the other side's requests until it closes the channel (or this side cannot go on)."""
        try:
            while True:
                kind, body = self._receive()
                if kind != "q":
                    raise ChannelClosed("an answer came when none was asked for")
                self._serve_one(body)
        except ChannelClosed:
            pass
        finally:
            self.close(self.closed or "stopped serving")

    def _serve_one(self, body) -> None:
        try:
            op, target, args, errstate = body
            with np.errstate(**errstate) if errstate else contextlib.nullcontext():
                value = self._perform(op, target, *args)
        except ChannelClosed:
            raise
        except Exception as error:  # noqa: BLE001 -- it crosses to the side that asked
            self._send(["e", error])
            return
        self._send(["r", value])

    def _perform(self, op: str, target, *args):
        if op in ("getattr", "setattr", "callmethod"):
            name = args[0]
            problem = type(name) is not str and "an attribute name must be a str"
            problem = problem or self.policy.attribute(target, name, writing=op == "setattr")
            if problem:
                raise AttributeError(problem)
            if op == "setattr":
                return setattr(target, name, args[1])
            value = getattr(target, name)
            return value(*args[1], **args[2]) if op == "callmethod" else value
        if op not in OPERATIONS:
            self.close(f"an unknown request: {str(op)[:100]}")
            raise ChannelClosed(self.closed)
        problem = self.policy.operation(op)
        if problem:
            raise TypeError(problem)
        return OPERATIONS[op](target, *args)

    # --- frames -------------------------------------------------------------------------

    def close(self, why: str) -> None:
        if self.closed is None:
            self.closed = why
            for stream in (self.reader, self.sock):
                try:
                    stream.close()
                except OSError:
                    pass

    def _send(self, message: list) -> None:
        if self.closed:
            raise ChannelClosed(self.closed)
        # what to let go: taken now, since a weakref callback may add to it at any allocation
        mirrors, self.released = self.released, []
        handles = self._dropped_handles()
        try:
            body = self._encode(message)
            changed = self._changed_mirrors()
            frame = self._frame(changed, mirrors, handles, body)
        except CannotCross as error:
            if message[0] == "q":
                self.released += mirrors
                self.dropped += handles
                raise
            changed = []  # an answer that cannot cross is an error, and the mirrors wait for the next message
            frame = self._frame(changed, mirrors, handles, self._encode(["e", error]))
        try:
            self.sock.sendall(struct.pack(">I", len(frame)) + frame)
        except OSError:
            self.close(self.ended())
            raise ChannelClosed(self.closed) from None
        except BaseException:
            self.close("interrupted while sending")
            raise
        self.synced.update((mid, state) for mid, _, state in changed)
        for handle in handles:
            del self.proxies[handle]

    def _frame(self, changed: list, mirrors: list[int], handles: list[int], body: bytes) -> bytes:
        """A message's frame: the mirrors that changed, the mirrors and handles the other side may let go, the message."""
        frame = msgpack.packb([self._encode(changed) if changed else NOTHING, [mirrors, handles], body], use_bin_type=True)
        if len(frame) > FRAME_BYTES:
            raise CannotCross(f"a message of {len(frame)} bytes, more than the channel's {FRAME_BYTES}")
        return frame

    def _receive(self):
        if self.closed:
            raise ChannelClosed(self.closed)
        try:
            (size,) = struct.unpack(">I", self._read(4))
            if size > FRAME_BYTES:
                raise ChannelClosed(f"a message of {size} bytes, more than the channel's {FRAME_BYTES}")
            sync, released, body = msgpack.unpackb(
                self._read(size), max_bin_len=FRAME_BYTES, max_str_len=0, max_array_len=ITEMS, max_map_len=0, max_ext_len=0
            )
            if not (isinstance(released, list) and len(released) == 2):
                raise ValueError("released mirrors and handles that are not a pair")
            if released != [[], []]:
                self._let_go(*released)
            if sync != NOTHING:
                self._apply_mirrors(self._decode(sync))
            message = self._decode(body)
            kind = message[0]
            if kind == "q" and len(message) == 5 and type(message[2]) is int and isinstance(message[3], list):
                return kind, (message[1], self.exports[message[2]], message[3], message[4] and _errstate(message[4]))
            if kind in ("r", "e") and len(message) == 2:
                if kind == "e" and not isinstance(message[1], BaseException):
                    raise ChannelClosed("an error that is not an exception")
                return kind, message[1]
            raise ChannelClosed("a message of no known kind")
        except ChannelClosed as error:
            self.close(str(error))
            raise
        except (ValueError, TypeError, KeyError, IndexError, RecursionError, MemoryError, struct.error, msgpack.UnpackException) as error:
            self.close(f"a message the channel does not accept ({type(error).__name__}: {str(error)[:200]})")
            raise ChannelClosed(self.closed) from None
        except BaseException:  # interrupted while waiting (a time limit): the conversation is out of step for good
            self.close("interrupted while waiting for an answer")
            raise

    def _read(self, size: int) -> bytes:
        try:
            data = self.reader.read(size)
        except OSError:
            data = b""
        if len(data) < size:
            raise ChannelClosed(self.ended())
        return data

    # --- values ---------------------------------------------------------------------

    def _encode(self, value, mirror_state: bool = False) -> bytes:
        """``value`` in msgpack's bytes: msgpack packs plain data itself and asks ``_default`` about the rest.

        In a mirror's state (``mirror_state``) only data and mirrors may stand.
        """
        idle = self.packers[mirror_state]  # a packer is reused (making one costs more than packing a call);
        packer = idle.pop() if idle else msgpack.Packer(**self.packing[mirror_state])  # a nested value takes another
        try:
            try:
                return packer.pack(value)
            except OverflowError:  # an int beyond 64 bits, which an older msgpack does not hand to _default
                return packer.pack(_spell_big_ints(value))
        except (ValueError, RecursionError) as error:  # nested deeper than msgpack packs
            raise CannotCross(f"a value that cannot cross: {error}") from None
        finally:
            idle.append(packer)  # empty again: a packer that fails forgets what it had packed

    def _decode(self, data: bytes, mirror_state: bool = False):
        if not isinstance(data, bytes):
            raise ChannelClosed("a part of a message that is not bytes")
        return msgpack.unpackb(data, **self.unpacking[mirror_state])

    def _ext(self, code: int, value, mirror_state: bool = False) -> msgpack.ExtType:
        """An extension value of kind ``code`` that holds ``value``."""
        return msgpack.ExtType(code, self._encode(value, mirror_state))

    def _default(self, value, mirror_state: bool):
        """What msgpack packs in place of ``value``, which is not its own plain data: objects become handles or mirrors."""
        if type(value) is tuple:  # the commonest first: a call's arguments, and the object it is made on
            return self._ext(TUPLE, list(value), mirror_state)
        if isinstance(value, Proxy) and value._channel is self and not mirror_state:
            return self._ext(HANDLE, [_other(self.side), value._handle, value._label, 0, []])
        if isinstance(value, np.ndarray):
            array = np.asarray(value)  # a subclass of ndarray crosses as an ndarray
            if array.dtype.kind not in ARRAY_KINDS or array.dtype.hasobject:
                raise CannotCross(f"an array of dtype {array.dtype} cannot cross: use numbers, booleans or text")
            return self._ext(ARRAY, [array.dtype.str, list(array.shape), array.tobytes()])  # bytes in C order
        if isinstance(value, np.generic):
            if isinstance(value, (np.str_, np.bytes_)):
                return value.item()
            if value.dtype.kind not in ARRAY_KINDS:
                raise CannotCross(f"a NumPy {value.dtype} scalar cannot cross")
            return self._ext(SCALAR, [value.dtype.str, value.tobytes()])
        if isinstance(value, np.dtype):
            if value.kind not in ARRAY_KINDS or value.hasobject:
                raise CannotCross(f"dtype {value} cannot cross")
            return self._ext(DTYPE, value.str)
        if isinstance(value, BaseException):
            return self._ext(ERROR, self._error(value))
        if self._mirrored(value) is not None:
            return self._ext(MIRROR, self._mirror_id(value))
        if isinstance(value, int) and not -(1 << 63) <= value < 1 << 64:
            return self._ext(BIGINT, str(int(value)))
        for base in (bool, int, float, str, bytes, list):  # a subclass: its base type
            if isinstance(value, base):
                return base(value)
        if isinstance(value, bytearray):
            return bytes(value)
        if isinstance(value, dict):
            return dict(dict.items(value))
        if isinstance(value, complex):
            return self._ext(COMPLEX, [value.real, value.imag])
        for container, code in ((tuple, TUPLE), (frozenset, FROZENSET), (set, SET)):
            if isinstance(value, container):
                return self._ext(code, list(value), mirror_state)
        if isinstance(value, pathlib.PurePath):
            return self._ext(PATH, str(value))
        if mirror_state:
            raise CannotCross(f"a mirror's state may hold data and mirrors only, not {type(value).__name__}")
        if isinstance(value, Proxy) and value._channel is self:
            return self._ext(HANDLE, [_other(self.side), value._handle, value._label, 0, []])
        if isinstance(value, Method) and value.owner._channel is self:
            return self._ext(METHOD, [_other(self.side), value.owner._handle, "", 0, [], value.name])
        owner = getattr(value, "__self__", None)
        if _is_bound_method(value) and self.policy.export(owner) is None:
            return self._ext(METHOD, [self.side, self._export(owner), _label(owner), protocols_of(owner), methods_of(owner), value.__name__])
        problem = self.policy.export(value)
        if problem:
            raise CannotCross(problem)
        return self._ext(HANDLE, [self.side, self._export(value), _label(value), protocols_of(value), methods_of(value)])

    def _unpack_ext(self, code: int, payload: bytes, mirror_state: bool):
        value = self._decode(payload, mirror_state)
        if code == TUPLE:
            return tuple(value)
        if code == SET:
            return set(value)
        if code == FROZENSET:
            return frozenset(value)
        if code == BIGINT:
            return int(value)
        if code == COMPLEX:
            return complex(*value)
        if code == PATH:
            return pathlib.Path(value)
        if code == DTYPE:
            return _dtype(value)
        if code == ARRAY:
            dtype, shape, data = value
            dtype, shape = _dtype(dtype), tuple(shape)
            if not all(type(n) is int and n >= 0 for n in shape) or len(shape) > 32 or math.prod(shape) * dtype.itemsize != len(data):
                raise ValueError("an array whose shape does not fit its bytes")
            return np.frombuffer(data, dtype).reshape(shape).copy()
        if code == SCALAR:
            dtype, data = value
            return np.frombuffer(data, _dtype(dtype), count=1)[0]
        if code == MIRROR:
            obj = self._mirror(value)
            if obj is None:
                raise ValueError(f"a mirror that is not there: {value}")
            return obj
        if code == ERROR:
            return self._exception(*value)
        if mirror_state:
            raise ValueError("a mirror's state holds a handle")
        if code == HANDLE:
            return self._resolve(*value)
        if code == METHOD:
            *handle, name = value
            target = self._resolve(*handle)
            if isinstance(target, Proxy):
                return Method(target, name)
            problem = type(name) is not str and "a method name must be a str" or self.policy.attribute(target, name, writing=False)
            if problem:
                raise ValueError(problem)
            return getattr(target, name)
        raise ValueError(f"an unknown kind of value ({code})")

    def _resolve(self, owner: str, handle: int, label: str, protocols: int, methods: list):
        """This side's object ``handle``, or the proxy of the other side's (one proxy per object)."""
        if owner == self.side:
            return self.exports[handle]
        if owner != _other(self.side) or type(handle) is not int or type(label) is not str or type(protocols) is not int:
            raise ValueError("a handle of no known form")
        held = self.proxies.get(handle)
        proxy = held and held()
        if proxy is None:
            if not (isinstance(methods, list) and all(type(name) is str for name in methods)):
                raise ValueError("a handle whose methods are not names")
            cls = proxy_class(protocols & (1 << len(PROTOCOLS)) - 1)
            proxy = cls(self, handle, label[:100], frozenset(methods))
            self.proxies[handle] = weakref.ref(proxy, lambda _, handle=handle: self.dropped.append(handle))
        return proxy

    def _dropped_handles(self) -> list[int]:
        """The handles whose proxies died here (and were not made again since): the other side may let go."""
        dead = set()
        while self.dropped:
            handle = self.dropped.pop()
            held = self.proxies.get(handle)
            if held is not None and held() is None:
                dead.add(handle)
        return sorted(dead)

    def _export(self, obj) -> int:
        handle = self.exported.get(id(obj))
        if handle is None:
            handle = self.exported[id(obj)] = self.count = self.count + 1
            self.exports[handle] = obj  # kept alive: the other side may use it at any time
        return handle

    # --- errors ------------------------------------------------------------------------

    def _error(self, error: BaseException) -> list:
        """``[type name, args, (function, file, line) of the learner's code or None]``."""
        args = list(error.args)
        if not all(arg is None or type(arg) in (bool, int, float, str) for arg in args):
            args = [str(error)]
        args = [arg[:ERROR_CHARS] if isinstance(arg, str) else arg for arg in args]
        where = None
        if self.learner_file:
            frames = [f for f, _ in traceback.walk_tb(error.__traceback__) if f.f_code.co_filename == self.learner_file]
            if frames:
                code = frames[-1].f_code
                where = [getattr(code, "co_qualname", code.co_name), code.co_filename, frames[-1].f_lineno]
        kind = next((cls.__name__ for cls in type(error).__mro__ if ERRORS.get(cls.__name__) is cls), type(error).__name__)
        return [kind, args, where]  # a subclass of a built-in error crosses as that error

    def _exception(self, name, args, where) -> BaseException:
        if type(name) is not str or not isinstance(args, list):
            raise ValueError("an error of no known form")
        cls = ERRORS.get(name)
        if cls is None:
            cls, args = RuntimeError, [f"{name[:100]}: {' '.join(map(str, args))[:ERROR_CHARS]}"]
        try:
            error = cls(*args)
        except TypeError:  # UnicodeDecodeError and OSError take their arguments in a form of their own
            error = cls.__new__(cls)
            error.args = tuple(args)
        if where is not None:
            function, file, line = where
            if not (type(function) is str and type(file) is str and type(line) is int):
                raise ValueError("an error whose place is not (function, file, line)")
            error.learner_frame = (function[:200], file[:500], line)
        return error

    # --- mirrors ---------------------------------------------------------------------

    def _mirrored(self, value) -> Mirrored | None:
        mirrored = self.mirrored.get(type(value).__name__)
        return mirrored if mirrored is not None and type(value) is mirrored.cls else None

    def _mirror(self, mid: int):
        """The object of mirror ``mid``; None once it died here (a weakref callback may run at any allocation)."""
        obj = self.mirrors.get(mid)
        return obj() if isinstance(obj, weakref.ref) else obj

    def _forget_unheld(self) -> None:
        """Let go of this side's mirrors that only the table still holds (those it cannot hold weakly)."""
        for mid in list(self.mirrors):
            held = self.mirrors[mid]
            if mid % 2 == (self.side == "s") and not isinstance(held, weakref.ref) and sys.getrefcount(held) <= 3:
                self._died(mid, id(held))  # 3: the table, ``held`` and getrefcount's own argument

    def _mirror_id(self, obj) -> int:
        """The mirror id of ``obj``, a mirror of this side from now on if it was none."""
        mid = self.mirror_ids.get(id(obj))
        if mid is None:
            self.count += 1
            mid = self.mirror_ids[id(obj)] = 2 * self.count + (self.side == "s")  # never the other side's ids
            try:
                self.mirrors[mid] = weakref.ref(obj, lambda _, mid=mid, key=id(obj): self._died(mid, key))
            except TypeError:  # a NumPy Generator cannot be weakly held: it stays
                self.mirrors[mid] = obj
        return mid

    def _died(self, mid: int, key: int) -> None:
        self.mirrors.pop(mid, None), self.synced.pop(mid, None), self.mirror_ids.pop(key, None)
        self.released.append(mid)

    def _let_go(self, mirrors, handles) -> None:
        """Drop the copies of the other side's mirrors that died there, and the objects whose proxies died there."""
        for ids in (mirrors, handles):
            if not isinstance(ids, list) or not all(type(key) is int for key in ids):
                raise ValueError("released mirrors or handles that are not a list of ids")
        for handle in handles:
            obj = self.exports.pop(handle, None)
            if self.exported.get(id(obj)) == handle:
                del self.exported[id(obj)]
        for mid in mirrors:
            if mid % 2 != (self.side == "s"):
                obj = self.mirrors.pop(mid, None)
                self.synced.pop(mid, None)
                self.mirror_ids.pop(id(obj), None)

    def _changed_mirrors(self) -> list:
        """``[[mirror id, class name, state]]`` of every mirror whose state's bytes changed since the last message
        (``_send`` notes them as synced once they are sent)."""
        self._forget_unheld()
        changed, done = [], set()
        while pending := [mid for mid in list(self.mirrors) if mid not in done]:  # a state may bring new mirrors
            for mid in pending:
                done.add(mid)
                obj = self._mirror(mid)
                if obj is not None:
                    state = self._encode(self._mirrored(obj).state(obj), mirror_state=True)
                    if state != self.synced.get(mid):
                        changed.append([mid, type(obj).__name__, state])
        return changed

    def _apply_mirrors(self, changed) -> None:
        if not isinstance(changed, list):
            raise ValueError("mirrors that are not a list")
        for mid, name, state in changed:  # first make every new one, since states refer to each other
            mirrored = self.mirrored.get(name) if type(name) is str else None
            if mirrored is None or type(mid) is not int or type(state) is not bytes:
                raise ValueError(f"a mirror of no known class: {str(name)[:100]}")
            if mid not in self.mirrors:
                if mid % 2 == (self.side == "s"):
                    raise ValueError("a mirror id of this side that it never made")
                obj = mirrored.new(self._decode(state, mirror_state=True) if mirrored is GENERATOR else {})
                self.mirrors[mid], self.mirror_ids[id(obj)] = obj, mid
            elif type(self._mirror(mid)) is not mirrored.cls:
                raise ValueError("a mirror that changed its class")
        for mid, name, state in changed:
            values = self._decode(state, mirror_state=True)
            if not isinstance(values, dict):
                raise ValueError("a mirror's state that is not a dict")
            self.mirrored[name].restore(self._mirror(mid), values)
            self.synced[mid] = state


def _spell_big_ints(value):
    """``value`` with its plain lists and dicts rebuilt, so that msgpack asks about an int beyond 64 bits."""
    if type(value) is list:
        return [_spell_big_ints(item) for item in value]
    if type(value) is dict:
        return {_spell_big_ints(k): _spell_big_ints(v) for k, v in value.items()}
    return BigInt(value) if type(value) is int and not -(1 << 63) <= value < 1 << 64 else value


class BigInt(int):
    """An int beyond 64 bits, marked so that msgpack hands it to ``Channel._default`` (a subclass is not its own data)."""


def _other(side: str) -> str:
    return "s" if side == "h" else "h"


def _dtype(text) -> np.dtype:
    dtype = np.dtype(text) if type(text) is str and len(text) < 16 else None
    if dtype is None or dtype.kind not in ARRAY_KINDS or dtype.hasobject:
        raise ValueError(f"a dtype that may not cross: {str(text)[:20]}")
    return dtype


def _errstate(settings: dict) -> dict:
    modes = ("ignore", "warn", "raise", "call", "print", "log")
    if set(settings) - {"divide", "over", "under", "invalid"} or not all(value in modes for value in settings.values()):
        raise ValueError("a floating-point error setting of no known form")
    return {key: "warn" if value in ("call", "log") else value for key, value in settings.items()}


def _is_bound_method(value) -> bool:
    return callable(value) and getattr(value, "__self__", None) is not None and hasattr(value, "__func__") and isinstance(getattr(value, "__name__", None), str)


def _label(value) -> str:
    """How a proxy of ``value`` shows itself: a function's or class's name, or the type of an object."""
    name = getattr(value, "__qualname__", None) if isinstance(value, (type, types.FunctionType)) else None
    return name if isinstance(name, str) else f"{type(value).__name__} object"


def connect(fd: int) -> socket.socket:
    """The stream socket on file descriptor ``fd`` (the student process's end, handed to it as stdin)."""
    return socket.socket(fileno=os.dup(fd))
