"""A small conv -> transposed-conv autoencoder in Flax NNX with jconv's layers.

The encoder halves the resolution twice with ``jconv.flax.Conv`` (stride 2,
"SAME"); the decoder doubles it back with ``jconv.flax.ConvTranspose``, the last
one initialized as a bilinear upsampler (``jconv.init.bilinear_upsample``).
Trained with optax under ``nnx.jit`` on synthetic blob images.

Run: python examples/flax_autoencoder.py   (needs the extra: pip install 'jconv[flax]')
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

import jconv
from jconv.flax import Conv, ConvTranspose


def blobs(n: int, size: int = 16, seed: int = 0) -> np.ndarray:
    """``(n, size, size, 1)`` images of two Gaussian blobs each, at random places."""
    rng = np.random.default_rng(seed)
    grid = np.arange(size, dtype=np.float32)
    centres = rng.uniform(2, size - 2, (n, 2, 2)).astype(np.float32)
    dy = (grid[None, None, :] - centres[..., 0, None]) ** 2  # (n, blob, y)
    dx = (grid[None, None, :] - centres[..., 1, None]) ** 2  # (n, blob, x)
    images = np.exp(-(dy[..., :, None] + dx[..., None, :]) / 4).sum(axis=1)
    return images[..., None].astype(np.float32)


def bilinear(key: jax.Array, shape: tuple[int, ...], dtype: jnp.dtype) -> jax.Array:
    """A ``kernel_init``: every input channel upsampled bilinearly, averaged."""
    del key
    return jnp.broadcast_to(jconv.init.bilinear_upsample(2, 1, dtype=dtype), shape) / shape[-1]


class AutoEncoder(nnx.Module):
    def __init__(self, rngs: nnx.Rngs):
        self.down1 = Conv(1, 8, (3, 3), stride=2, rngs=rngs)  # 16 -> 8
        self.down2 = Conv(8, 16, (3, 3), stride=2, rngs=rngs)  # 8 -> 4
        self.up1 = ConvTranspose(16, 8, (4, 4), stride=2, padding=1, rngs=rngs)  # 4 -> 8
        # 8 -> 16, starting as the channels' mean upsampled bilinearly: kernel (4, 4, 1, 8).
        self.up2 = ConvTranspose(8, 1, (4, 4), stride=2, padding=1, kernel_init=bilinear, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        code = jax.nn.relu(self.down2(jax.nn.relu(self.down1(x))))
        return self.up2(jax.nn.relu(self.up1(code)))


@nnx.jit
def train_step(model: AutoEncoder, optimizer: nnx.Optimizer, images: jax.Array) -> jax.Array:
    def loss_fn(model):
        return jnp.mean((model(images) - images) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


def main() -> None:
    images = jnp.asarray(blobs(64))
    model = AutoEncoder(nnx.Rngs(0))
    optimizer = nnx.Optimizer(model, optax.adam(1e-2), wrt=nnx.Param)
    print("kernels:", {name: getattr(model, name).kernel.shape for name in ("down1", "up2")})
    losses = [float(train_step(model, optimizer, images)) for _ in range(150)]
    print(f"first loss {losses[0]:.5f}, last loss {losses[-1]:.5f}")
    assert losses[-1] < 0.5 * losses[0], "the loss did not drop"


if __name__ == "__main__":
    main()
