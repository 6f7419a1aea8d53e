"""The default JAX configuration: x64 off, standard dtype and rank promotion.

``tests/conftest.py`` turns on float64 and strict promotion for the rest of the
suite; a user gets neither. A fresh interpreter, started from a temporary
directory so that no ``conftest.py`` runs, calls every public entry point
forward and under ``jax.grad`` in float32 and bfloat16, checks the values
against the float64 NumPy oracle (the identities: the gradient of a conv is
the transposed conv of the cotangent and vice versa) and checks that float64
NumPy inputs give float32 results, all with warnings turned into errors.
"""

import os
import pathlib
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import warnings

    warnings.simplefilter("error")  # any warning from here on fails the run

    import jax
    import jax.numpy as jnp
    import ml_dtypes
    import numpy as np

    import jconv
    from compat import tf
    from compat.torch.nn import functional as F
    from jconv import shapes
    from tests import oracle
    from tests.tolerances import assert_close

    assert not jax.config.jax_enable_x64
    assert jax.config.jax_numpy_dtype_promotion == "standard"
    assert jax.config.jax_numpy_rank_promotion == "allow"

    BF16 = np.dtype(ml_dtypes.bfloat16)
    rng = np.random.default_rng(0)
    checked = []


    def close(got, want, dtype):
        assert got.dtype == dtype, (got.dtype, dtype)
        assert_close(np.asarray(got, np.float64), want, dtype, scale="max")


    def grad_of_sum(f, cot, argnum):
        # d/d(arg) of sum(f(...) * cot): the adjoint of f applied to cot.
        return jax.grad(lambda *a: jnp.sum(f(*a) * cot), argnums=argnum)


    # jconv.shapes: the known results of its docstrings and of the calls below.
    assert shapes.conv_output_shape((4, 6), (3, 3), 2, "SAME") == (2, 3)
    assert shapes.transpose_output_shape((2, 2), (3, 3), 2, output_padding=1) == (6, 6)
    assert shapes.transpose_output_shapes((2, 3), (3, 3), 2, "SAME") == (range(3, 5), range(5, 7))
    assert shapes.resolve_padding(5, 3, 2, "SAME") == (1, 1)
    assert shapes.conv_output_size(9, 3, 2, 1, 2) == 4
    checked.append("shapes")

    for dtype in (np.dtype(np.float32), BF16):
        x = rng.uniform(-1, 1, (2, 7, 6, 4)).astype(dtype)
        w = rng.uniform(-1, 1, (3, 3, 2, 6)).astype(dtype)  # groups=2
        x64, w64 = x.astype(np.float64), w.astype(np.float64)
        kw = dict(dilation=(1, 2), groups=2)
        want = oracle.conv(x64, w64, 2, "SAME", (1, 2), 2)
        close(jconv.conv(x, w, 2, "SAME", **kw), want, dtype)
        cot = rng.uniform(-1, 1, want.shape).astype(dtype)
        conv = lambda a, b: jconv.conv(a, b, 2, "SAME", **kw)
        want_gx = oracle.conv_transpose(cot.astype(np.float64), w64, 2, "SAME", (1, 2), 2,
                                        out_size=x.shape[1:-1])
        close(grad_of_sum(conv, cot, 0)(x, w), want_gx, dtype)
        checked.append(f"conv {dtype}")
        y = rng.uniform(-1, 1, (2, 4, 3, 6)).astype(dtype)
        y64 = y.astype(np.float64)
        want_t = oracle.conv_transpose(y64, w64, 2, 1, (1, 2), 2, out_size=(8, 7))
        for algorithm in ("auto", *jconv.ALGORITHMS):
            t = lambda a, b: jconv.conv_transpose(a, b, 2, 1, output_shape=(8, 7),
                                                  algorithm=algorithm, **kw)
            close(t(y, w), want_t, dtype)
            cot_t = rng.uniform(-1, 1, want_t.shape).astype(dtype)
            want_gy = oracle.conv(cot_t.astype(np.float64), w64, 2, 1, (1, 2), 2)
            close(grad_of_sum(t, cot_t, 0)(y, w), want_gy, dtype)
            checked.append(f"conv_transpose {algorithm} {dtype}")

        # compat.tf: NHWC, filters (*k, C_in, C_out) forward and (*k, C_out, C_in) transposed.
        f = w[..., :2, :]  # dense: (3, 3, 2, 6)
        xt = x[..., :2]
        want = oracle.conv(xt.astype(np.float64), f.astype(np.float64), 2, "SAME")
        close(tf.nn.conv2d(xt, f, 2, "SAME"), want, dtype)
        close(grad_of_sum(lambda a: tf.nn.conv2d(a, f, 2, "SAME"), want.astype(dtype), 0)(xt),
              oracle.conv_transpose(want.astype(dtype).astype(np.float64), f.astype(np.float64),
                                    2, "SAME", out_size=xt.shape[1:-1]), dtype)
        g = np.swapaxes(f, 2, 3)  # (3, 3, 6, 2): 2 input channels to 6 output channels
        yt = y[..., :2]
        want = oracle.conv_transpose(yt.astype(np.float64), g.astype(np.float64), 2, "SAME",
                                     out_size=(8, 6))
        close(tf.nn.conv2d_transpose(yt, g, [2, 8, 6, 6], 2, "SAME"), want, dtype)
        y3 = rng.uniform(-1, 1, (1, 2, 3, 2, 2)).astype(dtype)
        g3 = rng.uniform(-1, 1, (2, 2, 2, 3, 2)).astype(dtype)
        want = oracle.conv_transpose(y3.astype(np.float64), g3.astype(np.float64), 2, "VALID",
                                     out_size=(4, 6, 4))
        close(tf.nn.conv3d_transpose(y3, g3, [1, 4, 6, 4, 3], 2, "VALID"), want, dtype)
        checked.append(f"compat.tf {dtype}")

        # compat.torch: NCHW, weight (C_out, C_in // groups, *k) forward and
        # (C_in, C_out // groups, *k) transposed.
        xc = np.moveaxis(x, -1, 1)
        wc = np.transpose(w, (3, 2, 0, 1))
        want = oracle.conv(x64, w64, 2, 1, 1, 2)
        close(F.conv2d(xc, wc, None, 2, 1, 1, 2), np.moveaxis(want, -1, 1), dtype)
        gx = grad_of_sum(lambda a: F.conv2d(a, wc, None, 2, 1, 1, 2),
                         np.moveaxis(want.astype(dtype), -1, 1), 0)(xc)
        want_gx = oracle.conv_transpose(want.astype(dtype).astype(np.float64), w64, 2, 1, 1, 2,
                                        out_size=x.shape[1:-1])
        close(gx, np.moveaxis(want_gx, -1, 1), dtype)
        yc = np.moveaxis(y, -1, 1)
        wt = np.transpose(w, (3, 2, 0, 1))  # (C_in=6, C_out // groups=2, 3, 3)
        want = oracle.conv_transpose(y64, w64, 2, 1, 1, 2, output_padding=(1, 0))
        close(F.conv_transpose2d(yc, wt, None, 2, 1, (1, 0), 2), np.moveaxis(want, -1, 1), dtype)
        checked.append(f"compat.torch {dtype}")

    # float64 NumPy inputs: float32 results (x64 is off), with no warning (see the filter).
    x = rng.standard_normal((1, 5, 5, 2))
    w = rng.standard_normal((3, 3, 2, 3))
    y = rng.standard_normal((1, 3, 3, 3))
    results = [
        jconv.conv(x, w, 2, "SAME"),
        *(jconv.conv_transpose(y, w, 2, "SAME", algorithm=a) for a in ("auto", *jconv.ALGORITHMS)),
        jax.grad(lambda a: jnp.sum(jconv.conv(a, w, 2, "SAME")))(x),
        jax.grad(lambda b: jnp.sum(jconv.conv_transpose(b, w, 2, "SAME")))(y),
        tf.nn.conv2d(x, w, 1, "SAME"),
        tf.nn.conv2d_transpose(y, w, [1, 6, 6, 2], 2, "SAME"),  # w is (*k, out, in)
        F.conv2d(np.moveaxis(x, -1, 1), np.transpose(w, (3, 2, 0, 1))),
        F.conv_transpose2d(np.moveaxis(y, -1, 1), np.transpose(w, (3, 2, 0, 1)), None, 2),
    ]
    assert all(r.dtype == jnp.float32 for r in results), [r.dtype for r in results]
    want = oracle.conv(x.astype(np.float32).astype(np.float64),
                       w.astype(np.float32).astype(np.float64), 2, "SAME")
    close(results[0], want, np.dtype(np.float32))
    checked.append("float64 inputs")
    print("checked", len(checked))
    """
)


def test_default_configuration(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JAX_", "XLA_")) and k != "PYTHONWARNINGS"
    }
    env["JAX_PLATFORMS"] = "cpu"
    env["PYTHONPATH"] = str(ROOT)
    script = tmp_path / "default_config.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # shapes, 2 x (conv, 4 conv_transpose, compat.tf, compat.torch), float64 inputs
    assert result.stdout.split() == ["checked", "16"], result.stdout
