"""``jconv.port.from_keras``: a Keras 3 convolution layer as one jconv call."""

from __future__ import annotations

from typing import Any

import numpy as np

from jconv import layouts, shapes
from jconv.port._build import Call, Params, PortedFn, as_param, build, describe, framework

_FN = "jconv.port.from_keras"
_CONV = ("Conv1D", "Conv2D", "Conv3D")
_TRANSPOSE = ("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")
_SUPPORTED = "keras.layers." + ", keras.layers.".join(_CONV + _TRANSPOSE)


def keras_transpose_size(
    i: int, k: int, s: int, d: int, padding: str, output_padding: int | None
) -> int:
    """Keras' output size of a transposed convolution in one dimension.

    The rule of ``compute_conv_transpose_output_shape`` (its per-dimension
    helper ``_get_output_shape_given_tf_padding``) in
    ``keras/src/backend/common/backend_utils.py``, with ``eff = d * (k - 1) + 1``:
    ``"valid"`` gives ``(i - 1) * s + eff + output_padding``, where a missing
    ``output_padding`` is ``max(eff, s) - eff`` (so a kernel smaller than the
    stride still fills ``i * s``); ``"same"`` gives ``i * s``, or
    ``(i - 1) * s + eff % 2 + output_padding`` when ``output_padding`` is given.
    The TensorFlow backend then places the result as ``tf.nn.conv_transpose``
    does with that output shape (the forward conv's VALID or SAME padding of
    that size), which is :func:`jconv.conv_transpose` with ``output_shape``.

    >>> keras_transpose_size(3, 1, 3, 1, "valid", None), keras_transpose_size(3, 4, 2, 1, "same", 1)
    (9, 5)
    """
    eff = shapes.effective_kernel_size(k, d)
    if padding == "valid":
        extra = max(eff, s) - eff if output_padding is None else output_padding
        return shapes.transpose_output_size(i, k, s, "VALID", d) + extra
    if output_padding is None:
        return shapes.transpose_output_size(i, k, s, "SAME", d)
    return (i - 1) * s + eff % 2 + output_padding


def from_keras(layer: object) -> tuple[PortedFn, Params]:
    """Ports a built Keras 3 ``Conv1D/2D/3D`` or ``Conv1DTranspose/2DTranspose/3DTranspose``.

    ``fn(params, x)`` returns what ``layer(x)`` returns with the TensorFlow
    backend, in the layer's ``data_format``, for an input of any spatial size:
    one :func:`jconv.conv` (``padding`` ``"valid"``, ``"same"`` or 1-D
    ``"causal"``; ``strides``, ``dilation_rate``, ``groups``) or
    :func:`jconv.conv_transpose` call. A transposed layer's output size is Keras'
    rule (:func:`keras_transpose_size`), applied to ``x``'s static shape when
    ``fn`` is traced. Like Keras, ``fn`` casts a floating ``x``, the kernel and
    the bias to the layer's compute dtype (they differ under a mixed-precision
    policy). ``fn`` is pure and jittable, differentiable in ``params`` and ``x``,
    and composable with ``jax.vmap``.

    Args:
      layer: the built layer (a LoRA-enabled one gives its merged kernel).

    Returns:
      ``(fn, params)``: ``params["kernel"]`` in jconv's layout (Keras' own, for
      both kinds of layer) and ``params["bias"]`` when ``use_bias``, in the
      layer's variable dtype.

    Raises:
      TypeError: ``layer`` is not a Keras layer.
      NotImplementedError: another kind of layer (``Dense``, ``DepthwiseConv2D``,
        ``SeparableConv2D``...), a subclass that overrides ``call``, or an
        ``activation`` (the port translates the convolution only: build the layer
        with ``activation=None`` and apply the activation to ``fn``'s output).
      ValueError: the layer is not built; and, from ``fn``, an input whose Keras
        output size the forward convolution cannot come from (``"same"`` with an
        even kernel and ``output_padding=0``: TensorFlow refuses it too).

    Examples:
      >>> import numpy as np, keras, jconv.port
      >>> layer = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same", output_padding=1)
      >>> x = np.random.default_rng(0).standard_normal((2, 5, 5, 3)).astype(np.float32)
      >>> expected = keras.ops.convert_to_numpy(layer(x))  # builds the layer
      >>> fn, params = jconv.port.from_keras(layer)
      >>> fn(params, x).shape
      (2, 10, 10, 4)
      >>> bool(np.allclose(fn(params, x), expected, atol=1e-5))
      True
    """
    keras = framework("keras")
    if keras is None or not isinstance(layer, keras.layers.Layer):
        raise TypeError(
            f"{_FN}: `layer` must be a Keras 3 layer ({_SUPPORTED}); received a {describe(layer)}."
        )
    name, transpose = _kind(keras, layer)
    where = f"{_FN}({name})"
    if not layer.built:
        raise ValueError(
            f"{_FN}: the {name} layer is not built, so it has no weights yet; call it on an "
            f"input or call layer.build(input_shape) first."
        )
    activation = layer.activation
    if activation is not None and activation is not keras.activations.linear:
        label = getattr(activation, "__name__", repr(activation))
        raise NotImplementedError(
            f"{_FN}: the {name} layer has activation={label!r}; the port translates the "
            f"convolution only. Build it with activation=None and apply the activation to "
            f"fn's output."
        )
    n = len(layer.kernel_size)
    common: dict[str, Any] = {
        "where": where,
        "transpose": transpose,
        "ndim": n,
        "channels_first": layer.data_format == "channels_first",
        "stride": tuple(layer.strides),
        "dilation": tuple(layer.dilation_rate),
        "groups": 1 if transpose else int(layer.groups),
        "padding": layer.padding.upper(),
        "compute_dtype": layer.compute_dtype,
    }
    kernel: Any = np.asarray(keras.ops.convert_to_numpy(layer.kernel))
    if transpose:
        rule = _TransposeSizes(
            where,
            tuple(layer.kernel_size),
            tuple(layer.strides),
            tuple(layer.dilation_rate),
            layer.padding,
            None if layer.output_padding is None else tuple(layer.output_padding),
        )
        call = Call(sizes=rule, **common)
        kernel = layouts.from_keras_conv_transpose(kernel)
    else:
        call = Call(**common)
    bias = None
    if layer.use_bias:
        bias = as_param(where, "bias", np.asarray(keras.ops.convert_to_numpy(layer.bias)))
    return build(call, as_param(where, "kernel", kernel), bias)


