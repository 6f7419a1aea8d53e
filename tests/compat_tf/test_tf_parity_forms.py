"""Live parity with TensorFlow for chosen argument forms, rejections and edge cases.

Where ``test_tf_parity`` samples configurations, this file lists the cases one
by one: every semantic rejection TensorFlow makes (its shape-function
and kernel checks), the dtype conversion rules, the v1 argument names and aliases, empty
outputs, extra batch dimensions, and the tutorial's calls. Each must
get the same accept/reject decision and, when accepted, the same values.
"""

from __future__ import annotations

import functools
import inspect
import os

import jax.numpy as jnp
import numpy as np
import pytest

from compat import tf as ctf

os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # see test_tf_parity
pytest.importorskip("tensorflow", reason="needs tensorflow-cpu (pip install -e .[test])")
from tests.compat_tf.test_tf_parity import Case, T, check, tf

F32, F64 = np.float32, np.float64


def ones(*shape: int, dtype=F32) -> np.ndarray:
    return np.ones(shape, dtype)


def ramp(*shape: int, dtype=F32) -> np.ndarray:
    return (np.arange(int(np.prod(shape))) % 7 - 3).reshape(shape).astype(dtype)


def c(fn: str, *args, **kwargs) -> Case:
    return Case(fn, args, kwargs)


X4, F4 = ramp(1, 5, 5, 2), ramp(3, 3, 2, 4)  # conv2d input / filter
Y4, G4 = ramp(1, 3, 3, 4), ramp(3, 3, 2, 4)  # conv2d_transpose input / filter (out=2, in=4)

CONV2D = [
    c("nn.conv2d", X4, F4, 1, "SAME"),
    c("nn.conv2d", X4, F4, [2], "VALID"),
    c("nn.conv2d", X4, F4, (1, 2), "SAME", dilations=(2, 1)),
    c("nn.conv2d", X4, F4, np.array([1, 2, 2, 1]), "SAME"),
    c("nn.conv2d", X4, F4, [1, 2, 2, 1], "SAME", dilations=[1, 2, 2, 1]),
    c("nn.conv2d", X4, F4, 2.0, "SAME"),  # floats truncated, as TF's attr converter does
    c("nn.conv2d", X4, F4, [1.5, 1.5], "SAME"),
    c("nn.conv2d", X4, F4, [1, 1, 1], "SAME"),  # length 3
    c("nn.conv2d", X4, F4, [2, 1, 1, 1], "SAME"),  # batch stride
    c("nn.conv2d", X4, F4, [1, 1, 1, 2], "SAME"),  # channel stride
    c("nn.conv2d", X4, F4, 0, "SAME"),
    c("nn.conv2d", X4, F4, -1, "SAME"),
    c("nn.conv2d", X4, F4, 1, "SAME", dilations=0),
    c("nn.conv2d", X4, F4, 1, "SAME", dilations=[2, 1, 1, 1]),
    c("nn.conv2d", X4, F4, 1, "SAME", dilations=[1, 2, 2, 1, 1]),
    c("nn.conv2d", X4, F4, 1, "same"),
    c("nn.conv2d", X4, F4, 1, "FULL"),
    c("nn.conv2d", X4, F4, 1, None),
    c("nn.conv2d", X4, F4, 1, 1),
    c("nn.conv2d", X4, F4, 1, "EXPLICIT"),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [1, 1], [2, 0], [0, 0]]),
    c("nn.conv2d", X4, F4, 2, ((0, 0), (1, 2), (0, 1), (0, 0))),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [1, 1], [2, 0]]),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [1, 1], [2, 0], [0, 0], [0, 0]]),
    c("nn.conv2d", X4, F4, 1, [0, 0, 0, 0]),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [1], [2, 0], [0, 0]]),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [1, 1, 1], [2, 0], [0, 0]]),
    c("nn.conv2d", X4, F4, 1, [[1, 0], [1, 1], [2, 0], [0, 0]]),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [1, 1], [2, 0], [0, 1]]),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [-1, 1], [2, 0], [0, 0]]),
    c("nn.conv2d", ramp(1, 2, 5, 5), F4, 1, [[0, 0], [0, 0], [1, 1], [2, 0]], data_format="NCHW"),
    c("nn.conv2d", X4, F4, 1, "SAME", data_format="NWC"),
    c("nn.conv2d", X4, F4, 1, "SAME", data_format="nhwc"),
    c("nn.conv2d", ramp(1, 2, 5, 5), F4, [1, 1, 2, 2], "SAME", data_format="NCHW"),
    c("nn.conv2d", ramp(1, 2, 5, 5), F4, [1, 2, 2, 1], "SAME", data_format="NCHW"),
    c("nn.conv2d", ramp(1, 5, 5, 3), F4, 1, "SAME"),  # channels 3 vs 2
    c("nn.conv2d", ramp(1, 5, 5, 4), F4, 1, "SAME"),  # 2 groups
    c("nn.conv2d", ramp(1, 5, 5, 4), ramp(3, 3, 2, 5), 1, "SAME"),  # 5 not divisible by 2
    c("nn.conv2d", ramp(1, 5, 5, 6), ramp(3, 3, 2, 6), 2, "VALID"),  # 3 groups
    c("nn.conv2d", ramp(5, 5, 2), F4, 1, "SAME"),  # rank 3
    c("nn.conv2d", X4, ramp(3, 2, 4), 1, "SAME"),  # filter rank 3
    c("nn.conv2d", X4, ramp(0, 3, 2, 4), 1, "SAME"),  # zero window
    c("nn.conv2d", X4, ramp(3, 3, 0, 4), 1, "SAME"),  # zero filter depth
    c("nn.conv2d", ramp(1, 5, 5, 0), F4, 1, "SAME"),  # no input channels
    c("nn.conv2d", X4, ramp(3, 3, 2, 0), 1, "SAME"),  # zero out channels
    c("nn.conv2d", ramp(0, 5, 5, 2), F4, 1, "SAME"),  # zero batch
    c("nn.conv2d", ramp(1, 0, 5, 2), F4, 1, "SAME"),  # zero height, SAME
    c("nn.conv2d", ramp(1, 0, 5, 2), F4, 1, "VALID"),  # zero height, VALID: negative
    c("nn.conv2d", ramp(1, 5, 5, 2), ramp(6, 6, 2, 4), 1, "VALID"),  # I in (eff - 2s, eff): empty
    c("nn.conv2d", ramp(1, 4, 4, 2), ramp(6, 6, 2, 4), 1, "VALID"),  # I <= eff - 2s: error
    c("nn.conv2d", ramp(1, 4, 4, 2), ramp(6, 6, 2, 4), 3, "VALID"),  # empty with stride
    c("nn.conv2d", ramp(1, 4, 4, 2), F4, 1, "VALID", dilations=2),  # empty by dilation
    c("nn.conv2d", ramp(2, 3, 5, 5, 2), F4, 2, "SAME"),  # rank 5: extra batch dim
    c("nn.conv2d", ramp(2, 3, 1, 5, 5, 2), F4, 1, "VALID"),  # rank 6
    c("nn.conv2d", ramp(1, 4, 4, 2, dtype=np.int64), ramp(3, 3, 2, 1, dtype=np.int64), 1, "SAME"),
    c("nn.conv2d", ramp(1, 4, 4, 2, dtype=np.uint8), ramp(3, 3, 2, 1, dtype=np.uint8), 1, "SAME"),
    c("nn.conv2d", ramp(1, 4, 4, 2, dtype=bool), ramp(3, 3, 2, 1, dtype=bool), 1, "SAME"),
]

