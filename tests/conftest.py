"""Test configuration: strict JAX numerics so that sloppy broadcasting or dtype
promotion inside jconv fails loudly, and float64 for the oracle comparisons."""

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_numpy_rank_promotion", "raise")
jax.config.update("jax_numpy_dtype_promotion", "strict")