def _kind(keras: Any, layer: Any) -> tuple[str, bool]:
    """The supported class ``layer`` is and whether it is a transpose, or raises."""
    for name in _CONV + _TRANSPOSE:
        base = getattr(keras.layers, name)
        if isinstance(layer, base):
            for method in ("call", "convolution_op"):
                if hasattr(base, method) and getattr(type(layer), method) is not getattr(
                    base, method
                ):
                    raise NotImplementedError(
                        f"{_FN}: {describe(layer)} subclasses keras.layers.{name} but overrides "
                        f"{method}(), which the port cannot translate."
                    )
            return name, name in _TRANSPOSE
    raise NotImplementedError(
        f"{_FN}: {describe(layer)} is not supported; the port translates {_SUPPORTED}."
    )


class _TransposeSizes:
    """The ``output_shape`` Keras gives a transposed layer's input, checked for reachability."""

    def __init__(
        self,
        where: str,
        window: tuple[int, ...],
        stride: tuple[int, ...],
        dilation: tuple[int, ...],
        padding: str,
        output_padding: tuple[int, ...] | None,
    ) -> None:
        self.where, self.window, self.stride, self.dilation = where, window, stride, dilation
        self.padding, self.output_padding = padding, output_padding

    def __call__(self, sizes: tuple[int, ...]) -> dict[str, Any]:
        out = []
        extras = self.output_padding or (None,) * len(sizes)
        for j, (i, k, s, d, a) in enumerate(
            zip(sizes, self.window, self.stride, self.dilation, extras)
        ):
            o = keras_transpose_size(i, k, s, d, self.padding, a)
            ok = shapes.transpose_output_sizes(i, k, s, self.padding.upper(), d)
            if o not in ok:
                raise ValueError(
                    f"{self.where}: for an input of spatial size {i} in dimension {j}, Keras' "
                    f"rule gives the output size {o} (padding={self.padding!r}, kernel {k}, "
                    f"stride {s}, output_padding={a}), which no forward convolution maps back "
                    f"to {i} (it needs {ok[0]} to {ok[-1]}); TensorFlow refuses it too. Use "
                    f"another output_padding."
                )
            out.append(o)
        return {"output_shape": tuple(out)}