CONV1D = [
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), 1, "SAME"),
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), [2], "VALID", dilations=2),
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), [1, 2, 1], "VALID"),
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), [2, 1, 1], "VALID"),  # strides the dummy axis
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), [1, 1, 2], "VALID"),  # channel stride
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), [1, 1], "VALID"),
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), 1, "SAME", data_format="NHWC"),
    c("nn.conv1d", ramp(2, 2, 7), ramp(3, 2, 3), 2, "SAME", data_format="NCW"),
    c("nn.conv1d", ramp(2, 2, 7), ramp(3, 2, 3), [1, 1, 2], "SAME", data_format="NCHW"),
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), 1, "SAME", data_format="NCDHW"),
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), 1, [[0, 0], [1, 1], [0, 0]]),
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), 1, "EXPLICIT"),
    c("nn.conv1d", ramp(7, 2), ramp(3, 2, 3), 1, "SAME"),  # rank 2
    c("nn.conv1d", ramp(2, 2, 7, 2), ramp(3, 2, 3), 2, "SAME"),  # extra batch dim
    c("nn.conv1d", ramp(2, 7, 4), ramp(3, 2, 6), 1, "VALID"),  # grouped
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3, dtype=F64), 1, "SAME"),  # separate conversion
    c("nn.conv1d", T(ramp(2, 7, 2)), ramp(3, 2, 3, dtype=F64), 1, "SAME"),
    c("nn.conv1d", ramp(2, 2, 2), ramp(3, 2, 3), 2, "VALID"),  # empty
    c("compat.v1.nn.conv1d", value=ramp(2, 7, 2), filters=ramp(3, 2, 3), stride=2, padding="SAME"),
    c("compat.v1.nn.conv1d", input=ramp(2, 7, 2), filters=ramp(3, 2, 3), stride=1, padding="VALID"),
    c("compat.v1.nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), 1, "SAME", input=ramp(2, 7, 2)),
]

