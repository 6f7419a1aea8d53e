"""Regression tests for the adversarial pass: hangs, XLA aborts and contract escapes.

Each case comes from a call that once hung for minutes, aborted the process
inside XLA, raised the wrong exception, or returned a wrong result. Calls
that could hang or abort run in a subprocess with a timeout, so a regression
fails the test instead of the suite. Where a result exists, it is compared
with the NumPy oracle (``tests/oracle.py``), whose cost does not grow with a
stride or a padding (it loops over inputs and taps).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jconv
from tests import oracle

ROOT = pathlib.Path(__file__).resolve().parents[2]
ALGORITHMS = (*jconv.ALGORITHMS, "auto")


def _in_subprocess(body: str, timeout: float = 240) -> list:
    """Runs ``body`` (which prints one JSON line per call) in a fresh interpreter."""
    script = textwrap.dedent(
        """
        import json, time, numpy as np, jax, jax.numpy as jnp, jconv
        def report(label, f):
            t0 = time.time()
            try:
                r = jax.block_until_ready(f())
                out = {"label": label, "ok": True, "shape": list(np.shape(r)),
                       "finite": bool(np.isfinite(np.asarray(r, np.float64)).all())}
            except Exception as e:
                out = {"label": label, "ok": False, "type": type(e).__name__, "msg": str(e)}
            out["seconds"] = time.time() - t0
            print(json.dumps(out), flush=True)
        """
    ) + textwrap.dedent(body)
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )
    assert proc.returncode == 0, f"process died ({proc.returncode}):\n{proc.stderr[-3000:]}"
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def test_huge_strides_cost_what_the_output_costs():
    """stride 2**17 with a one-element output once took minutes in "phase" (and "auto")."""
    body = """
    x1, k3 = jnp.ones((1, 1, 1)), jnp.ones((3, 1, 1))
    for a in ["auto", "phase", "hybrid", "lhs_dilation"]:
        f = lambda x, a=a: jconv.conv_transpose(x, k3, 2**17, "SAME", output_shape=1, algorithm=a)
        report(f"1d {a}", lambda: f(x1))
        report(f"1d grad {a}", lambda: jax.grad(lambda x: f(x).sum())(x1))
        report(f"1d kernel grad {a}", lambda: jax.grad(lambda k: jconv.conv_transpose(
            x1, k, 2**17, "SAME", output_shape=1, algorithm=a).sum())(k3))
        report(f"2d {a}", lambda: jconv.conv_transpose(jnp.ones((1, 1, 1, 1)),
            jnp.ones((3, 3, 1, 1)), 2**17, "SAME", output_shape=(1, 1), algorithm=a))
        report(f"valid {a}", lambda: jconv.conv_transpose(x1, k3, 2**17, "VALID", algorithm=a))
    x, k = jnp.ones((1, 5, 5, 1)), jnp.ones((3, 3, 1, 1))
    report("conv stride 1e12 pad 1e12", lambda: jconv.conv(x, k, 10**12, 10**12))
    report("conv grad stride 1e12", lambda: jax.grad(lambda x: jconv.conv(x, k, 10**12, 10**12).sum())(x))
    report("transpose stride 1e12 pad 5e11", lambda: jconv.conv_transpose(
        jnp.ones((1, 2, 2, 1)), k, 10**12, 5 * 10**11))
    """
    results = _in_subprocess(body)
    assert len(results) == 23
    for r in results:
        assert r["ok"], r
        assert r["finite"], r
        assert r["seconds"] < 30, r  # a hang guard, not a timing claim: these took minutes


@pytest.mark.parametrize(
    ("label", "call", "argument"),
    [
        ("conv padding 1e12", "jconv.conv(x, k, 2, 10**12)", "padding"),
        ("conv padding (0, 1e12)", "jconv.conv(x, k, 2, [(0, 10**12), (0, 0)])", "padding"),
        (
            "transpose stride 1e12 SAME",
            "jconv.conv_transpose(y, k, 10**12, 'SAME', algorithm='lhs_dilation')",
            "stride",
        ),
        ("transpose padding -1e12", "jconv.conv_transpose(y, k, 2, -10**12)", "padding"),
        (
            "transpose dilation 2**40",
            "jconv.conv_transpose(y, k, 1, 'VALID', dilation=2**40)",
            "dilation",
        ),
        ("conv stride 2**63", "jconv.conv(x, k, 2**63)", "stride"),
        ("160 TB padding", "jconv.conv(x, k, 1, [(0, 4 * 10**6), (0, 10**7)])", "padding"),
        (
            "circular padding 1e6",
            "jconv.conv(x, k, 10**6, 10**6, padding_mode='circular')",
            "padding",
        ),
    ],
)
def test_impossible_sizes_are_value_errors(label, call, argument):
    """Once SIGABRT inside XLA, OverflowError, RESOURCE_EXHAUSTED or JaxRuntimeError."""
    body = f"""
    x, k, y = jnp.ones((1, 5, 5, 1)), jnp.ones((3, 3, 1, 1)), jnp.ones((1, 2, 2, 1))
    report({label!r}, lambda: {call})
    """
    (r,) = _in_subprocess(body, timeout=120)
    assert not r["ok"], r
    assert r["type"] == "ValueError", r
    assert argument in r["msg"], r


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("groups", [2, 1])
def test_zero_batch_grouped_and_depthwise(algorithm, groups):
    """groups == C_in with a zero batch once raised ZeroDivisionError (phase, auto, hybrid)."""
    x = np.zeros((0, 4, 2), np.float32)
    k = np.ones((3, 1 if groups == 2 else 2, 2), np.float32)
    out = jconv.conv_transpose(x, k, 2, groups=groups, algorithm=algorithm)
    assert out.shape == (0, 9, groups * k.shape[-2])
    gk = jax.grad(
        lambda w: jconv.conv_transpose(x, w, 2, groups=groups, algorithm=algorithm).sum()
    )(k)
    np.testing.assert_array_equal(gk, np.zeros_like(k))
    gx = jax.grad(
        lambda v: jconv.conv_transpose(v, k, 2, groups=groups, algorithm=algorithm).sum()
    )(x)
    assert gx.shape == x.shape
    y = jconv.conv(np.zeros((0, 9, 2), np.float32), k, 2, groups=groups)
    assert y.shape == (0, 4, 2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"preferred_element_type": "foo"},
            TypeError,
            r"jconv\.conv: `preferred_element_type`.*'foo'",
        ),
        ({"preferred_element_type": np.int32}, TypeError, r"`preferred_element_type`.*int32"),
        ({"precision": "foo"}, ValueError, r"jconv\.conv: `precision`.*'foo'"),
        ({"precision": 3}, TypeError, r"jconv\.conv: `precision`"),
        ({"precision": ("high", 1)}, TypeError, r"`precision\[1\]`"),
        ({"stride": {1, 2}}, TypeError, r"`stride`.*set"),
        ({"padding": {1, 2}}, TypeError, r"`padding`"),
    ],
)
def test_errors_name_the_argument(kwargs, error, match):
    x, k = np.ones((1, 5, 5, 1), np.float32), np.ones((3, 3, 1, 1), np.float32)
    with pytest.raises(error, match=match):
        jax.eval_shape(lambda: jconv.conv(x, k, **kwargs))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_preferred_element_type_is_part_of_the_cache_key(algorithm):
    """``np.dtype('float64') == None`` is true in NumPy: specs differing only there once
    shared a cache entry, so float64 accumulation returned float32 after a float32 call."""
    x, k = jnp.ones((2, 3, 4, 6), jnp.float32), jnp.ones((3, 2, 4, 6), jnp.float32)
    dtypes = [None, np.float32, np.float64, None, "float64"]
    got = [
        jconv.conv_transpose(x, k, 2, algorithm=algorithm, preferred_element_type=p).dtype
        for p in dtypes
    ]
    assert got == [np.float32, np.float32, np.float64, np.float32, np.float64]


CASES = [
    # (in_size, window, stride, padding, dilation, output_shape): strides, paddings and
    # dilations far larger than the data, where trimming decides what is computed.
    ((1,), (3,), (1000,), "SAME", (1,), (2,)),
    ((2,), (3,), (97,), [(40, 50)], (1,), None),
    ((4, 3), (3, 2), (50, 7), "VALID", (1, 1), None),
    ((5,), (3,), (1,), [(30, 5)], (20,), None),
    ((3, 2), (2, 3), (40, 1), [(60, 30), (0, 0)], (30, 1), None),
    ((1,), (4,), (2**20,), "SAME", (1,), (3,)),
]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_far_reaching_arguments_match_the_oracle(case, algorithm):
    in_size, window, stride, padding, dilation, output_shape = case
    rng = np.random.default_rng(0)
    y = rng.standard_normal((2, *in_size, 3))
    k = rng.standard_normal((*window, 2, 3))
    kw = dict(stride=stride, padding=padding, dilation=dilation)
    got = jconv.conv_transpose(y, k, output_shape=output_shape, algorithm=algorithm, **kw)
    sizes = got.shape[1:-1]
    want = oracle.conv_transpose(y, k, out_size=sizes, **kw)
    oracle.assert_close(got, want, np.float64)
    # the adjoint identity on the same geometry: conv of the output size maps back
    z = rng.standard_normal(got.shape)
    forward = jconv.conv(z, k, **kw)
    assert forward.shape == y.shape
    oracle.assert_close(forward, oracle.conv(z, k, **kw), np.float64)
    lhs, rhs = float(np.vdot(forward, y)), float(np.vdot(z, got))
    assert abs(lhs - rhs) <= 1e-9 * max(1.0, abs(lhs))


def test_a_dilation_spanning_far_beyond_the_data_is_not_implemented():
    """Two taps 10**9 apart both reaching a 5-element input (through a stride of 10**9):
    the padded intermediate would be gigabytes for 28 bytes of data."""
    x, k = np.ones((1, 5, 1), np.float32), np.ones((2, 1, 1), np.float32)
    far = dict(padding=[(10**9 - 1, 10**9)], dilation=10**9 - 1)
    with pytest.raises(NotImplementedError, match=r"jconv\.conv: .*dilation"):
        jconv.conv(x, k, 10**9, **far)
