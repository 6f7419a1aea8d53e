"""One registry of every public convolution entry point with example arguments.

Each entry is ``(name, fn, x_shape, kernel_shape)`` where ``fn(x, kernel)`` closes
over the static arguments. Shapes are tiny so that second-order gradient checks
stay fast. Used by tests/core/test_registry.py for every JAX transformation.
"""

from __future__ import annotations

import functools

import jconv
from compat import tf, torch

F = torch.nn.functional


def _transpose_entries():
    for algorithm in ("auto", *jconv.ALGORITHMS):
        yield (
            f"jconv.conv_transpose[{algorithm}]",
            functools.partial(
                jconv.conv_transpose,
                stride=(2, 3),
                padding="SAME",
                dilation=(1, 2),
                groups=2,
                output_shape=(5, 7),
                algorithm=algorithm,
            ),
            (2, 3, 3, 4),
            (3, 2, 1, 4),
        )
        yield (
            f"jconv.conv_transpose[{algorithm}, circular, channels_first]",
            functools.partial(
                jconv.conv_transpose,
                stride=2,
                padding=1,
                padding_mode="circular",
                output_padding=1,
                data_format="channels_first",
                algorithm=algorithm,
            ),
            (1, 3, 3, 2),
            (3, 3, 2, 3),
        )
        yield (
            f"jconv.conv_transpose[{algorithm}, 1-D causal]",
            functools.partial(
                jconv.conv_transpose, stride=3, padding="CAUSAL", dilation=2, algorithm=algorithm
            ),
            (2, 4, 3),
            (3, 2, 3),
        )
        yield (
            f"jconv.conv_transpose[{algorithm}, 3-D]",
            functools.partial(
                jconv.conv_transpose,
                stride=(2, 1, 2),
                padding=[(1, 0), (0, 1), (1, 1)],
                algorithm=algorithm,
            ),
            (1, 2, 3, 2, 2),
            (2, 2, 3, 2, 2),
        )


def entries():
    """Every registered entry, in a stable order."""
    p = functools.partial
    return [
        (
            "jconv.conv",
            p(jconv.conv, stride=2, padding="SAME", dilation=(2, 1), groups=2),
            (2, 6, 5, 4),
            (3, 2, 2, 4),
        ),
        (
            "jconv.conv[circular, channels_first]",
            p(
                jconv.conv,
                stride=(1, 2),
                padding=(2, 1),
                padding_mode="circular",
                data_format="NCHW",
            ),
            (1, 2, 5, 4),
            (3, 3, 2, 3),
        ),
        (
            "jconv.conv[1-D causal]",
            p(jconv.conv, padding="causal", dilation=2),
            (2, 7, 3),
            (3, 3, 2),
        ),
        *_transpose_entries(),
        ("tf.nn.conv1d", p(tf.nn.conv1d, stride=2, padding="SAME"), (1, 7, 2), (3, 2, 3)),
        (
            "tf.nn.conv2d",
            p(tf.nn.conv2d, strides=[1, 2, 1, 1], padding=[[0, 0], [1, 0], [0, 1], [0, 0]]),
            (1, 5, 4, 2),
            (2, 3, 2, 3),
        ),
        (
            "tf.nn.conv3d",
            p(tf.nn.conv3d, strides=[1, 1, 2, 1, 1], padding="VALID"),
            (1, 3, 4, 3, 2),
            (2, 2, 2, 2, 2),
        ),
        (
            "tf.nn.convolution",
            p(tf.nn.convolution, padding="SAME", dilations=2),
            (1, 6, 5, 2),
            (3, 2, 2, 2),
        ),
        (
            "tf.nn.atrous_conv2d",
            p(tf.nn.atrous_conv2d, rate=2, padding="VALID"),
            (1, 6, 6, 2),
            (2, 2, 2, 3),
        ),
        (
            "tf.nn.depthwise_conv2d",
            p(tf.nn.depthwise_conv2d, strides=[1, 2, 2, 1], padding="SAME"),
            (1, 5, 5, 2),
            (3, 3, 2, 2),
        ),
        (
            "tf.nn.conv1d_transpose",
            p(tf.nn.conv1d_transpose, output_shape=[1, 8, 2], strides=2, padding="SAME"),
            (1, 4, 3),
            (3, 2, 3),
        ),
        (
            "tf.nn.conv2d_transpose",
            p(
                tf.nn.conv2d_transpose,
                output_shape=[1, 6, 6, 2],
                strides=[1, 2, 2, 1],
                padding="VALID",
            ),
            (1, 2, 2, 3),
            (3, 3, 2, 3),
        ),
        (
            "tf.nn.conv3d_transpose",
            p(
                tf.nn.conv3d_transpose,
                output_shape=[1, 4, 3, 4, 2],
                strides=(2, 1, 2),
                padding="SAME",
            ),
            (1, 2, 3, 2, 3),
            (2, 2, 2, 2, 3),
        ),
        (
            "tf.nn.conv_transpose",
            p(tf.nn.conv_transpose, output_shape=[1, 5, 2], strides=2, padding="VALID"),
            (1, 2, 3),
            (3, 2, 3),
        ),
        (
            "tf.nn.atrous_conv2d_transpose",
            p(tf.nn.atrous_conv2d_transpose, output_shape=[1, 4, 4, 2], rate=2, padding="SAME"),
            (1, 4, 4, 3),
            (2, 2, 2, 3),
        ),
        (
            "tf.compat.v1.nn.conv2d_transpose",
            p(
                tf.compat.v1.nn.conv2d_transpose,
                output_shape=[1, 5, 5, 2],
                strides=[1, 2, 2, 1],
                padding="SAME",
            ),
            (1, 3, 3, 3),
            (2, 2, 2, 3),
        ),
        ("torch conv1d", p(F.conv1d, stride=2, padding=1, groups=2), (1, 4, 7), (2, 2, 3)),
        ("torch conv2d", p(F.conv2d, padding="same", dilation=(1, 2)), (1, 2, 5, 5), (3, 2, 3, 2)),
        ("torch conv3d", p(F.conv3d, stride=(1, 2, 1)), (1, 2, 3, 4, 3), (2, 2, 2, 2, 2)),
        (
            "torch conv_transpose1d",
            p(F.conv_transpose1d, stride=3, padding=1, output_padding=2),
            (1, 2, 3),
            (2, 3, 4),
        ),
        (
            "torch conv_transpose2d",
            p(F.conv_transpose2d, stride=2, padding=1, output_padding=1, groups=2, dilation=2),
            (1, 4, 3, 2),
            (4, 1, 2, 3),
        ),
        (
            "torch conv_transpose3d",
            p(F.conv_transpose3d, stride=(2, 1, 1)),
            (1, 2, 2, 2, 2),
            (2, 2, 2, 1, 2),
        ),
    ]