X5, F5 = ramp(1, 4, 5, 3, 2), ramp(2, 3, 2, 2, 3)
CONV3D = [
    c("nn.conv3d", X5, F5, [1, 1, 1, 1, 1], "SAME"),
    c("nn.conv3d", X5, F5, (1, 2, 1, 2, 1), "VALID"),
    c("nn.conv3d", X5, F5, [1, 3, 3, 3, 1], "SAME"),  # stride >= filter + 2 (XLA reference)
    c("nn.conv3d", ramp(1, 6, 7, 5, 2), F5, [1, 4, 5, 6, 1], "SAME"),
    c("compat.v1.nn.conv3d", ramp(1, 6, 1, 1, 2), F5[:1, :1, :1], [1, 3, 1, 1, 1], "SAME"),
    c("nn.convolution", ramp(1, 9, 4, 6, 2), F5, [4, 1, 5], "SAME"),
    c("nn.conv3d", X5, F5, 1, "SAME"),
    c("nn.conv3d", X5, F5, [1, 1, 1], "SAME"),
    c("nn.conv3d", X5, F5, [1, 1, 1, 1, 1, 1], "SAME"),
    c("nn.conv3d", X5, F5, np.array([1, 1, 1, 1, 1]), "SAME"),
    c("nn.conv3d", X5, F5, [1] * 5, "SAME", dilations=2),
    c("nn.conv3d", X5, F5, [1] * 5, "SAME", dilations=[2, 2, 2]),
    c("nn.conv3d", X5, F5, [2, 1, 1, 1, 1], "SAME"),
    c("nn.conv3d", X5, F5, [1, 0, 1, 1, 1], "SAME"),
    c("nn.conv3d", X5, F5, [1] * 5, "EXPLICIT"),
    c("nn.conv3d", X5, F5, [1] * 5, [[0, 0]] * 5),
    c("nn.conv3d", X5, F5, [1] * 5, "SAME", data_format="NHWC"),
    c("nn.conv3d", ramp(1, 4, 5, 3, 3), F5, [1] * 5, "SAME"),  # 3 vs 2 channels
    c("nn.conv3d", ramp(2, 1, 4, 5, 3, 2), F5, [1] * 5, "SAME"),  # rank 6
    c("nn.conv3d", ramp(1, 4, 5, 3, 2, dtype=np.int32), F5, [1] * 5, "SAME"),
    c("compat.v1.nn.conv3d", X5, filter=F5, strides=[1, 1, 2, 1, 1], padding="SAME"),
    c("compat.v1.nn.conv3d", X5, filters=F5, strides=[1, 1, 2, 1, 1], padding="VALID"),
    c("compat.v1.nn.conv3d", X5, F5, [1] * 5, "SAME", filters=F5),
]

CONVOLUTION = [
    c("nn.convolution", X4, F4),
    c("nn.convolution", X4, F4, padding="SAME", strides=2),
    c("nn.convolution", X4, F4, padding="SAME", dilations=2),
    c("nn.convolution", X4, F4, padding="VALID", dilations=[1, 2]),
    c("nn.convolution", X4, F4, padding="SAME", strides=2, dilations=2),
    c("nn.convolution", X4, F4, padding="SAME", dilations=0),
    c("nn.convolution", X4, F4, padding="SAME", dilations=[1, 2, 2, 1]),
    c("nn.convolution", X4, F4, padding=[[0, 0], [1, 1], [2, 2], [0, 0]], dilations=2),
    c("nn.convolution", X4, F4, padding=[[0, 0], [1, 1], [2, 2], [0, 0]]),  # needs dilation
    c("nn.convolution", X4, F4, padding="same", dilations=2),
    c("nn.convolution", X4, F4, padding="EXPLICIT", dilations=2),
    c("nn.convolution", ramp(1, 5, 5, 3), F4, padding="SAME", dilations=2),  # channels
    c("nn.convolution", ramp(1, 5, 5, 4), F4, padding="SAME", dilations=2),  # grouped, dilated
    c("nn.convolution", ramp(1, 3, 3, 2), F4, padding="VALID", dilations=2),  # crop error
    c("nn.convolution", ramp(1, 4, 4, 2), F4, padding="VALID", dilations=2),  # empty
    c("nn.convolution", ramp(2, 3, 6, 6, 2), F4, padding="SAME", dilations=2),  # batch dims
    c("nn.convolution", ramp(2, 3, 6, 6, 2), F4, padding="SAME"),
    c("nn.convolution", ramp(2, 7, 2), ramp(3, 2, 3), padding="SAME", dilations=3),
    c("nn.convolution", ramp(2, 2, 7), ramp(3, 2, 3), strides=2, data_format="NCW"),
    c("nn.convolution", X5, F5, padding="SAME", dilations=2),
    c("nn.convolution", X5, F5, padding="SAME", strides=[1, 2, 1]),
    c("nn.convolution", ramp(1, 4, 4, 4, 4, 2), ramp(1, 1, 1, 1, 2, 3), padding="SAME"),  # 4-D
    c("nn.convolution", ramp(5, 5, 2), F4, padding="SAME", dilations=2),  # rank too small
    c("nn.convolution", X4, F4, padding="SAME", data_format="NWHC"),
    c("nn.convolution", X4, F4.astype(F64)),  # separate conversion: mismatch
    c("compat.v1.nn.convolution", X4, F4, "SAME", dilation_rate=[2, 2]),
    c("compat.v1.nn.convolution", X4, F4, "VALID", strides=[2, 1]),
    c("compat.v1.nn.convolution", X4, F4, "SAME", dilation_rate=2, dilations=2),
    c("compat.v1.nn.convolution", X4, F4, "SAME", filters=F4),
]

ATROUS = [
    c("nn.atrous_conv2d", X4, F4, 2, "SAME"),
    c("nn.atrous_conv2d", X4, F4, 1, "VALID"),
    c("nn.atrous_conv2d", X4, F4, [2, 1], "SAME"),
    c("nn.atrous_conv2d", X4, F4, [2, 1, 1], "SAME"),
    c("nn.atrous_conv2d", X4, F4, 0, "SAME"),
    c("nn.atrous_conv2d", X4, F4, 2, [[0, 0], [1, 0], [0, 2], [0, 0]]),
    c("nn.atrous_conv2d", X4, F4, 1, [[0, 0], [1, 0], [0, 2], [0, 0]]),
    c("nn.atrous_conv2d", ramp(1, 3, 3, 2), F4, 2, "VALID"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], 2, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 7, 7, 2], 2, "VALID"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 4, 3, 2], 2, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 5, 5, 2], 1, "VALID"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [5, 5], 1, "VALID"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [5, 5], 2, "VALID"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], 0, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], [2, 2], "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 3], 2, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [2, 3, 3, 2], 2, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], 2, "same"),
    c("nn.atrous_conv2d_transpose", ramp(1, 3, 3, 3), G4, [1, 3, 3, 2], 2, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], 2, [[0, 0]] * 4),
    c(
        "nn.atrous_conv2d_transpose",
        ones(10, 1, 1, 1),
        ones(1, 1, 1, 1),
        [1, 1, 1, 1],
        1356819205,
        "SAME",
    ),  # TF test
]

