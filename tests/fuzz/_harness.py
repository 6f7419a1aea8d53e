"""The fuzz harness: one call, one verdict.

A call either raises ``ValueError`` / ``TypeError`` / ``NotImplementedError``
whose message names the argument at fault (as a word: ``stride``,
``stride[1]``, ```stride```, ``strides`` for ``stride``...), or returns a result
that equals what the model predicts. Anything else (another exception type, a
message that names nothing, garbage accepted, a wrong value) is a failure,
recorded with the entry point, the argument, the value and the exception.
"""

from __future__ import annotations

import collections
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np

ALLOWED = (ValueError, TypeError, NotImplementedError)

COUNTS: collections.Counter = collections.Counter()  # entry point -> calls made
FAILURES: list[str] = []  # every failure of the session, for the summary


class Reject(Exception):
    """Raised by a model: this call must be rejected, naming one of ``names``."""

    def __init__(self, *names: str):
        super().__init__(names)
        self.names = names


@dataclass
class Expect:
    """What a model predicts for one call.

    value: the expected result (an array, an int, a tuple...), or None when the
      call must be rejected. UNKNOWN when only "no crash, finite" is checked.
    may_reject: a rejection (naming one of ``names``) is also fine.
    names: the names a rejection may cite.
    """

    value: Any = None
    may_reject: bool = False
    names: tuple[str, ...] = ()
    rtol: float = 1e-6
    dtype: Any = None
    check: Callable[[Any], str | None] | None = None


UNKNOWN = object()


def names_in(msg: str, names) -> bool:
    for name in names:
        stem = name[:-1] if name.endswith("s") and len(name) > 2 else name
        if re.search(rf"(?<![A-Za-z0-9_]){re.escape(stem)}s?(?![A-Za-z0-9_])", msg):
            return True
    return False


def show(v: Any, limit: int = 80) -> str:
    if isinstance(v, (np.ndarray, jax.Array)) and v.size > 4:
        s = f"{type(v).__name__}(shape={v.shape}, dtype={v.dtype})"
    else:
        try:
            s = repr(v)
        except Exception:
            s = f"<{type(v).__name__}>"
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _to_numpy(r):
    if isinstance(r, (jax.Array, np.ndarray)):
        r = jax.block_until_ready(r) if isinstance(r, jax.Array) else r
        return np.asarray(
            r.astype(np.float64) if r.dtype.kind in "biuf" or str(r.dtype) == "bfloat16" else r
        )
    return r


def verdict(call: Callable[[], Any], expect: Expect) -> str | None:
    """Runs ``call`` and returns None if it behaved, else a one-line description."""
    try:
        r = call()
        if isinstance(r, jax.Array):
            r = jax.block_until_ready(r)
    except ALLOWED as e:
        msg = str(e)
        if (
            expect.value is not None
            and not expect.may_reject
            and not isinstance(e, NotImplementedError)
        ):
            return f"rejected a valid call: {type(e).__name__}: {_short(msg)}"
        if not names_in(msg, expect.names):
            return f"{type(e).__name__} does not name {'/'.join(expect.names)}: {_short(msg)}"
        return None
    except Exception as e:
        return f"{type(e).__module__}.{type(e).__name__}: {_short(str(e))}"
    if expect.value is None:
        return f"accepted (should be rejected naming {'/'.join(expect.names)}): returned {show(r)}"
    return compare(r, expect)


def compare(r, expect: Expect) -> str | None:
    if expect.check is not None:
        return expect.check(r)
    want = expect.value
    if isinstance(want, np.ndarray):
        if not isinstance(r, (np.ndarray, jax.Array)):
            return f"returned {type(r).__name__}, not an array"
        if tuple(r.shape) != want.shape:
            return f"wrong shape {tuple(r.shape)}, expected {want.shape}"
        if expect.dtype is not None and np.dtype(r.dtype) != np.dtype(expect.dtype):
            return f"wrong dtype {r.dtype}, expected {np.dtype(expect.dtype)}"
        got = _to_numpy(r)
        if got.dtype.kind == "c" and want.dtype.kind != "c":
            got = got.real
        scale = 1 + np.nanmax(np.abs(want), initial=0)
        if not np.allclose(got, want, rtol=expect.rtol, atol=expect.rtol * scale, equal_nan=True):
            err = np.nanmax(np.abs(got - want), initial=0)
            return f"wrong values (max abs error {err:.3g}, shape {want.shape})"
        return None
    if want is UNKNOWN:
        if isinstance(r, (np.ndarray, jax.Array)):
            got = _to_numpy(r)
            if got.dtype.kind in "fc" and not np.isfinite(got).all():
                return "non-finite values"
        return None
    if type(r) is not type(want) or r != want:
        return f"returned {show(r)}, expected {show(want)}"
    if isinstance(want, tuple) and any(type(a) is not type(b) for a, b in zip(r, want)):
        return f"returned {show(r)} with element types {[type(a).__name__ for a in r]}"
    return None


