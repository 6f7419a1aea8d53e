"""Runs the extreme-size calls, one verdict line per call, from a start index.

Protocol (stdout): ``BEGIN <i>`` before call i, ``DONE <i> <verdict or OK>``
after it. The parent (test_extreme.py) enforces a per-call timeout and
restarts this worker after a hang or crash, so every call gets a line.
"""

from __future__ import annotations

import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")


def main() -> None:
    from tests.fuzz._extreme_cases import cases
    from tests.fuzz._harness import verdict

    start = int(sys.argv[1])
    all_cases = cases()
    for i in range(start, len(all_cases)):
        _label, call, expect = all_cases[i]
        print(f"BEGIN {i}", flush=True)
        try:
            e = expect()
        except Exception as err:
            print(f"DONE {i} SKIP {type(err).__name__}", flush=True)
            continue
        bad = verdict(call, e)
        print(f"DONE {i} {bad if bad else 'OK'}".replace("\n", " "), flush=True)


if __name__ == "__main__":
    main()