DEPTHWISE = [
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME"),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 2, 2, 1], "VALID"),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME", dilations=[2, 2]),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME", dilations=[2, 1]),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME", dilations=2),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME", dilations=[0, 0]),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME", dilations=[1, 2, 2, 1]),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), 1, "SAME"),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1], "SAME"),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [2, 1, 1, 1], "SAME"),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], [[0, 0], [1, 0], [1, 2], [0, 0]]),
    c(
        "nn.depthwise_conv2d",
        X4,
        ramp(3, 3, 2, 2),
        [1, 1, 1, 1],
        [[0, 0], [1, 0], [1, 2], [0, 0]],
        dilations=[2, 2],
    ),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "same"),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 3, 2), [1, 1, 1, 1], "SAME"),  # depth mismatch
    c("nn.depthwise_conv2d", ramp(2, 1, 5, 5, 2), ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME"),
    c(
        "nn.depthwise_conv2d",
        ramp(1, 2, 5, 5),
        ramp(3, 3, 2, 2),
        [1, 1, 2, 2],
        "SAME",
        data_format="NCHW",
    ),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 2, 1, 1], "SAME"),  # unequal strides
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2, dtype=F64), [1, 1, 1, 1], "SAME"),
    c("nn.depthwise_conv2d", ramp(1, 3, 3, 2), ramp(6, 6, 2, 2), [1, 2, 2, 1], "VALID"),  # empty
    c("compat.v1.nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME", rate=[2, 2]),
    c(
        "compat.v1.nn.depthwise_conv2d",
        X4,
        ramp(3, 3, 2, 2),
        [1, 1, 1, 1],
        "SAME",
        rate=[2, 2],
        dilations=[2, 2],
    ),
    c("compat.v1.nn.depthwise_conv2d_native", X4, ramp(3, 3, 2, 2), [1, 2, 2, 1], "SAME"),
    c(
        "compat.v1.nn.depthwise_conv2d_native",
        X4,
        ramp(3, 3, 2, 2),
        [1, 1, 1, 1],
        "VALID",
        dilations=[1, 2, 2, 1],
    ),
    c("compat.v1.nn.depthwise_conv2d_native", X4, ramp(3, 3, 2, 2), 1, "SAME"),
]

