"""padding="CAUSAL" and padding_mode="circular", against definitions written
here from scratch, "reflect" and "replicate" against PyTorch, and the adjoint
identity for each mode."""

import itertools

import jax
import numpy as np
import pytest

import jconv
from tests import oracle


def wrap_scatter_transpose(y, w, stride, pads, dilation, groups, out_size):
    """Circular transposed conv from the definition: the forward circular conv reads
    ``z[(o * s - lo + t * d) mod size]``, so its adjoint adds there, wrapped."""
    n = y.ndim - 2
    cin_g = y.shape[-1] // groups
    cout_g = w.shape[-2]
    out = np.zeros((y.shape[0], *out_size, groups * cout_g))
    for i in itertools.product(*map(range, y.shape[1:-1])):
        for t in itertools.product(*map(range, w.shape[:n])):
            pos = tuple(
                (i[j] * stride[j] - pads[j][0] + t[j] * dilation[j]) % out_size[j] for j in range(n)
            )
            for g in range(groups):
                ci = slice(g * cin_g, (g + 1) * cin_g)
                out[(slice(None), *pos, slice(g * cout_g, (g + 1) * cout_g))] += (
                    y[(slice(None), *i, ci)] @ w[(*t, slice(None), ci)].T
                )
    return out


def random_case(rng, ndim):
    size = tuple(int(v) for v in rng.integers(1, 7, ndim))
    window = tuple(int(v) for v in rng.integers(1, 5, ndim))
    stride = tuple(int(v) for v in rng.integers(1, 4, ndim))
    dilation = tuple(int(v) for v in rng.integers(1, 3, ndim))
    groups = int(rng.choice([1, 2]))
    padding = [
        "SAME",
        "VALID",
        int(rng.integers(0, 4)),
        [(int(rng.integers(0, 5)), int(rng.integers(0, 5))) for _ in range(ndim)],
    ][int(rng.integers(4))]
    return size, window, stride, dilation, groups, padding


def cases(count, seed):
    rng = np.random.default_rng(seed)
    found = []
    while len(found) < count:
        ndim = int(rng.integers(1, 4))
        size, window, stride, dilation, groups, padding = random_case(rng, ndim)
        pads = oracle.resolve_pads(padding, size, window, stride, dilation)
        out = oracle.conv_output_sizes(size, window, stride, pads, dilation)
        if all(o is not None and o >= 1 for o in out):
            found.append((size, window, stride, dilation, groups, padding, pads, tuple(out)))
    return found


CIRCULAR = cases(40, seed=7)


@pytest.mark.parametrize("index", range(len(CIRCULAR)))
@pytest.mark.parametrize("channels_first", [False, True])
def test_circular_conv_and_its_adjoint(index, channels_first):
    size, window, stride, dilation, groups, padding, pads, out = CIRCULAR[index]
    rng = np.random.default_rng(index)
    z = rng.standard_normal((2, *size, 2 * groups))
    w = rng.standard_normal((*window, 2, 3 * groups))
    y = rng.standard_normal((2, *out, 3 * groups))
    wrapped = np.pad(z, [(0, 0), *pads, (0, 0)], mode="wrap")
    want_conv = oracle.conv(wrapped, w, stride, "VALID", dilation, groups)
    want_t = wrap_scatter_transpose(y, w, stride, pads, dilation, groups, size)
    fmt = "channels_first" if channels_first else None
    move = oracle.to_channels_first if channels_first else np.asarray
    back = oracle.to_channels_last if channels_first else np.asarray
    kw = dict(dilation=dilation, groups=groups, padding_mode="circular", data_format=fmt)
    got_conv = back(jconv.conv(move(z), w, stride, padding, **kw))
    oracle.assert_close(got_conv, want_conv)
    for algorithm in jconv.ALGORITHMS:
        got_t = jconv.conv_transpose(
            move(y), w, stride, padding, output_shape=size, algorithm=algorithm, **kw
        )
        oracle.assert_close(back(got_t), want_t, err_msg=algorithm)
    # The adjoint identity, in float64.
    lhs = np.vdot(want_conv, y)
    rhs = np.vdot(z, back(got_t))
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs))


