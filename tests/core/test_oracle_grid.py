"""A deterministic grid: ``jconv.conv`` and ``jconv.conv_transpose`` against the NumPy oracle.

The grid samples the product of the axes in ``oracle_configs.AXES`` (rank,
stride 1-3, dilation 1-2, kernel 1-5, every padding form, groups 1/2/depthwise,
both layouts, output-size choices) with a fixed seed so that every value of
every axis appears; ``test_grid_covers_every_axis_value`` checks that it does.
Every transpose case runs for every name in ``jconv.ALGORITHMS`` plus
``"auto"``, so an algorithm added later is tested without touching this file.

Calls go through ``jax.jit`` (one compilation per configuration is several
times cheaper than op-by-op dispatch); the eager path is exercised by
test_properties.py (which draws jit or not), test_adjoint.py and test_tutorial.py.
"""

from __future__ import annotations

import functools
import itertools
import json
import subprocess
import sys

import jax
import numpy as np
import pytest

import jconv
from tests import oracle
from tests.oracle_configs import (
    ALGORITHMS,
    AXES,
    TRANSPOSE_AXES,
    RngPicker,
    covering,
    make_config,
)

N_CASES = 66  # per function; a multiple of every axis length is not needed, >= 11 is


def _cases(kind: str, axes, seed: int):
    return [
        make_config(kind, choice, RngPicker(seed * 1000 + k), seed=seed * 1000 + k)
        for k, choice in enumerate(covering(axes, N_CASES, seed))
    ]


CONV_CASES = _cases("conv", AXES, seed=1)
TRANSPOSE_CASES = _cases("transpose", TRANSPOSE_AXES, seed=2)


@functools.cache
def _transpose_expected(k: int):
    cfg = TRANSPOSE_CASES[k]
    y, w = cfg.arrays()
    return y, w, cfg.run_oracle(y, w)


def _ids(cases):
    return [f"{k}-{c.label()}" for k, c in enumerate(cases)]


def test_grid_covers_every_axis_value():
    """Every value of every axis occurs in the grid as actually built (after the fixes
    ``make_config`` applies, e.g. output_padding only with non-SAME padding)."""
    for cases, axes in ((CONV_CASES, AXES), (TRANSPOSE_CASES, TRANSPOSE_AXES)):
        for name, values in axes.items():
            seen = {c.choice[name] for c in cases}
            assert seen == set(values), (name, set(values) - seen)
    # Output choices as built: an output_padding, an explicit output_shape and the default
    # all occur (output_padding past the stride is covered by the test below).
    assert any(c.output_padding is not None for c in TRANSPOSE_CASES)
    assert any(c.output_shape is not None for c in TRANSPOSE_CASES)
    assert any(c.choice["output"] == "default" and c.output_shape is None for c in TRANSPOSE_CASES)


@pytest.mark.parametrize("cfg", CONV_CASES, ids=_ids(CONV_CASES))
def test_conv_matches_oracle(cfg):
    x, w = cfg.arrays()
    expected = cfg.run_oracle(x, w)
    actual = cfg.run_jconv(x, w, jit=True)
    oracle.assert_close(actual, expected, err_msg=cfg.label())
    predicted = jconv.shapes.conv_output_shape(
        cfg.in_sizes, cfg.window, cfg.stride, cfg.padding, cfg.dilation
    )
    assert predicted == expected.shape[1:-1]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("k", range(len(TRANSPOSE_CASES)), ids=_ids(TRANSPOSE_CASES))
def test_conv_transpose_matches_oracle(k, algorithm):
    cfg = TRANSPOSE_CASES[k]
    y, w, expected = _transpose_expected(k)
    actual = cfg.run_jconv(y, w, algorithm=algorithm, jit=True)
    oracle.assert_close(actual, expected, err_msg=f"{cfg.label()} algorithm={algorithm}")


# ---------------------------------------------------------------------------
# Every accepted output size, and the shape rules behind them.

EVERY_OUTPUT_PADDINGS = ("SAME", "same_lower", "VALID", 1, "pairs")
EVERY_OUTPUT_CASES = [
    (ndim, stride, padding)
    for ndim in (1, 2)
    for stride in (1, 2, 3)
    for padding in EVERY_OUTPUT_PADDINGS
]