TRANSPOSE = [
    c("nn.conv2d_transpose", Y4, G4, [1, 5, 5, 2], 2),
    c("nn.conv2d_transpose", Y4, G4, [1, 6, 6, 2], 2),
    c("nn.conv2d_transpose", Y4, G4, [1, 7, 7, 2], 2),
    c("nn.conv2d_transpose", Y4, G4, [6, 6], 2),
    c("nn.conv2d_transpose", Y4, G4, (6, 5), [2, 2], "SAME"),
    c("nn.conv2d_transpose", Y4, G4, [1, 6, 6, 2], 2, dilations=2),
    c("nn.conv2d_transpose", Y4, G4, [1, 7, 7, 2], 1, "VALID", dilations=2),
    c("nn.conv2d_transpose", Y4, G4, [1, 5, 5, 2], 1, "VALID", dilations=[1, 2, 2, 1]),
    c("nn.conv2d_transpose", Y4, G4, [1, 5, 5, 2], 1, "VALID", dilations=[1, 1, 1, 2]),
    c("nn.conv2d_transpose", Y4, G4, [1, 5, 5, 2], [1, 1, 1]),
    c("nn.conv2d_transpose", Y4, G4, [1, 5, 5, 2], [2, 1, 1, 1]),
    c("nn.conv2d_transpose", Y4, G4, [1, 5, 5, 2], 0),
    c("nn.conv2d_transpose", Y4, G4, [1, 5, 5, 2], 1, "VALID"),
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2], 1, [[0, 0], [1, 1], [1, 1], [0, 0]]),
    c("nn.conv2d_transpose", Y4, G4, [1, 4, 3, 2], 1, [[0, 0], [1, 0], [1, 1], [0, 0]]),
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2], 1, [[0, 0], [1, 1], [1, 1], [0, 1]]),
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2], 1, [[0, 0], [2, 2], [2, 2], [0, 0]]),
    c("nn.conv2d_transpose", Y4, G4, [1, 0, 3, 2], 1, [[0, 0], [2, 2], [1, 1], [0, 0]]),
    c("nn.conv2d_transpose", Y4, G4, [1, 5, 5, 2], 1, "same"),
    c("nn.conv2d_transpose", Y4, G4, [1, 5, 5, 2], 1, "EXPLICIT"),
    c("nn.conv2d_transpose", Y4, G4, [2, 3, 3, 2], 1),  # batch mismatch
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 3], 1),  # channels not a multiple
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 4], 1),  # grouped (CPU refuses; XLA computes)
    c("nn.conv2d_transpose", ramp(1, 3, 3, 3), G4, [1, 3, 3, 2], 1),  # input C vs filter
    c("nn.conv2d_transpose", Y4, ramp(3, 3, 0, 4), [1, 3, 3, 0], 1),  # zero filter depth
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3], 1),
    c("nn.conv2d_transpose", Y4, G4, [3], 1),
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2, 1], 1),
    c("nn.conv2d_transpose", Y4, G4, [[1, 3, 3, 2]], 1),
    c("nn.conv2d_transpose", Y4, G4, [1, -3, 3, 2], 1),
    c("nn.conv2d_transpose", Y4, G4, [3, -3], 1),
    c("nn.conv2d_transpose", Y4, G4, [1.0, 3.0, 3.0, 2.0], 1),
    c("nn.conv2d_transpose", Y4, G4, np.array([1, 3, 3, 2], np.int64), 1),
    c("nn.conv2d_transpose", Y4, G4, T(np.array([1, 3, 3, 2], np.int32)), 1),
    c("nn.conv2d_transpose", ramp(3, 3, 4), G4, [1, 3, 3, 2], 1),  # rank 3 input
    c("nn.conv2d_transpose", Y4, ramp(3, 3, 2), [1, 3, 3, 2], 1),  # rank 3 filter
    c(
        "nn.conv2d_transpose",
        ramp(1, 4, 3, 3),
        ramp(3, 3, 2, 4),
        [1, 2, 3, 3],
        1,
        data_format="NCHW",
    ),
    c(
        "nn.conv2d_transpose",
        ramp(1, 4, 3, 3),
        ramp(3, 3, 2, 4),
        [1, 2, 6, 5],
        [1, 1, 2, 2],
        data_format="NCHW",
    ),
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2], 1, data_format="NCDHW"),
    c("nn.conv2d_transpose", ramp(1, 0, 3, 4), G4, [1, 0, 3, 2], 1),  # empty input, SAME
    c("nn.conv2d_transpose", ramp(1, 0, 3, 4), G4, [1, 2, 5, 2], 1, "VALID"),  # I = 0, VALID
    c("nn.conv2d_transpose", ramp(1, 0, 3, 4), G4, [1, 1, 5, 2], 1, "VALID"),
    c("nn.conv2d_transpose", ramp(0, 3, 3, 4), G4, [0, 3, 3, 2], 1),  # zero batch
    c("nn.conv2d_transpose", Y4, ramp(0, 3, 2, 4), [1, 3, 3, 2], 1),  # zero window
    c(
        "nn.conv2d_transpose",
        ones(1, 1, 1, 1, dtype=F64),
        ones(1, 1, 1, 1, dtype=F64),
        [2, -2],
        [1],
    ),  # TF test InvalidOutputShape
    c(
        "nn.conv2d_transpose",
        ones(2, 2, 2, 2, dtype=F64),
        np.array([[[[1.0]]]]),
        [114078056, 179835296],
        [10],
    ),  # TF test LargeOutputShape
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [2, 8, 2], 2),
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [2, 9, 2], 2, "VALID"),
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [2, 9, 2], [1, 2, 1], "VALID"),
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [2, 9, 2], [2, 2, 1], "VALID"),
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [2, 9, 2], [2, 2], "VALID"),
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [1, 8], 2),
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [8], 2),
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [2, 8, 2], 2, data_format="NHWC"),
    c("nn.conv1d_transpose", ramp(2, 3, 4), ramp(3, 2, 3), [2, 2, 8], 2, data_format="NCW"),
    c(
        "nn.conv1d_transpose",
        ramp(2, 4, 3),
        ramp(3, 2, 3),
        [2, 8, 2],
        2,
        padding=[[0, 0], [1, 1], [0, 0]],
    ),
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3, dtype=F64), [2, 8, 2], 2),
    c("nn.conv1d_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [2, 9, 2], 2, "VALID", dilations=2),
    c("nn.conv3d_transpose", ramp(2, 2, 3, 2, 3), ramp(3, 3, 3, 2, 3), [2, 4, 6, 4, 2], 2),
    c(
        "nn.conv3d_transpose",
        ramp(2, 2, 3, 2, 3),
        ramp(3, 3, 3, 2, 3),
        [2, 4, 6, 4, 2],
        [1, 2, 2, 2, 1],
    ),
    c("nn.conv3d_transpose", ramp(2, 2, 3, 2, 3), ramp(3, 3, 3, 2, 3), [2, 5, 7, 5, 2], 2, "VALID"),
    c("nn.conv3d_transpose", ramp(2, 2, 3, 2, 3), ramp(3, 3, 3, 2, 3), [2, 5, 7, 6, 2], 2, "VALID"),
    c("nn.conv3d_transpose", ramp(2, 2, 3, 2, 3), ramp(3, 3, 3, 2, 3), [2, 4, 6, 4], 2),
    c("nn.conv3d_transpose", ramp(2, 2, 3, 2, 3), ramp(3, 3, 3, 2, 3), [4, 6, 4], 2),
    c("nn.conv3d_transpose", ramp(2, 2, 3, 2, 3), ramp(3, 3, 3, 2, 3), [2, 4, 6, 4, 3], 2),
    c(
        "nn.conv3d_transpose",
        ramp(2, 2, 3, 2, 3),
        ramp(3, 3, 3, 2, 3),
        [2, 4, 6, 4, 2],
        2,
        padding=[[0, 0]] * 5,
    ),
    c(
        "nn.conv3d_transpose",
        ramp(2, 2, 3, 2, 3),
        ramp(3, 3, 3, 2, 3),
        T(np.array([2, 4, 6, 4, 2], np.int64)),
        2,
    ),
    c(
        "nn.conv3d_transpose",
        ramp(2, 2, 3, 2, 3),
        ramp(3, 3, 3, 2, 3),
        [2, 6, 8, 6, 2],
        2,
        "VALID",
        dilations=2,
    ),
    c(
        "nn.conv3d_transpose",
        ramp(2, 2, 3, 2, 3, dtype=F64),
        ramp(3, 3, 3, 2, 3),
        [2, 4, 6, 4, 2],
        2,
    ),  # NumPy arguments take the filter's dtype
    c("nn.conv_transpose", ramp(2, 4, 3), ramp(3, 2, 3), [2, 8, 2], 2),
    c("nn.conv_transpose", Y4, G4, [1, 6, 6, 2], 2),
    c("nn.conv_transpose", Y4, G4, [1, 6, 6, 2], 2, [[0, 0], [1, 1], [1, 1], [0, 0]]),
    c("nn.conv_transpose", ramp(2, 2, 3, 2, 3), ramp(3, 3, 3, 2, 3), [2, 4, 6, 4, 2], 2),
    c("nn.conv_transpose", Y4, G4, [6, 6], 2),
    c("nn.conv_transpose", Y4, G4, 6, 2),
    c("nn.conv_transpose", Y4, G4, np.array([1, 6, 6, 2]), 2),
    c("nn.conv_transpose", Y4, G4, T(np.array([1, 6, 6, 2], np.int32)), 2),
    c("nn.conv_transpose", Y4, G4, [1, 6, 6, 2], 2, data_format="NHWC"),
    c("compat.v1.nn.conv2d_transpose", Y4, G4, [1, 6, 6, 2], [1, 2, 2, 1], "SAME"),
    c("compat.v1.nn.conv2d_transpose", value=Y4, filter=G4, output_shape=[1, 6, 6, 2]),
    c("compat.v1.nn.conv2d_transpose", input=Y4, filters=G4, output_shape=[1, 3, 3, 2]),
    c(
        "compat.v1.nn.conv2d_transpose",
        input=Y4,
        filters=G4,
        output_shape=[1, 7, 7, 2],
        strides=1,
        padding="VALID",
        dilations=2,
    ),
    c("compat.v1.nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2], input=Y4),
    c("compat.v1.nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2], filters=G4),
    c(
        "compat.v1.nn.conv3d_transpose",
        ramp(2, 2, 3, 2, 3),
        filter=ramp(3, 3, 3, 2, 3),
        output_shape=[2, 4, 6, 4, 2],
        strides=[1, 2, 2, 2, 1],
    ),
    c(
        "compat.v1.nn.conv3d_transpose",
        ramp(2, 2, 3, 2, 3),
        ramp(3, 3, 3, 2, 3),
        [2, 2, 3, 2, 2],
        input=ramp(2, 2, 3, 2, 3),
    ),
    c("compat.v1.nn.conv2d_backprop_input", [1, 6, 6, 2], G4, Y4, [1, 2, 2, 1], "SAME"),
    c(
        "compat.v1.nn.conv2d_backprop_input",
        [1, 6, 6, 2],
        filters=G4,
        out_backprop=Y4,
        strides=[1, 2, 2, 1],
        padding="VALID",
    ),
    c("compat.v1.nn.conv2d_backprop_input", [1, 5, 5, 2], G4, Y4, [1, 2, 2, 1], "VALID"),
]

DTYPES = [
    c("nn.conv2d", X4, F4.astype(F64), 1, "SAME"),  # NumPy: first input's dtype wins
    c("nn.conv2d", X4.astype(F64), F4, 1, "SAME"),
    c("nn.conv2d", T(X4), F4.astype(F64), 1, "SAME"),  # a tensor's dtype wins
    c("nn.conv2d", X4.astype(F64), T(F4), 1, "SAME"),
    c("nn.conv2d", T(X4), T(F4.astype(F64)), 1, "SAME"),  # two tensors: mismatch
    c("nn.conv2d", T(X4.astype(np.int32)), F4, 1, "SAME"),
    c("nn.conv2d", X4.astype(np.int32), F4.astype(F64), 1, "SAME"),
    c("nn.conv2d", X4.astype(np.float16), F4, 1, "SAME"),
    c("nn.conv2d", X4, F4.tolist(), 1, "SAME"),  # Python floats: converted to the input's dtype
    c("nn.conv2d", T(X4.astype(np.int32)), (F4 * 0 + 2).astype(int).tolist(), 1, "SAME"),
    c("nn.conv2d", T(X4.astype(np.int32)), (F4 + 0.5).tolist(), 1, "SAME"),
    c("nn.conv2d_transpose", Y4.astype(F64), G4, [1, 3, 3, 2], 1),  # filter's dtype wins
    c("nn.conv2d_transpose", T(Y4.astype(F64)), G4, [1, 3, 3, 2], 1),
    c("nn.conv2d_transpose", Y4, T(G4.astype(F64)), [1, 3, 3, 2], 1),
    c("nn.conv2d_transpose", T(Y4), T(G4.astype(F64)), [1, 3, 3, 2], 1),
    c("nn.conv2d_transpose", Y4.astype(int).tolist(), G4.astype(int).tolist(), [1, 3, 3, 2], 1),
    c("nn.conv2d_transpose", Y4.tolist(), G4.astype(int).tolist(), [1, 3, 3, 2], 1),
    c("nn.conv2d_transpose", Y4.astype(np.int64), G4.astype(np.int64), [1, 3, 3, 2], 1),
    c("nn.convolution", X4.tolist(), F4),
    c("nn.convolution", X4.astype(int).tolist(), F4.astype(int).tolist(), padding="SAME"),
    c(
        "nn.conv3d_transpose",
        T(ramp(1, 2, 2, 2, 4)),
        ramp(3, 3, 3, 2, 4, dtype=F64),
        [1, 2, 2, 2, 2],
        1,
    ),
    c("nn.conv2d", X4.astype(jnp.bfloat16), F4.astype(jnp.bfloat16), 2, "SAME"),
    c("nn.conv2d_transpose", Y4.astype(jnp.bfloat16), G4.astype(jnp.bfloat16), [1, 6, 5, 2], 2),
    c("nn.conv3d", X5.astype(np.float16), F5.astype(np.float16), [1] * 5, "VALID"),
    c(
        "nn.depthwise_conv2d",
        X4.astype(jnp.bfloat16),
        ramp(3, 3, 2, 2, dtype=jnp.bfloat16),
        [1, 1, 1, 1],
        "SAME",
    ),
]

# output_shape as floats: TensorFlow casts a float NumPy array to int32 (truncating toward
# zero) in the ops that convert it straight to an int32 tensor, and refuses Python floats.
Y1, G1 = ramp(1, 3, 4), ramp(3, 2, 4)
Y3, G3 = ramp(1, 2, 3, 2, 4), ramp(2, 2, 2, 2, 4)
NAN = float("nan")
OUTPUT_SHAPE = [
    c("nn.conv2d_transpose", Y4, G4, np.array([1.0, 6.0, 6.0, 2.0]), 2),
    c("nn.conv2d_transpose", Y4, G4, np.array([1.0, 6.0, 6.0, 2.0], F32), 2, "VALID"),
    c("nn.conv2d_transpose", Y4, G4, np.array([1.0, 5.5, 6.9, 2.0]), 2),  # -> [1, 5, 6, 2]
    c("nn.conv2d_transpose", Y4, G4, np.array([1.0, 4.9, 6.0, 2.0]), 2),  # -> 4: refused
    c("nn.conv2d_transpose", Y4, G4, np.array([6.0, 5.0]), 2),  # [H, W]
    c("nn.conv2d_transpose", Y4, G4, np.array([1.0, NAN, 6.0, 2.0]), 2),
    c("nn.conv2d_transpose", Y4, G4, np.array([1.0, 1e30, 6.0, 2.0]), 2),
    c("nn.conv2d_transpose", Y4, G4, [1.0, 6.0, 6.0, 2.0], 2),
    c("nn.conv2d_transpose", Y4, G4, (1, 6.0, 6, 2), 2),
    c("nn.conv2d_transpose", Y4, G4, [1, np.float64(6), 6, 2], 2),
    c("nn.conv2d_transpose", Y4, G4, [1, np.int64(6), 6, 2], 2),
    c("nn.conv2d_transpose", Y4, G4, np.array([1, 6, 6, 2], np.int16), 2),
    c("nn.conv2d_transpose", Y4, G4, [1, 2**31, 6, 2], 2),
    c("nn.conv2d_transpose", Y4, G4, 6.0, 2),
    c("compat.v1.nn.conv2d_transpose", Y4, G4, np.array([1.0, 6, 6, 2]), [1, 2, 2, 1]),
    c("compat.v1.nn.conv2d_backprop_input", np.array([1.0, 6, 6, 2]), G4, Y4, [1, 2, 2, 1], "SAME"),
    c("nn.conv_transpose", Y4, G4, np.array([1.0, 6.0, 6.0, 2.0]), 2),
    c("nn.conv_transpose", Y3, G3, np.array([1.0, 4, 6, 4, 2]), 2),
    c("nn.conv3d_transpose", Y3, G3, np.array([1.0, 4.5, 6, 3.5, 2]), 2),
    c("nn.conv3d_transpose", Y3, G3, [1.0, 4, 6, 4, 2], 2),
    c("nn.conv1d_transpose", Y1, G1, np.array([1.0, 6.0, 2.0]), 2),
    c("nn.conv1d_transpose", Y1, G1, np.array([1, 6, 2]), 2),
    c("nn.atrous_conv2d_transpose", Y4, G4, np.array([1.0, 3, 3, 2]), 1, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, np.array([1.0, 3, 3, 2]), 2, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, np.array([1, 3, 3, 2]), 2, "SAME"),
]

# Argument values that TensorFlow's converters refuse (or read in their own way).
BAD_ARGS = [
    c("nn.conv2d", X4, F4, NAN, "SAME"),
    c("nn.conv2d", X4, F4, [1, NAN], "SAME"),
    c("nn.conv2d", X4, F4, 1, "SAME", dilations=NAN),
    c("nn.conv2d", X4, F4, True, "SAME"),
    c("nn.conv2d", X4, F4, 10**12, "SAME"),
    c("nn.conv2d", X4, F4, 2**31, "SAME"),
    c("nn.conv2d", X4, F4, 2**31 - 1, "SAME"),
    c("nn.conv2d", X4, F4, 1, "SAME", dilations=10**12),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [NAN, 0], [0, 0], [0, 0]]),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [1.5, 0], [0, 0], [0, 0]]),
    c("nn.conv2d", X4, F4, 1, [[0, 0], [None, 0], [0, 0], [0, 0]]),
    c("nn.conv2d", X4, F4, "x", "SAME"),
    c("nn.conv2d", X4, None, 1, "SAME"),
    c("nn.conv2d", X4, "x", 1, "SAME"),
    c("nn.conv1d", ramp(2, 7, 2), ramp(3, 2, 3), NAN, "SAME"),
    c("nn.conv3d", X5, F5, [1, NAN, 1, 1, 1], "SAME"),
    c("nn.conv3d", X5, F5, [1, 10**12, 1, 1, 1], "SAME"),
    c("nn.convolution", X4, F4, NAN, "SAME"),
    c("nn.convolution", X4, None, 1, "SAME"),
    c("nn.atrous_conv2d", X4, F4, True, "SAME"),
    c("nn.atrous_conv2d", X4, F4, 2.0, "SAME"),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME", dilations=[2.0, 2.0]),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME", dilations=[NAN, NAN]),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, NAN, NAN, 1], "SAME"),
    c("nn.depthwise_conv2d", X4, ramp(3, 3, 2, 2), [1, 1, 1, 1], "SAME", dilations=[True, True]),
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2], NAN),
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2], 10**12),
    c("nn.conv2d_transpose", Y4, None, [1, 3, 3, 2], 1),
    c("nn.conv2d_transpose", None, G4, [1, 3, 3, 2], 1),
    c("nn.conv2d_transpose", Y4, G4, None, 1),
    c("nn.conv2d_transpose", Y4, G4, [1, 3, 3, 2], 1, dilations=NAN),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], 2.0, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], 2.5, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], 1.0, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], True, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], None, "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], "x", "SAME"),
    c("nn.atrous_conv2d_transpose", Y4, G4, [1, 3, 3, 2], 10**12, "SAME"),
    c("compat.v1.nn.depthwise_conv2d_native", X4, ramp(3, 3, 2, 2), [1, NAN, NAN, 1], "SAME"),
    c("nn.conv2d", X4, F4, 1, "SAME", name=5),
]

