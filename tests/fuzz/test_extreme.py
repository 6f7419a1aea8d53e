"""Huge ints (2**17 ... 2**64, +-10**12) in every int argument, in a subprocess.

A worker runs the calls of :mod:`._extreme_cases` and prints a line per call;
this parent enforces a per-call timeout, and after a hang (timeout) or a crash
(e.g. SIGABRT from XLA) records the call, restarts the worker after it, and
carries on, so one run reports every call's verdict.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._extreme_cases import cases
from ._harness import COUNTS, FAILURES

ROOT = Path(__file__).resolve().parents[2]
PER_CALL_S = float(os.environ.get("JCONV_FUZZ_CALL_TIMEOUT", "8"))
TOTAL_S = float(os.environ.get("JCONV_FUZZ_EXTREME_BUDGET", "100"))


def _run_from(start, results, deadline):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XLA_FLAGS": os.environ.get("XLA_FLAGS", "")}
    err = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in the finally below)
    p = subprocess.Popen(
        [sys.executable, "-m", "tests.fuzz._extreme_worker", str(start)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
        bufsize=1,
    )
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    current, began = None, time.monotonic() + 30  # allow the import
    try:
        while True:
            now = time.monotonic()
            limit = min(began + PER_CALL_S, deadline)
            if now > limit:
                if current is not None:
                    results[current] = f"HANG: no result within {PER_CALL_S:.0f} s (killed)"
                    return current + 1
                results.setdefault(start, "HANG: the worker printed nothing (killed)")
                return start + 1
            if not sel.select(timeout=max(limit - now, 0.01)):
                continue
            line = p.stdout.readline()
            if not line:  # the worker exited
                p.wait()
                if current is not None and current not in results:
                    err.seek(0)
                    tail = " ".join(err.read()[-300:].split())
                    results[current] = (
                        f"CRASH: worker died with exit code {p.returncode} ({tail!r})"
                    )
                    return current + 1
                return None
            kind, _, rest = line.strip().partition(" ")
            if kind == "BEGIN":
                current, began = int(rest), time.monotonic()
            elif kind == "DONE":
                i, _, verdict = rest.partition(" ")
                results[int(i)] = verdict
                current = None
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        err.close()


def test_extreme_sizes():
    all_cases = cases()
    results: dict[int, str] = {}
    deadline = time.monotonic() + TOTAL_S
    start = 0
    while start is not None and start < len(all_cases) and time.monotonic() < deadline:
        start = _run_from(start, results, deadline)
    failures = []
    for i, (label, _, _) in enumerate(all_cases):
        v = results.get(i, "NOT RUN: the extreme-size budget ran out before this call")
        if not v.startswith("SKIP"):
            COUNTS["extreme (subprocess)"] += 1
        if v != "OK" and not v.startswith("SKIP"):
            failures.append(f"[extreme] {label}: {v}")
    FAILURES.extend(failures)
    assert not failures, f"{len(failures)} failing extreme calls:\n" + "\n".join(failures)
