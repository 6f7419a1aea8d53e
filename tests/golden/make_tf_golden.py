"""Writes ``tests/golden/tf_golden.npz``: TensorFlow's answers for a fixed set of calls.

Run from the repository root, with tensorflow-cpu installed::

    python tests/golden/make_tf_golden.py

Each case is one call of a ``tf.nn`` / ``tf.compat.v1.nn`` function: the
call itself (function name and arguments, as JSON), its input arrays, and
TensorFlow's answer: the output array, or the fact that it raised (and what).
The reference is computed exactly as in ``tests/compat_tf/test_tf_parity.py`` (eager
CPU with oneDNN off; TensorFlow's XLA path where the CPU kernels lack an
implementation, and for ``conv3d`` with SAME padding). The file records the TensorFlow version and this script's
path, so ``tests/compat_tf/test_tf_golden.py`` can check ``compat.tf`` without
TensorFlow.
"""

from __future__ import annotations

import json
import os
import pathlib
import random
import sys
from typing import Any

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "golden" / "tf_golden.npz"


def _encode(value: Any, arrays: dict[str, np.ndarray], prefix: str, t_cls: type) -> Any:
    """JSON for one argument; arrays go into ``arrays`` and are referenced by name."""
    if isinstance(value, t_cls):
        return {"tensor": _encode(np.asarray(value.value), arrays, prefix, t_cls)}
    if isinstance(value, np.ndarray):
        name = f"{prefix}_{len(arrays)}"
        if value.dtype.name == "bfloat16":  # .npz has no bfloat16: store float32, note the dtype
            arrays[name] = value.astype(np.float32)
            return {"array": name, "dtype": "bfloat16"}
        arrays[name] = value
        return {"array": name}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, arrays, prefix, t_cls) for v in value]}
    if isinstance(value, list):
        return [_encode(v, arrays, prefix, t_cls) for v in value]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def cases() -> list[Any]:
    """The fixed set: the tutorial, chosen argument forms, and sampled random configurations."""
    from tests.compat_tf import test_tf_parity as parity
    from tests.compat_tf import test_tf_parity_forms as forms

    chosen = list(forms.TUTORIAL)
    for group in forms.ALL.values():
        chosen += group[::3]
    rng = random.Random("golden")
    for fn in parity.FORWARD:
        chosen += [parity.maybe_v1(rng, parity.forward_case(rng, fn)) for _ in range(4)]
    for fn in parity.TRANSPOSE:
        for _ in range(2):
            cfg = parity.transpose_config(rng, fn)
            chosen += [
                parity.maybe_v1(rng, parity.transpose_case(rng, fn, cfg, out))
                for out in parity.output_scan(cfg)[:5]
            ]
    return chosen


def main() -> None:
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    sys.path.insert(0, str(ROOT))
    import tensorflow as tf

    from tests.compat_tf import test_tf_parity as parity

    arrays: dict[str, np.ndarray] = {}
    for i, case in enumerate(cases()):
        status, value, how = parity.tf_reference(case)
        record = {
            "fn": case.fn,
            "args": _encode(list(case.args), arrays, f"c{i:03d}", parity.T),
            "kwargs": {
                k: _encode(v, arrays, f"c{i:03d}", parity.T) for k, v in case.kwargs.items()
            },
            "status": status,
            "how": how,
            "error": "" if status == "ok" else f"{type(value).__name__}: {str(value)[:300]}",
        }
        if status == "ok":
            record["out_dtype"] = value.dtype.name
            bf16 = value.dtype.name == "bfloat16"
            arrays[f"out_{i:03d}"] = value.astype(np.float32) if bf16 else value
        arrays[f"case_{i:03d}"] = np.array(json.dumps(record))
    arrays["tf_version"] = np.array(tf.__version__)
    arrays["script"] = np.array("tests/golden/make_tf_golden.py")
    arrays["onednn"] = np.array(os.environ["TF_ENABLE_ONEDNN_OPTS"])
    np.savez_compressed(OUT, **arrays)
    n = sum(k.startswith("case_") for k in arrays)
    print(f"wrote {OUT.relative_to(ROOT)}: {n} cases, TensorFlow {tf.__version__}")


if __name__ == "__main__":
    main()