ALL = {
    "conv2d": CONV2D,
    "conv1d": CONV1D,
    "conv3d": CONV3D,
    "convolution": CONVOLUTION,
    "atrous": ATROUS,
    "depthwise": DEPTHWISE,
    "transpose": TRANSPOSE,
    "dtypes": DTYPES,
    "output_shape": OUTPUT_SHAPE,
    "bad_args": BAD_ARGS,
}
PARAMS = [
    pytest.param(case, id=f"{group}-{i}")
    for group, cases in ALL.items()
    for i, case in enumerate(cases)
]


@pytest.mark.parametrize("case", PARAMS)
def test_case(case: Case) -> None:
    check(case)


TUTORIAL = [
    c("nn.conv2d", ones(1, 4, 4, 3), ones(3, 3, 3, 1), [1, 2, 2, 1], "SAME"),
    c("nn.conv2d", ones(1, 4, 4, 3), ones(3, 3, 3, 1), [1, 2, 2, 1], "VALID"),
    c("nn.conv2d", ones(1, 6, 6, 3), ones(3, 3, 3, 1), [1, 2, 2, 1], "SAME"),
    c("nn.conv2d", ones(1, 6, 6, 3), ones(3, 3, 3, 1), [1, 2, 2, 1], "VALID"),
    c(
        "nn.conv2d",
        (np.arange(16) * 0.1).astype(F32).reshape(1, 4, 4, 1),
        ones(3, 3, 1, 1),
        [1, 1, 1, 1],
        "VALID",
    ),
    *[
        c(
            "compat.v1.nn.conv2d_transpose",
            np.array([4.5, 5.4, 8.1, 9.0], F32).reshape(1, 2, 2, 1),
            ones(3, 3, 1, 1),
            output_shape=[1, o, o, 1],
            strides=[1, s, s, 1],
            padding="VALID",
        )
        for s, o in ((1, 4), (1, 5), (2, 5), (2, 6), (2, 7))
    ],
]


@pytest.mark.parametrize("case", TUTORIAL)
def test_tutorial_calls(case: Case) -> None:
    check(case)


def _signature(fn) -> list[tuple[str, object]]:
    params = inspect.signature(fn).parameters.values()
    return [
        (p.name, list(p.default) if isinstance(p.default, (list, tuple)) else p.default)
        for p in params
    ]


@pytest.mark.parametrize(
    "path",
    [
        *(f"nn.{name}" for name in ctf.nn.__all__),
        *(f"compat.v1.nn.{name}" for name in vars(ctf.compat.v1.nn)),
    ],
)
def test_signatures_match_tensorflow(path: str) -> None:
    """Same parameter names, order and defaults as TensorFlow's function."""
    ours = functools.reduce(getattr, path.split("."), ctf)
    theirs = functools.reduce(getattr, path.split("."), tf)
    assert _signature(ours) == _signature(theirs)
