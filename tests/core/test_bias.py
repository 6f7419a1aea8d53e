"""``bias=``: values and gradients against PyTorch, both layouts, every algorithm."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jconv
from tests import oracle

torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
F = torch.nn.functional

CASES = [  # (ndim, stride, padding, dilation, groups)
    (1, 2, 1, 1, 1),
    (2, (2, 1), 0, (1, 2), 2),
    (3, 2, 1, 1, 1),
]


def _torch(op, x_first, weight, bias, ct_first, **kw):
    """PyTorch's output and its gradients w.r.t. the input and the bias (channels-first)."""
    xt = torch.tensor(x_first, requires_grad=True)
    bt = torch.tensor(bias, requires_grad=True)
    out = op(xt, torch.tensor(weight), bt, **kw)
    out.backward(torch.tensor(ct_first))
    return out.detach().numpy(), xt.grad.numpy(), bt.grad.numpy()


def _check(jconv_fn, torch_op, x, weight, b, channels_first, rng, **torch_kw):
    """Runs ``jconv_fn(x, bias)`` in either layout and compares with PyTorch."""
    first = oracle.to_channels_first
    xin = first(x) if channels_first else x
    out, vjp = jax.vjp(jconv_fn, xin, b)
    out_first = np.asarray(out) if channels_first else first(np.asarray(out))
    ct_first = rng.standard_normal(out_first.shape)
    ct = ct_first if channels_first else oracle.to_channels_last(ct_first)
    want, want_dx, want_db = _torch(torch_op, first(x), weight, b, ct_first, **torch_kw)
    oracle.assert_close(out_first, want)
    dx, db = vjp(ct)
    oracle.assert_close(dx if channels_first else first(np.asarray(dx)), want_dx)
    oracle.assert_close(db, want_db)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("channels_first", [False, True])
def test_conv_bias_matches_pytorch(case, channels_first):
    n, stride, padding, dilation, groups = case
    rng = np.random.default_rng(n)
    x = rng.standard_normal((2, *(7,) * n, 2 * groups))
    k = rng.standard_normal((*(3,) * n, 2, 3 * groups))
    b = rng.standard_normal(3 * groups)
    fmt = "channels_first" if channels_first else None

    def f(x_, b_):
        return jconv.conv(
            x_, k, stride, padding, dilation=dilation, groups=groups, data_format=fmt, bias=b_
        )

    op = getattr(F, f"conv{n}d")
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    _check(f, op, x, jconv.layouts.to_torch_conv(k), b, channels_first, rng, **kw)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("channels_first", [False, True])
@pytest.mark.parametrize("algorithm", ["auto", *jconv.ALGORITHMS])
def test_conv_transpose_bias_matches_pytorch(case, channels_first, algorithm):
    n, stride, padding, dilation, groups = case
    rng = np.random.default_rng(n)
    x = rng.standard_normal((2, *(4,) * n, 3 * groups))
    k = rng.standard_normal((*(3,) * n, 2, 3 * groups))  # C_out = 2 * groups
    b = rng.standard_normal(2 * groups)
    fmt = "channels_first" if channels_first else None

    def f(x_, b_):
        return jconv.conv_transpose(
            x_,
            k,
            stride,
            padding,
            dilation=dilation,
            groups=groups,
            data_format=fmt,
            bias=b_,
            algorithm=algorithm,
        )

    op = getattr(F, f"conv_transpose{n}d")
    kw = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    weight = jconv.layouts.to_torch_conv_transpose(k)
    _check(f, op, x, weight, b, channels_first, rng, **kw)


def test_bias_with_circular_padding_and_preferred_element_type():
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((1, 6, 2)), jnp.bfloat16)
    k = jnp.asarray(rng.standard_normal((3, 2, 4)), jnp.bfloat16)
    b32 = rng.standard_normal(4).astype(np.float32)
    kw = dict(padding_mode="circular", preferred_element_type=jnp.float32)
    got = jconv.conv(x, k, 1, "SAME", bias=b32, **kw)
    assert got.dtype == jnp.float32
    np.testing.assert_array_equal(
        got - jconv.conv(x, k, 1, "SAME", **kw), np.broadcast_to(b32, got.shape)
    )
    # A bias of the operands' dtype is accepted too, and added in the result's.
    got16 = jconv.conv(x, k, 1, "SAME", bias=b32.astype(jnp.bfloat16), **kw)
    assert got16.dtype == jnp.float32


def test_bias_errors():
    x, k = np.ones((1, 5, 2)), np.ones((3, 2, 4))
    with pytest.raises(
        ValueError,
        match=r"^jconv.conv: `bias` must have shape \(C_out,\) = \(4,\), one value per output "
        r"channel; received bias.shape=\(2,\)\.$",
    ):
        jconv.conv(x, k, bias=np.ones(2))
    with pytest.raises(
        ValueError,
        match=r"^jconv.conv_transpose: `bias` must have shape \(C_out,\)"
        r" = \(2,\).*received bias.shape=\(1, 3\)",
    ):
        jconv.conv_transpose(np.ones((1, 5, 4)), k, bias=np.ones((1, 3)))
    with pytest.raises(
        TypeError,
        match=r"^jconv.conv: `bias` must have the dtype of `x` and `kernel` \(float64\); "
        r"received bias.dtype=float32\. Cast it with .astype\(\)\.$",
    ):
        jconv.conv(x, k, bias=np.ones(4, np.float32))
    with pytest.raises(
        TypeError,
        match=r"\(float32\) or of preferred_element_type \(float64\); "
        r"received bias.dtype=int32",
    ):
        jconv.conv(
            x.astype(np.float32),
            k.astype(np.float32),
            bias=np.ones(4, np.int32),
            preferred_element_type=np.float64,
        )
    with pytest.raises(TypeError, match=r"^jconv.conv: `bias` must be an array"):
        jconv.conv(x, k, bias=object())
