"""Data-parallel training of a small conv / transposed-conv autoencoder with jconv.

The batch is sharded over every device (`jax.sharding.NamedSharding`), the
parameters are replicated, and `jax.jit` inserts the gradient all-reduce.
On a CPU-only machine, simulate several devices with:

    XLA_FLAGS=--xla_force_host_platform_device_count=4 python examples/data_parallel.py
"""

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

import jconv


def init(key):
    k1, k2 = jax.random.split(key)
    return {
        # One kernel per layer, in jconv's layout (*window, C_in // groups, C_out).
        "down": 0.3 * jax.random.normal(k1, (4, 4, 1, 8)),
        "up": 0.3 * jax.random.normal(k2, (4, 4, 1, 8)),  # the transpose's forward-conv kernel
    }


def model(params, images):
    code = jax.nn.relu(jconv.conv(images, params["down"], stride=2, padding="SAME"))
    return jconv.conv_transpose(code, params["up"], stride=2, padding="SAME")


def loss(params, images):
    return jnp.mean((model(params, images) - images) ** 2)


@jax.jit
def step(params, images):
    value, grads = jax.value_and_grad(loss)(params, images)
    return jax.tree.map(lambda p, g: p - 0.5 * g, params, grads), value


def main() -> None:
    devices = np.array(jax.devices())
    mesh = Mesh(devices, ("data",))
    batch = 8 * len(devices)
    rng = np.random.default_rng(0)
    images = rng.random((batch, 16, 16, 1), np.float32)
    images = jax.device_put(images, NamedSharding(mesh, P("data")))  # split the batch
    params = jax.device_put(init(jax.random.key(0)), NamedSharding(mesh, P()))  # replicate
    first = None
    for i in range(30):
        params, value = step(params, images)
        first = float(value) if first is None else first
        if i % 10 == 0:
            print(f"step {i:2d}  loss {float(value):.4f}")
    print(
        f"{len(devices)} device(s); batch sharded as {images.sharding.spec}; "
        f"loss {first:.4f} -> {float(value):.4f}"
    )
    assert float(value) < first


if __name__ == "__main__":
    main()