def test_circular_transpose_is_the_vjp_of_circular_conv():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((1, 5, 4, 2))
    w = rng.standard_normal((3, 2, 2, 3))
    kw = dict(padding_mode="circular", dilation=(2, 1))
    y, vjp = jax.vjp(lambda a: jconv.conv(a, w, 2, "SAME", **kw), z)
    ct = rng.standard_normal(y.shape)
    got = jconv.conv_transpose(ct, w, 2, "SAME", output_shape=(5, 4), **kw)
    oracle.assert_close(got, vjp(ct)[0])


def test_circular_wraps_more_than_once():
    # Padding wider than the input wraps around repeatedly, in both directions.
    z = np.arange(3.0).reshape(1, 3, 1)
    w = np.ones((1, 1, 1))
    got = jconv.conv(z, w, 1, [(4, 2)], padding_mode="circular")[0, :, 0]
    np.testing.assert_array_equal(got, [2, 0, 1, 2, 0, 1, 2, 0, 1])
    back = jconv.conv_transpose(got[None, :, None], w, 1, [(4, 2)], padding_mode="circular")
    np.testing.assert_array_equal(back[0, :, 0], [0, 3, 6])  # each cell was copied 3 times


@pytest.mark.parametrize(
    "size, k, s, d", [(6, 3, 1, 1), (7, 2, 2, 1), (5, 3, 1, 2), (9, 4, 3, 2), (1, 5, 1, 1)]
)
def test_causal_matches_explicit_left_padding(size, k, s, d):
    rng = np.random.default_rng(size * k)
    z = rng.standard_normal((2, size, 3))
    w = rng.standard_normal((k, 3, 2))
    pads = [(d * (k - 1), 0)]
    want = oracle.conv(z, w, s, pads, d)
    got = jconv.conv(z, w, s, "causal", dilation=d)
    oracle.assert_close(got, want)
    assert got.shape[1] == -(-size // s)  # Keras: causal keeps ceil(size / stride)
    # Output t depends only on inputs up to t * s: zeroing the future leaves it alone.
    cut = size // 2
    z_future_zeroed = z.copy()
    z_future_zeroed[:, cut + 1 :] = 0
    keep = cut // s + 1 if cut % s == 0 else -(-cut // s)
    oracle.assert_close(
        jconv.conv(z_future_zeroed, w, s, "CAUSAL", dilation=d)[:, :keep], got[:, :keep]
    )
    # The transpose: default size, every accepted size, adjoint identity.
    y = rng.standard_normal(got.shape)
    sizes = jconv.shapes.transpose_output_sizes(got.shape[1], k, s, "CAUSAL", d)
    assert (
        size in sizes
        and jconv.conv_transpose(y, w, s, "CAUSAL", dilation=d).shape[1] == (sizes[-1])
    )
    for o in sizes:
        want_t = oracle.conv_transpose(y, w, s, pads, d, out_size=(o,))
        got_t = jconv.conv_transpose(y, w, s, "CAUSAL", dilation=d, output_shape=o)
        oracle.assert_close(got_t, want_t)
    got_t = jconv.conv_transpose(y, w, s, "CAUSAL", dilation=d, output_shape=size)
    assert abs(np.vdot(got, y) - np.vdot(z, got_t)) <= 1e-10 * max(1, abs(np.vdot(got, y)))


def test_padding_mode_errors():
    x = np.ones((1, 5, 2))
    w = np.ones((3, 2, 2))
    with pytest.raises(
        ValueError,
        match=r"^jconv.conv: `padding_mode` must be one of 'zeros', 'circular', 'reflect', "
        r"'replicate'; received padding_mode='symmetric'",
    ):
        jconv.conv(x, w, padding_mode="symmetric")
    for mode in ("reflect", "replicate"):
        with pytest.raises(ValueError, match=rf"padding_mode='{mode}' needs non-negative padding"):
            jconv.conv(x, w, 1, [(-1, 1)], padding_mode=mode)
    with pytest.raises(
        ValueError,
        match=r"^jconv.conv: padding_mode='reflect' needs each side's padding smaller than the "
        r"size it mirrors \(as PyTorch\); the padding resolves to \[\(5, 0\)\] for sizes \(5,\)",
    ):
        jconv.conv(x, w, 1, [(5, 0)], padding_mode="reflect")
    with pytest.raises(
        ValueError, match=r"^jconv.conv_transpose: padding_mode='reflect' needs each"
    ):
        jconv.conv_transpose(x, w, 1, [(0, 5)], padding_mode="reflect", output_shape=2)
    with pytest.raises(ValueError, match=r"pads by copying cells, and a spatial size is 0"):
        jconv.conv(np.ones((1, 0, 2)), w, 1, 2, padding_mode="replicate")
    with pytest.raises(ValueError, match=r"^jconv.conv_transpose: `padding_mode` must be"):
        jconv.conv_transpose(x, w, padding_mode=None)
    with pytest.raises(
        ValueError,
        match=r"padding_mode='circular' needs non-negative padding; "
        r"the padding resolves to \[\(-1, 1\)\]",
    ):
        jconv.conv(x, w, 1, [(-1, 1)], padding_mode="circular")
    with pytest.raises(ValueError, match=r"^jconv.conv_transpose: padding_mode='circular' needs"):
        jconv.conv_transpose(x, w, 1, [(0, -1)], padding_mode="circular")
    with pytest.raises(ValueError, match=r"padding='CAUSAL' is for 1-D inputs .* has 2 spatial"):
        jconv.conv(np.ones((1, 5, 5, 2)), np.ones((3, 3, 2, 2)), 1, "CAUSAL")
    with pytest.raises(ValueError, match=r"`output_padding` cannot be used with CAUSAL padding"):
        jconv.conv_transpose(x, w, 2, "CAUSAL", output_padding=1)


def _torch_copy_padded(z, w, stride, pads, dilation, groups, mode, y):
    """PyTorch: F.pad(mode) then a VALID conv, and its input gradient for cotangent ``y``."""
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    F = torch.nn.functional
    n = z.ndim - 2
    zt = torch.tensor(oracle.to_channels_first(z), requires_grad=True)
    wt = torch.tensor(jconv.layouts.to_torch_conv(w))
    flat = [v for lo_hi in reversed(pads) for v in lo_hi]  # F.pad: last dimension first
    conv = getattr(F, f"conv{n}d")
    out = conv(F.pad(zt, flat, mode=mode), wt, stride=stride, dilation=dilation, groups=groups)
    out.backward(torch.tensor(oracle.to_channels_first(y)))
    return (
        oracle.to_channels_last(out.detach().numpy()),
        oracle.to_channels_last(zt.grad.numpy()),
    )


COPYING = [c for c in cases(60, seed=11) if all(max(p) < i for p, i in zip(c[6], c[0]))][:24]


@pytest.mark.parametrize("index", range(len(COPYING)))
@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_reflect_and_replicate_match_pytorch_and_are_adjoint(index, mode):
    size, window, stride, dilation, groups, padding, pads, out = COPYING[index]
    rng = np.random.default_rng(index)
    z = rng.standard_normal((2, *size, 2 * groups))
    w = rng.standard_normal((*window, 2, 3 * groups))
    y = rng.standard_normal((2, *out, 3 * groups))
    want_conv, want_t = _torch_copy_padded(z, w, stride, pads, dilation, groups, mode, y)
    kw = dict(dilation=dilation, groups=groups, padding_mode=mode)
    oracle.assert_close(jconv.conv(z, w, stride, padding, **kw), want_conv)
    for algorithm in jconv.ALGORITHMS:
        got_t = jconv.conv_transpose(
            y, w, stride, padding, output_shape=size, algorithm=algorithm, **kw
        )
        oracle.assert_close(got_t, want_t, err_msg=algorithm)
    lhs, rhs = np.vdot(want_conv, y), np.vdot(z, got_t)
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs))


def test_copying_modes_channels_first_and_gradients():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((1, 2, 6, 5))
    w = rng.standard_normal((3, 2, 2, 4))
    for mode in ("reflect", "replicate"):
        kw = dict(padding_mode=mode, data_format="channels_first")
        got = jconv.conv(z, w, (2, 1), "SAME", **kw)
        want = jconv.conv(oracle.to_channels_last(z), w, (2, 1), "SAME", padding_mode=mode)
        oracle.assert_close(got, oracle.to_channels_first(want))
        # The transpose is the VJP of the conv (JAX differentiates jnp.pad independently).
        y, vjp = jax.vjp(lambda a, kw=kw: jconv.conv(a, w, (2, 1), "SAME", **kw), z)
        ct = rng.standard_normal(y.shape)
        t = jconv.conv_transpose(ct, w, (2, 1), "SAME", output_shape=(6, 5), **kw)
        oracle.assert_close(t, vjp(ct)[0])
