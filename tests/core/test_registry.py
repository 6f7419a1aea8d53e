"""Every public entry point (tests/registry.py) under every JAX transformation:
jit, vmap over inputs and over kernels, first- and second-order gradients in
both modes (jax.test_util.check_grads), jvp, linear_transpose, eval_shape and
checkpoint."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

from tests import tolerances
from tests.registry import entries

F64 = tolerances.tolerance(np.float64)._asdict()  # the registry calls in float64

ENTRIES = entries()
IDS = [e[0] for e in ENTRIES]


def operands(index, dtype=np.float64):
    _, fn, x_shape, k_shape = ENTRIES[index]
    rng = np.random.default_rng(index)
    return (
        fn,
        rng.standard_normal(x_shape).astype(dtype),
        rng.standard_normal(k_shape).astype(dtype),
    )


@pytest.mark.parametrize("index", range(len(ENTRIES)), ids=IDS)
def test_jit_eval_shape_and_vmap(index):
    fn, x, w = operands(index)
    want = np.asarray(fn(x, w))
    np.testing.assert_allclose(jax.jit(fn)(x, w), want, **F64)
    shape = jax.eval_shape(fn, x, w)
    assert shape.shape == want.shape and shape.dtype == want.dtype
    # vmap over an extra leading axis of the input, and over a stack of kernels.
    xs = np.stack([x, 2 * x + 1])
    batched = jax.vmap(fn, in_axes=(0, None))(xs, w)
    np.testing.assert_allclose(batched[1], fn(xs[1], w), **F64)
    ws = np.stack([w, -w, w * 0.5])
    batched = jax.vmap(fn, in_axes=(None, 0))(x, ws)
    np.testing.assert_allclose(batched[2], fn(x, ws[2]), **F64)


@pytest.mark.parametrize("index", range(len(ENTRIES)), ids=IDS)
def test_gradients_first_and_second_order(index):
    fn, x, w = operands(index)
    tol = tolerances.FINITE_DIFFERENCES
    check_grads(fn, (x, w), order=2, modes=["fwd", "rev"], atol=tol, rtol=tol)


@pytest.mark.parametrize("index", range(len(ENTRIES)), ids=IDS)
def test_linear_transpose_jvp_and_checkpoint(index):
    fn, x, w = operands(index)
    y, vjp = jax.vjp(lambda a: fn(a, w), x)
    ct = np.random.default_rng(99).standard_normal(y.shape)
    (transposed,) = jax.linear_transpose(lambda a: fn(a, w), x)(ct)
    np.testing.assert_allclose(transposed, vjp(ct)[0], **F64)
    # Linear in each argument: the jvp is the function of the tangent.
    _, tangent = jax.jvp(lambda a: fn(a, w), (x,), (2 * x,))
    np.testing.assert_allclose(tangent, 2 * np.asarray(y), **F64)

    def loss(a, b):
        return jnp.sum(jnp.sin(fn(a, b)))

    want = jax.grad(loss, argnums=(0, 1))(x, w)
    got = jax.grad(jax.checkpoint(loss), argnums=(0, 1))(x, w)
    for g, h in zip(got, want):
        np.testing.assert_allclose(g, h, **F64)
