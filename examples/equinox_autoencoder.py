"""A small conv -> transposed-conv autoencoder in Equinox with jconv's layers.

Equinox layers take one example ``(C, H, W)``; the model is ``jax.vmap``-ed
over the batch. The decoder's ``jconv.equinox.ConvTranspose`` layers mirror the
encoder's ``Conv`` layers (same kernel size, stride, padding; channels swapped),
with ``output_padding=1`` picking the even output sizes. Trained with optax
under ``eqx.filter_jit`` on synthetic blob images.

Run: python examples/equinox_autoencoder.py   (needs the extra: pip install 'jconv[equinox]')
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from jconv.equinox import Conv, ConvTranspose


def blobs(n: int, size: int = 16, seed: int = 0) -> np.ndarray:
    """``(n, 1, size, size)`` images of two Gaussian blobs each, at random places."""
    rng = np.random.default_rng(seed)
    grid = np.arange(size, dtype=np.float32)
    centres = rng.uniform(2, size - 2, (n, 2, 2)).astype(np.float32)
    dy = (grid[None, None, :] - centres[..., 0, None]) ** 2  # (n, blob, y)
    dx = (grid[None, None, :] - centres[..., 1, None]) ** 2  # (n, blob, x)
    images = np.exp(-(dy[..., :, None] + dx[..., None, :]) / 4).sum(axis=1)
    return images[:, None].astype(np.float32)


class AutoEncoder(eqx.Module):
    layers: tuple[Conv | ConvTranspose, ...]

    def __init__(self, key: jax.Array):
        keys = jax.random.split(key, 4)
        down = dict(kernel_size=(3, 3), stride=2, padding=1)
        self.layers = (
            Conv(1, 8, **down, key=keys[0]),  # 16 -> 8
            Conv(8, 16, **down, key=keys[1]),  # 8 -> 4
            ConvTranspose(16, 8, **down, output_padding=1, key=keys[2]),  # 4 -> 8
            ConvTranspose(8, 1, **down, output_padding=1, key=keys[3]),  # 8 -> 16
        )

    def __call__(self, x: jax.Array) -> jax.Array:
        for layer in self.layers[:-1]:
            x = jax.nn.relu(layer(x))
        return self.layers[-1](x)


def main() -> None:
    images = jnp.asarray(blobs(64))
    model = AutoEncoder(jax.random.key(0))
    optimizer = optax.adam(1e-2)
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))

    @eqx.filter_jit
    def train_step(model, opt_state, images):
        def loss_fn(model):
            return jnp.mean((jax.vmap(model)(images) - images) ** 2)

        loss, grads = eqx.filter_value_and_grad(loss_fn)(model)
        updates, opt_state = optimizer.update(grads, opt_state, eqx.filter(model, eqx.is_array))
        return eqx.apply_updates(model, updates), opt_state, loss

    print("kernels:", [layer.kernel.shape for layer in model.layers])
    losses = []
    for _ in range(150):
        model, opt_state, loss = train_step(model, opt_state, images)
        losses.append(float(loss))
    print(f"first loss {losses[0]:.5f}, last loss {losses[-1]:.5f}")
    assert losses[-1] < 0.5 * losses[0], "the loss did not drop"


if __name__ == "__main__":
    main()
