"""jconv inside ``jax.shard_map`` over 4 simulated CPU devices.

The phase primitive's abstract evaluation must keep what JAX tracks on avals
(weak type, sharding, the manual axes a value varies over), and its linear
transposes must produce cotangents that vary like the primal's, or
``shard_map`` rejects the gradient. Each case compares the sharded forward pass
and both gradients with the unsharded run; a replicated kernel's gradient is
the sum over devices (JAX inserts the ``psum`` from the cast in ``_bind``).
"""

import json

import pytest

import jconv
from tests.core.test_sharding import run

SCRIPT = """
import functools, json
import jax, jax.numpy as jnp, numpy as np
from jax.sharding import NamedSharding, PartitionSpec as P
import jconv
mesh = jax.make_mesh((4,), ("b",))
rng = np.random.default_rng(0)
LAYERS = {
    "nhwc": ((8, 6, 5, 3), (3, 3, 2, 3), dict(stride=2, padding="SAME")),
    "depthwise": ((8, 7, 4), (3, 1, 4), dict(stride=2, groups=4)),
    "ncdhw": ((4, 2, 4, 3, 3), (2, 3, 2, 3, 2), dict(stride=(2, 1, 2), padding=1,
              data_format="channels_first")),
}
out = {}
for layer, (xs, ws, kw) in LAYERS.items():
    x0 = rng.standard_normal(xs).astype(np.float32)
    k0 = rng.standard_normal(ws).astype(np.float32)
    x = jax.device_put(x0, NamedSharding(mesh, P("b")))
    k = jax.device_put(k0, NamedSharding(mesh, P()))
    for a in (*jconv.ALGORITHMS, "auto"):
        f = functools.partial(jconv.conv_transpose, algorithm=a, **kw)
        sm = jax.shard_map(f, mesh=mesh, in_specs=(P("b"), P()), out_specs=P("b"))
        loss = lambda x, k, g: jnp.sum(g(x, k) ** 2)
        got = [jax.jit(sm)(x, k), *jax.jit(jax.grad(lambda x, k: loss(x, k, sm), (0, 1)))(x, k)]
        want = [f(x0, k0), *jax.grad(lambda x, k: loss(x, k, f), (0, 1))(x0, k0)]
        errs = [float(np.abs(np.asarray(g) - np.asarray(w)).max() / np.abs(np.asarray(w)).max())
                for g, w in zip(got, want)]
        weak = jax.eval_shape(lambda: jax.shard_map(
            lambda v: f(v, 1.0 * jnp.ones(ws, jnp.float32)), mesh=mesh, in_specs=P("b"),
            out_specs=P("b"))(x)).weak_type
        out[f"{layer}-{a}"] = dict(errors=errs, shape=list(got[0].shape),
                                   want_shape=list(want[0].shape), weak=bool(weak))
print("RESULT " + json.dumps(out))
"""

CASES = [
    f"{layer}-{a}" for layer in ("nhwc", "depthwise", "ncdhw") for a in (*jconv.ALGORITHMS, "auto")
]


@pytest.fixture(scope="module")
def results() -> dict:
    proc = run(SCRIPT)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-4000:]
    return json.loads(lines[-1][len("RESULT ") :])


@pytest.mark.parametrize("case", CASES)
def test_shard_map_equals_unsharded(results, case):
    r = results[case]
    assert r["shape"] == r["want_shape"]
    forward, grad_x, grad_kernel = r["errors"]
    assert forward < 1e-6, r
    assert grad_x < 1e-6, r
    assert grad_kernel < 1e-5, r  # a sum over 4 devices, in a different order
    assert r["weak"] is False  # float32 operands give a strongly typed result