def _short(msg: str, limit: int = 220) -> str:
    msg = " ".join(msg.split())
    return msg if len(msg) <= limit else msg[: limit - 3] + "..."


@dataclass
class Recorder:
    """Collects the failures of one test so that all of them are reported."""

    entry: str
    failures: list[str] = field(default_factory=list)

    def run(
        self, arg: str, value: Any, call: Callable[[], Any], expect: Expect, how: str = ""
    ) -> None:
        COUNTS[self.entry] += 1
        bad = verdict(call, expect)
        if bad:
            line = f"{self.entry} {arg}={show(value)}{how}: {bad}"
            if line not in self.failures:
                self.failures.append(line)
                FAILURES.append(line)

    def assert_clean(self) -> None:
        if self.failures:
            raise AssertionError(
                f"{len(self.failures)} failing calls:\n" + "\n".join(self.failures)
            )


# ---------------------------------------------------------------------------
# Interpretation of Python values, as every signature in the contract reads them.


def as_int(v: Any, name: str, *, bools: bool = False) -> int:
    """An int: Python int, NumPy integer, size-1 concrete integer array. Else Reject."""
    if isinstance(v, (bool, np.bool_)):
        if bools:
            return int(v)
        raise Reject(name)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (np.ndarray, jax.Array)) and v.ndim == 0 and v.dtype.kind in "iu":
        if isinstance(v, jax.core.Tracer):
            raise Reject(name)
        return int(v)
    raise Reject(name)


def is_seq(v: Any) -> bool:
    if isinstance(v, (str, bytes, dict)):
        return False
    if isinstance(v, (np.ndarray, jax.Array)):
        return v.ndim == 1
    return isinstance(v, (list, tuple, range))


def per_dim(
    v: Any, name: str, n: int, *, minimum: int | None = None, bools=False, lengths=None
) -> tuple[int, ...]:
    if is_seq(v):
        items = list(v)
        if len(items) not in (lengths or (n,)):
            raise Reject(name)
        ints = tuple(as_int(a, name, bools=bools) for a in items)
        if len(ints) != n:
            ints = ints * n if len(ints) == 1 else ints
    else:
        ints = (as_int(v, name, bools=bools),) * n
    if minimum is not None and any(a < minimum for a in ints):
        raise Reject(name)
    return ints


def too_big(shape, itemsize: int = 8) -> bool:
    total = 1
    for s in shape:
        if s > 2**63 - 1:
            return True
        total *= max(s, 0)
    return total > 2**63 - 1 or total * itemsize > 2**40


# ---------------------------------------------------------------------------
# Garbage: the values one argument is replaced with.

NAN, INF = math.nan, math.inf

TYPE_GARBAGE = [
    None,
    "foo",
    "",
    b"1",
    ["a"],
    ["1", "2"],
    {"a": 1},
    {1, 2},
    object(),
    1 + 2j,
    1.5,
    2.0,
    NAN,
    INF,
    -INF,
    np.float32(2.0),
    [1.5],
    [NAN],
    [None],
    [[1, 2], [3]],
    [[[1]]],
    (None, 1),
    ((1, 2), "a"),
    np.array(["a"]),
    np.array([1.0, 2.0]),
    Ellipsis,
    slice(1),
    print,
]
INT_GARBAGE = [
    True,
    False,
    -1,
    0,
    1,
    2,
    3,
    7,
    -3,
    np.int64(2),
    np.int32(1),
    np.uint8(2),
    np.array(2),
    np.array([2]),
    np.array([[2]]),
    np.array([1, 2]),
    np.array([2, 2, 2]),
    (),
    [],
    [1],
    (1, 2),
    (2, 1),
    [1, 2, 3],
    [1] * 5,
    (0, 1),
    (1, -1),
    [True, True],
    (np.int64(1), 2),
    np.bool_(True),
]
HUGE_INTS = [2**17, 2**31, 2**40, 2**63, 2**64, 10**12, -(10**12), -(2**63) - 1]

# Values an array argument is replaced with (all small).
ARRAY_GARBAGE = [
    None,
    "x",
    3,
    1.5,
    [1, 2],
    [["a"]],
    object(),
    {"a": 1},
    np.array(1.0, np.float32),
    np.ones(3, np.float32),
    np.ones((2, 2), np.float32),
    np.array([None, 1.0]),
]