def _every_output_config(ndim, stride, padding):
    rng = np.random.default_rng(100 * ndim + 10 * stride + EVERY_OUTPUT_PADDINGS.index(padding))
    window = tuple(int(k) for k in rng.integers(1, 6, ndim))
    dilation = int(rng.integers(1, 3))
    if padding == "pairs":
        padding = [(2, 0), (0, 1)][:ndim]
    in_sizes = tuple(int(i) for i in rng.integers(2, 4, ndim))
    while not all(oracle.transpose_valid_sizes(in_sizes, window, stride, padding, dilation)):
        in_sizes = tuple(i + 1 for i in in_sizes)  # the padding crops too much: grow
    return window, dilation, padding, in_sizes


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("ndim, stride, padding", EVERY_OUTPUT_CASES)
def test_conv_transpose_every_output_shape(ndim, stride, padding, algorithm):
    """Every size in ``jconv.shapes.transpose_output_sizes``, in every dimension at once."""
    window, dilation, padding, in_sizes = _every_output_config(ndim, stride, padding)
    rng = np.random.default_rng(7)
    y = rng.standard_normal((2, *in_sizes, 4))
    w = rng.standard_normal((*window, 1, 4))
    ranges = jconv.shapes.transpose_output_shapes(in_sizes, window, stride, padding, dilation)
    assert tuple(list(r) for r in ranges) == oracle.transpose_valid_sizes(
        in_sizes, window, stride, padding, dilation
    )
    for out in itertools.product(*ranges):
        expected = oracle.conv_transpose(y, w, stride, padding, dilation, 2, out_size=out)
        actual = jax.jit(
            lambda y, w, out=out: jconv.conv_transpose(
                y,
                w,
                stride,
                padding,
                output_shape=out,
                dilation=dilation,
                groups=2,
                algorithm=algorithm,
            )
        )(y, w)
        oracle.assert_close(actual, expected, err_msg=f"output_shape={out}")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("stride, dilation", [(1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (3, 2)])
def test_conv_transpose_every_output_padding(stride, dilation, algorithm):
    """Every ``output_padding`` below ``max(stride, dilation)``, including those past the
    stride when ``dilation > stride`` (PyTorch accepts those: the extra rows are zeros)."""
    rng = np.random.default_rng(10 * stride + dilation)
    y = rng.standard_normal((1, 3, 2, 3))
    w = rng.standard_normal((3, 2, 1, 3))
    for extra in itertools.product(range(max(stride, dilation)), repeat=2):
        expected = oracle.conv_transpose(y, w, stride, 1, dilation, 1, output_padding=extra)
        actual = jax.jit(
            lambda y, w, extra=extra: jconv.conv_transpose(
                y, w, stride, 1, output_padding=extra, dilation=dilation, algorithm=algorithm
            )
        )(y, w)
        oracle.assert_close(actual, expected, err_msg=f"output_padding={extra}")
        assert (
            jconv.shapes.transpose_output_shape(
                (3, 2), (3, 2), stride, 1, dilation, output_padding=extra
            )
            == expected.shape[1:-1]
        )


@pytest.mark.parametrize(
    "i, k, s, padding, d",
    [
        (i, k, s, p, d)
        for i, k, s, p, d in itertools.product(
            (1, 2, 5), (1, 2, 3, 5), (1, 2, 3), ("SAME", "SAME_LOWER", "VALID", 1, (2, -1)), (1, 2)
        )
    ],
)
def test_shape_rules_agree_with_oracle(i, k, s, padding, d):
    """jconv.shapes against the oracle's brute-force and default-size rules (pure ints)."""
    form = padding if isinstance(padding, str) else [padding]
    valid = oracle.transpose_valid_sizes((i,), (k,), s, form, d)[0]
    if valid:
        assert list(jconv.shapes.transpose_output_sizes(i, k, s, padding, d)) == valid
    else:
        with pytest.raises(ValueError, match="no output"):
            jconv.shapes.transpose_output_sizes(i, k, s, padding, d)
    default = oracle.transpose_default_sizes((i,), (k,), s, form, d)[0]
    if valid and default >= 1:
        assert jconv.shapes.transpose_output_size(i, k, s, padding, d) == default
    else:
        with pytest.raises(ValueError, match="no output"):
            jconv.shapes.transpose_output_size(i, k, s, padding, d)
    expected_conv = oracle.conv_output_sizes((i,), (k,), s, form, d)[0]
    if expected_conv is None:
        with pytest.raises(ValueError, match="no output"):
            jconv.shapes.conv_output_size(i, k, s, padding, d)
    else:
        assert jconv.shapes.conv_output_size(i, k, s, padding, d) == expected_conv
    expected_pads = oracle.resolve_pads(form, (i,), (k,), (s,), (d,))[0]
    assert jconv.shapes.resolve_padding(i, k, s, padding, d) == expected_pads
    if isinstance(padding, str) and padding != "VALID":
        lower = padding == "SAME_LOWER"
        assert jconv.shapes.same_padding(i, k, s, d, lower=lower) == expected_pads


# ---------------------------------------------------------------------------
# A configuration that aborts the XLA CPU compiler (jax/jaxlib 0.10.2): a convolution
# with lhs_dilation > 1 in one dimension and padding wider than the kernel in another
# ("algebraic_simplifier.cc: Check failed ... Window dimensions do not match RHS shape").
# It is reached through conv_transpose's lhs-dilation reference and through JAX's own
# VJP of conv. The process dies, so each call runs in a subprocess.

_CRASH_CASE = """
import json, sys
import jax
import numpy as np
jax.config.update("jax_enable_x64", True)
import jconv
y = np.arange(6.0).reshape(1, 6, 1, 1) - 2.5
w = np.array([1.0, -2.0, 3.0, 0.5, 4.0, -1.0]).reshape(2, 3, 1, 1)
stride, padding, out = (2, 3), [(1, 1), (0, 0)], (10, 5)
if sys.argv[1] == "grad_of_conv":
    x = np.zeros((1, *out, 1))
    _, vjp = jax.vjp(lambda x: jconv.conv(x, w, stride, padding), x)
    (result,) = vjp(y)
else:
    result = jconv.conv_transpose(
        y, w, stride, padding, output_shape=out, algorithm=sys.argv[1]
    )
print(json.dumps(np.asarray(result).tolist()))
"""


@pytest.mark.parametrize("path", [*ALGORITHMS, "grad_of_conv"])
def test_padding_wider_than_kernel_next_to_lhs_dilation(path):
    proc = subprocess.run(
        [sys.executable, "-c", _CRASH_CASE, path], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    y = np.arange(6.0).reshape(1, 6, 1, 1) - 2.5
    w = np.array([1.0, -2.0, 3.0, 0.5, 4.0, -1.0]).reshape(2, 3, 1, 1)
    expected = oracle.conv_transpose(y, w, (2, 3), [(1, 1), (0, 0)], out_size=(10, 5))
    oracle.assert_close(np.array(json.loads(proc.stdout)), expected)
