"""Inputs sharded over the batch axis on 4 simulated CPU devices give the same
results as the unsharded call (run in a subprocess: the device count must be set
before JAX starts)."""

import os
import pathlib
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import jax, numpy as np
    jax.config.update("jax_enable_x64", True)
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    import jconv
    assert len(jax.devices()) == 4, jax.devices()
    mesh = Mesh(np.array(jax.devices()), ("data",))
    rng = np.random.default_rng(0)
    checked = 0

    def close(got, want, dtype):
        # Grouped convolutions run one convolution per group on CPU; XLA's kernel
        # for a device's smaller batch may sum in another order (last-bit rounding).
        scale = np.abs(want).max() * (1e-6 if dtype == np.float32 else 1e-13)
        np.testing.assert_allclose(got, want, rtol=0, atol=scale)

    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((8, 9, 7, 6)).astype(dtype)
        w = rng.standard_normal((3, 4, 3, 6)).astype(dtype)
        xs = jax.device_put(x, NamedSharding(mesh, P("data")))
        kw = dict(dilation=(1, 2), groups=2)
        conv = jax.jit(lambda a, b: jconv.conv(a, b, 2, "SAME", **kw))
        want, got = conv(x, w), conv(xs, w)
        assert got.sharding.spec == P("data"), got.sharding
        close(np.asarray(got), np.asarray(want), dtype)
        checked += 1
        y = rng.standard_normal((8, 5, 4, 6)).astype(dtype)
        ys = jax.device_put(y, NamedSharding(mesh, P("data")))
        for algorithm in ("auto", *jconv.ALGORITHMS):
            t = jax.jit(lambda a, b: jconv.conv_transpose(
                a, b, 2, "SAME", output_shape=(9, 7), algorithm=algorithm, **kw))
            want, got = t(y, w), t(ys, w)
            close(np.asarray(got), np.asarray(want), dtype)
            g = jax.jit(jax.grad(lambda b, a: (t(a, b) ** 2).sum()))
            # The kernel gradient sums over the batch: sharded, XLA adds per-device
            # partial sums, so float32 rounding differs (relative to the largest entry).
            want = np.asarray(g(w, y))
            scale = np.abs(want).max() * (1e-5 if dtype == np.float32 else 1e-12)
            np.testing.assert_allclose(np.asarray(g(w, ys)), want, rtol=0, atol=scale)
            checked += 1
    print("checked", checked)
    """
)


def run(code, *args):
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
    env["JAX_PLATFORMS"] = "cpu"
    return subprocess.run(
        [sys.executable, *args, *(["-c", code] if code else [])],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=ROOT,
    )


def test_sharded_batch_equals_unsharded():
    result = run(SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "checked" in result.stdout and int(result.stdout.split()[-1]) >= 4


def test_data_parallel_example_trains_on_four_devices():
    result = run(None, str(ROOT / "examples" / "data_parallel.py"))
    assert result.returncode == 0, result.stderr
    assert "4 device(s); batch sharded as P('data',)" in result.stdout
