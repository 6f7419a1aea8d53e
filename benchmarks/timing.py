"""Interleaved wall-clock timing, XLA compile time and XLA's compiled memory analysis."""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax


def wait(out: Any) -> None:
    """Blocks until ``out`` is computed (JAX dispatches asynchronously; TF/PyTorch on CPU do not)."""
    leaves = jax.tree_util.tree_leaves(out)
    if any(isinstance(a, jax.Array) for a in leaves):
        jax.block_until_ready(out)


def once(fn: Callable[..., Any], args: Sequence[Any]) -> float:
    """Seconds for one call, result included."""
    t0 = time.perf_counter()
    wait(fn(*args))
    return time.perf_counter() - t0


@dataclasses.dataclass
class Timings:
    """Per-entry lists of seconds, filled round-robin."""

    samples: dict[Any, list[float]] = dataclasses.field(default_factory=dict)

    def median(self, key: Any) -> float | None:
        xs = self.samples.get(key)
        return statistics.median(xs) if xs else None


def interleaved(
    entries: Mapping[Any, tuple[Callable[..., Any], Sequence[Any]]],
    *,
    min_reps: int,
    max_reps: int,
    budget_s: float,
) -> Timings:
    """Times every entry in turn, round after round, so that load changes hit all alike.

    One untimed warm-up call per entry (compilation, caches) and one timed
    round; then each entry gets as many samples as its share of ``budget_s``
    allows, between ``min_reps`` and ``max_reps``. Rounds keep going over the
    entries that still need samples, so fast entries are sampled more often
    without ever running back to back.
    """
    for fn, args in entries.values():
        wait(fn(*args))
    timings = Timings({key: [once(fn, args)] for key, (fn, args) in entries.items()})
    share = budget_s / len(entries)
    want = {
        key: max(min_reps, min(max_reps, int(share / max(xs[0], 1e-9))))
        for key, xs in timings.samples.items()
    }
    while True:
        todo = [key for key in entries if len(timings.samples[key]) < want[key]]
        if not todo:
            return timings
        for key in todo:
            fn, args = entries[key]
            timings.samples[key].append(once(fn, args))


@dataclasses.dataclass(frozen=True)
class Compiled:
    """One fresh compilation: its cost, the executable and XLA's memory analysis."""

    seconds: float
    executable: Callable[..., Any]
    memory: dict[str, int] | None


def compile_fresh(fun: Callable[..., Any], *args: Any, reps: int = 1) -> Compiled:
    """Traces, lowers and compiles ``fun`` for ``args`` through a new ``jax.jit`` wrapper.

    ``fun`` is wrapped in a new function each time, so that no trace or
    executable cached for it is reused: ``seconds`` is the whole cost a user
    pays on the first call, the least of ``reps`` such compilations (one
    sample is at the mercy of a load spike). The executable is what the
    benchmark then times.
    """
    times, executables = [], []
    for _ in range(max(reps, 1)):
        t0 = time.perf_counter()
        executables.append(jax.jit(lambda *a: fun(*a)).lower(*args).compile())
        times.append(time.perf_counter() - t0)
    return Compiled(min(times), executables[-1], memory_of(executables[-1]))


def memory_of(compiled: Any) -> dict[str, int] | None:
    """XLA's memory analysis of a compiled executable, or ``None`` if the backend has none.

    ``temp`` is the scratch XLA allocates besides arguments and outputs: a
    materialised zero-inserted input would show up there. ``peak`` is
    arguments + outputs + temp, less what outputs alias from arguments.
    """
    try:
        stats = compiled.memory_analysis()
    except Exception:  # not every backend implements it
        return None
    if stats is None:
        return None
    return {
        "temp": int(stats.temp_size_in_bytes),
        "args": int(stats.argument_size_in_bytes),
        "out": int(stats.output_size_in_bytes),
        "peak": int(
            stats.temp_size_in_bytes
            + stats.argument_size_in_bytes
            + stats.output_size_in_bytes
            - stats.alias_size_in_bytes
        ),
    }


def compiled_bytes(jitted: Any, *args: Any) -> dict[str, int] | None:
    """:func:`memory_of` a ``jax.jit`` function compiled for ``args``, or ``None``."""
    try:
        compiled = jitted.lower(*args).compile()
    except Exception:  # not every backend implements it
        return None
    return memory_of(compiled)
