"""Per-argument garbage pools (small values only; huge ints go to the subprocess)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

import jconv

from ._harness import ARRAY_GARBAGE, INT_GARBAGE, TYPE_GARBAGE


def array_variants(a: np.ndarray) -> list:
    """Wrong dtypes, wrong ranks, empty and zero-batch versions of a valid operand."""
    out = list(ARRAY_GARBAGE)
    out += [
        a.astype(bool),
        a.astype(object),
        a.astype(np.int32),
        a.astype(np.float16),
        a.astype(jnp.bfloat16),
        a.astype(np.float64),
        a.astype(np.complex64),
        jnp.asarray(a),
        a.tolist(),
        a[0],
        a[None],
        a.reshape(-1),
        a.reshape(a.shape[0], -1),
        a[:0],
        a[:, :0] if a.ndim > 1 else a[:0],
        a[..., :0],
        a[..., :1],
        np.asfortranarray(a),
        a[::-1],
        a.astype(np.uint8),
        np.full(a.shape, np.nan, np.float32),
        a.astype("datetime64[s]") if a.dtype.kind == "i" else a.astype(str),
    ]
    return out


PADDING = [
    "SAME",
    "same",
    "VALID",
    "valid",
    "SAME_LOWER",
    "CAUSAL",
    "FULL",
    "EXPLICIT",
    1,
    -1,
    2,
    (1, 2),
    [(1, 2), (0, 1)],
    [(1, 2, 3), 0],
    [[1, 1], [1]],
    [(0, 0)],
    [(1, 1)] * 3,
    ((-1, 0), (0, -1)),
    [("a", 1), (0, 0)],
    [(1.0, 1), (0, 0)],
    [(None, 1), (0, 0)],
    np.array([[1, 1], [0, 0]]),
    np.array([1, 1]),
    [[True, 0], [0, 0]],
    ["SAME", "VALID"],
    [[1, 1], [2, 2], [3, 3], [4, 4]],
]
DATA_FORMAT = [
    "NHWC",
    "NCHW",
    "NWC",
    "NCW",
    "NDHWC",
    "NCDHW",
    "channels_last",
    "channels_first",
    "nhwc",
    "HWCN",
    "NHCW",
    "",
    "NHWC ",
    "CHANNELS_LAST",
    1,
    None,
    ["NHWC"],
    b"NHWC",
]
PRECISION = [
    None,
    "default",
    "high",
    "highest",
    "HIGHEST",
    "fastest",
    "foo",
    "",
    lax.Precision.HIGHEST,
    ("highest", "highest"),
    (lax.Precision.HIGH, lax.Precision.DEFAULT),
    ("highest",),
    ("foo", "bar"),
    1,
    2.0,
    True,
    object(),
    ["default", "default"],
    b"highest",
]
ELEMENT_TYPE = [
    None,
    np.float32,
    np.float64,
    "float32",
    "float64",
    jnp.float32,
    np.dtype("float32"),
    "foo",
    "",
    np.int32,
    np.bool_,
    np.float16,
    jnp.bfloat16,
    "complex64",
    1.5,
    1,
    object(),
    [np.float32],
    np.dtype([("a", np.int32)]),
    "object",
    "U8",
]
PADDING_MODE = [
    "zeros",
    "circular",
    "ZEROS",
    "Circular",
    "reflect",
    "replicate",
    "",
    None,
    1,
    ["zeros"],
]
ALGORITHM = [*jconv.ALGORITHMS, "auto", "AUTO", "Phase", "foo", "", None, 1, ["phase"], b"phase"]
OUTPUT_SHAPE = [
    None,
    (7, 8),
    (8, 9),
    [8, 9],
    (9, 10),
    (6, 8),
    np.array([8, 9]),
    jnp.array([8, 9]),
    (7,),
    8,
    (7, 8, 6),
    (2, 7, 8, 6),
    (0, 8),
    (-7, 8),
    (7.0, 8),
    ("7", 8),
    [[7, 8]],
    (np.int64(8), np.int32(9)),
]
OUTPUT_PADDING = [None, 0, 1, (1, 0), (0, 1), 2, (2, 0), -1, (1,), (1, 1, 1), 1.0, (0.5, 0)]


def pool(arg: str, base: dict) -> list:
    if arg in (
        "x",
        "kernel",
        "input",
        "weight",
        "filters",
        "filter",
        "value",
        "bias",
        "out_backprop",
    ):
        return array_variants(np.asarray(base[arg]))
    specific = {
        "padding": PADDING,
        "data_format": DATA_FORMAT,
        "precision": PRECISION,
        "preferred_element_type": ELEMENT_TYPE,
        "padding_mode": PADDING_MODE,
        "algorithm": ALGORITHM,
        "output_shape": OUTPUT_SHAPE,
        "output_padding": OUTPUT_PADDING,
    }.get(arg, [])
    return list(specific) + INT_GARBAGE + TYPE_GARBAGE
