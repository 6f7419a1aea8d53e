"""``compat.tf`` against recorded TensorFlow answers: parity where TensorFlow is absent.

``tests/golden/tf_golden.npz`` holds calls and TensorFlow's answers (made by
``tests/golden/make_tf_golden.py``, which records the TensorFlow version).
Every call is replayed through ``compat.tf``: where TensorFlow returned an
array, so must we (same shape, dtype and values); where it raised, so must we.
"""

from __future__ import annotations

import functools
import json
import pathlib
from typing import Any

import jax.numpy as jnp
import numpy as np
import pytest

from compat import tf
from tests import tolerances

GOLDEN = pathlib.Path(__file__).parents[1] / "golden" / "tf_golden.npz"
_DATA = np.load(GOLDEN)
CASES = sorted(k for k in _DATA.files if k.startswith("case_"))


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "array" in value:
            array = _DATA[value["array"]]
            return array.astype(jnp.dtype(value.get("dtype", array.dtype.name)))
        if "tensor" in value:
            return jnp.asarray(_decode(value["tensor"]))
        return tuple(_decode(v) for v in value["tuple"])
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def test_provenance() -> None:
    assert str(_DATA["tf_version"]).startswith("2.")
    assert str(_DATA["script"]) == "tests/golden/make_tf_golden.py"
    assert (pathlib.Path(__file__).parents[1] / "golden" / "make_tf_golden.py").exists()
    assert len(CASES) >= 100


@pytest.mark.parametrize("key", CASES)
def test_golden(key: str) -> None:
    record = json.loads(str(_DATA[key]))
    fn = functools.reduce(getattr, record["fn"].split("."), tf)
    args, kwargs = _decode(record["args"]), {k: _decode(v) for k, v in record["kwargs"].items()}
    what = f"{record['fn']} (TF {record['how']}: {record['error'] or 'ok'})"
    if record["status"] == "err":
        with pytest.raises((ValueError, TypeError)):
            fn(*args, **kwargs)
        return
    got = np.asarray(fn(*args, **kwargs))
    want = _DATA[key.replace("case_", "out_")].astype(jnp.dtype(record["out_dtype"]))
    assert got.shape == want.shape, what
    assert got.dtype == want.dtype, what
    got, want = got.astype(np.float64), want.astype(np.float64)
    tolerances.assert_close(got, want, record["out_dtype"], scale="max", err_msg=what)
