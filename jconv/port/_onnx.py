"""``jconv.port.from_onnx``: an ONNX ``Conv`` or ``ConvTranspose`` node as one jconv call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp
import numpy as np

from jconv import layouts, shapes
from jconv._canonical.args import is_sequence, per_dim_ints, show, static_int
from jconv.port._build import Call, Params, PortedFn, as_param, build, describe, framework

_FN = "jconv.port.from_onnx"
_AUTO_PADS = ("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")
_ATTRIBUTES = {
    "Conv": {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"},
    "ConvTranspose": {
        "auto_pad",
        "dilations",
        "group",
        "kernel_shape",
        "pads",
        "strides",
        "output_padding",
        "output_shape",
    },
}


def onnx_transpose_pads(
    i: int,
    k: int,
    s: int,
    d: int,
    auto_pad: str,
    pads: tuple[int, int],
    output_padding: int,
    output_shape: int | None,
) -> tuple[int, int]:
    """The forward padding ``(lo, hi)`` whose jconv transpose is ONNX's ``ConvTranspose``.

    From the ONNX operator spec (``ConvTranspose``, opsets 1 to 22), per
    dimension: with explicit ``pads`` the output size is
    ``s * (i - 1) + output_padding + eff - pads_begin - pads_end`` (``VALID``:
    no pads). With ``output_shape`` (which overrides ``pads``), or with
    ``SAME_UPPER``/``SAME_LOWER`` (whose output size is ``i * s``), the total
    padding is ``s * (i - 1) + output_padding + eff - output_size``, split
    ``total // 2`` before and the rest after for ``SAME_UPPER``, the other way
    round for every other ``auto_pad``. ONNX Runtime (1.32) follows those
    equations, and clamps a negative total (an output larger than the
    unpadded result, e.g. ``SAME`` with a kernel smaller than the stride) to
    zero padding with the extra cells at the end, where the spec's ``/ 2`` of a
    negative number is ambiguous; jconv does the same. Unlike ONNX Runtime,
    ``SAME`` then still gives the spec's ``i * s`` cells (ONNX Runtime drops the
    trailing ones). ``output_padding`` only adds cells at the end; as a padding
    of the forward conv it is folded into ``hi``, which may then be negative.

    Two choices where ONNX Runtime 1.32 is stricter than the spec: an
    ``output_padding`` from the stride up to the dilation is accepted (the spec
    says "less than the stride/dilation", as PyTorch), and an ``output_shape``
    is accepted up to the largest size the forward convolution maps back to
    the input, ``(i - 1) * s + eff + s - 1`` (larger ones would need the
    spec's ambiguous negative split: :func:`from_onnx` refuses them, as ONNX
    Runtime does).

    >>> onnx_transpose_pads(3, 3, 2, 1, "SAME_UPPER", (0, 0), 0, None)  # total 1: after
    (0, 1)
    >>> onnx_transpose_pads(3, 3, 2, 1, "NOTSET", (0, 0), 0, 6)  # total 1: before
    (1, 0)
    >>> onnx_transpose_pads(3, 3, 2, 1, "NOTSET", (1, 1), 1, None)  # output_padding: after
    (1, 0)
    """
    if output_shape is None and auto_pad in ("NOTSET", "VALID"):
        lo, hi = pads if auto_pad == "NOTSET" else (0, 0)
        return lo, hi - output_padding
    full = shapes.transpose_output_size(i, k, s, "VALID", d) + output_padding
    out = shapes.transpose_output_size(i, k, s, "SAME", d) if output_shape is None else output_shape
    total = full - out
    clamped = max(total, 0)
    lo = clamped // 2 if auto_pad == "SAME_UPPER" else clamped - clamped // 2
    return lo, total - output_padding - lo


def from_onnx(node: object, initializers: Mapping[str, object]) -> tuple[PortedFn, Params]:
    """Ports an ONNX ``Conv`` or ``ConvTranspose`` node (``onnx.NodeProto``).

    ``fn(params, x)`` returns the node's output ``Y`` for input ``X = x``,
    channels-first as in ONNX: one :func:`jconv.conv` or
    :func:`jconv.conv_transpose` call honouring every attribute: ``auto_pad``
    (``NOTSET``/``SAME_UPPER``/``SAME_LOWER``/``VALID``), ``pads`` (begins, then
    ends), ``strides``, ``dilations``, ``group``, ``kernel_shape`` (checked
    against ``W``), and for ``ConvTranspose`` ``output_padding`` and
    ``output_shape`` with the spec's precedence (see
    :func:`onnx_transpose_pads`; ``SAME_UPPER`` puts the odd unit of padding at
    the end, as the spec says and ONNX Runtime 1.32 does). ``fn`` is pure and
    jittable, differentiable in ``params`` and ``x``, and composable with
    ``jax.vmap``.

    Args:
      node: the ``Conv`` or ``ConvTranspose`` node (domain ``""`` or ``"ai.onnx"``).
      initializers: maps input names to NumPy arrays or ``onnx.TensorProto``
        (e.g. ``{t.name: t for t in model.graph.initializer}``). The weight ``W``
        must be there; the bias ``B`` too if the node names one.

    Returns:
      ``(fn, params)``: ``params["kernel"]`` is ``W`` in jconv's layout
      (:func:`jconv.layouts.from_onnx_conv` / ``from_onnx_conv_transpose``) and
      ``params["bias"]`` is ``B`` when the node has one, in their own dtype.

    Raises:
      TypeError: ``node`` is not an ``onnx.NodeProto``, ``initializers`` is not
        a mapping, or an initializer is not a numeric array.
      NotImplementedError: another operator (``QLinearConv``, ``ConvInteger``...)
        or domain.
      ValueError: a bad node: fewer than two or more than three inputs, ``W`` or a
        named ``B`` missing from ``initializers``, a ``B`` not of shape ``(M,)``,
        an unknown attribute, or an attribute of the wrong length or value
        (``kernel_shape`` other than ``W``'s, negative ``pads``, ``pads`` with
        an ``auto_pad``, ``output_padding`` not below the stride or dilation).

    Examples:
      >>> import numpy as np, onnx, jconv.port
      >>> node = onnx.helper.make_node(
      ...     "ConvTranspose", ["X", "W"], ["Y"], strides=[2, 2], auto_pad="SAME_UPPER")
      >>> w = np.ones((4, 2, 3, 3), np.float32)  # (C, M / group, kH, kW)
      >>> fn, params = jconv.port.from_onnx(node, {"W": w})
      >>> fn(params, np.ones((1, 4, 5, 5), np.float32)).shape  # i * s
      (1, 2, 10, 10)
    """
    onnx = framework("onnx")
    if onnx is None or not isinstance(node, onnx.NodeProto):
        raise TypeError(
            f"{_FN}: `node` must be an onnx.NodeProto (a Conv or ConvTranspose node); "
            f"received a {describe(node)}."
        )
    op = node.op_type
    if node.domain not in ("", "ai.onnx") or op not in _ATTRIBUTES:
        domain = f" of domain {node.domain!r}" if node.domain not in ("", "ai.onnx") else ""
        raise NotImplementedError(
            f"{_FN}: the {op!r} operator{domain} is not supported; the port translates the "
            f"standard ONNX Conv and ConvTranspose."
        )
    where = f"{_FN}({op} {node.name!r})" if node.name else f"{_FN}({op})"
    if not isinstance(initializers, Mapping):
        raise TypeError(
            f"{where}: `initializers` must be a mapping from input names to arrays; received "
            f"a {describe(initializers)}."
        )
    inputs = list(node.input)
    if not 2 <= len(inputs) <= 3 or not inputs[1]:
        raise ValueError(
            f"{where}: the node must have inputs X, W and optionally B; received inputs {inputs}."
        )
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    unknown = sorted(set(attrs) - _ATTRIBUTES[op])
    if unknown:
        raise ValueError(
            f"{where}: unknown attribute {unknown[0]!r}; {op} takes "
            f"{', '.join(sorted(_ATTRIBUTES[op]))}."
        )
    w = _initializer(onnx, where, initializers, "W", inputs[1])
    if w.ndim < 3:
        raise ValueError(
            f"{where}: W must have shape (M, C / group, *kernel) or (C, M / group, *kernel) "
            f"with at least one spatial axis; received W.shape={w.shape}."
        )
    n = w.ndim - 2
    transpose = op == "ConvTranspose"
    config = _attributes(where, attrs, n, tuple(w.shape[2:]), transpose)
    groups = config["group"]
    c_out = w.shape[1] * groups if transpose else w.shape[0]
    b = None
    if len(inputs) == 3 and inputs[2]:
        b = _initializer(onnx, where, initializers, "B", inputs[2])
        if b.shape != (c_out,):
            raise ValueError(
                f"{where}: B must have shape (M,) = ({c_out},), one value per output channel; "
                f"received B.shape={b.shape}."
            )
    common: dict[str, Any] = {
        "where": where,
        "transpose": transpose,
        "ndim": n,
        "channels_first": True,
        "stride": config["strides"],
        "dilation": config["dilations"],
        "groups": groups,
    }
    w_array = as_param(where, "W", w)
    if transpose:
        call = Call(sizes=_TransposePads(where, tuple(w.shape[2:]), config), **common)
        kernel = layouts.from_onnx_conv_transpose(w_array)
    else:
        call = Call(padding=_conv_padding(config), **common)
        kernel = layouts.from_onnx_conv(w_array)
    bias = None if b is None else as_param(where, "B", b)
    return build(call, jnp.asarray(kernel), bias)


def _initializer(
    onnx: Any, where: str, initializers: Mapping[str, object], role: str, name: str
) -> np.ndarray:
    if name not in initializers:
        have = sorted(map(str, initializers))
        raise ValueError(
            f"{where}: `initializers` has no entry for the node's {role} input {name!r} "
            f"(it has {have}); pass every weight the node reads, e.g. "
            f"{{t.name: t for t in model.graph.initializer}}."
        )
    value = initializers[name]
    if isinstance(value, onnx.TensorProto):
        return onnx.numpy_helper.to_array(value)
    if not isinstance(value, np.ndarray) and not hasattr(value, "__array__"):
        raise TypeError(
            f"{where}: initializers[{name!r}] ({role}) must be a NumPy array or an "
            f"onnx.TensorProto; received a {describe(value)}."
        )
    return np.asarray(value)


def _attributes(
    where: str, attrs: dict[str, Any], n: int, window: tuple[int, ...], transpose: bool
) -> dict[str, Any]:
    """The node's attributes, checked, with ONNX's defaults filled in."""
    config: dict[str, Any] = {}
    if "kernel_shape" in attrs:
        kernel_shape = per_dim_ints(where, "kernel_shape", attrs["kernel_shape"], n, minimum=1)
        if kernel_shape != window:
            raise ValueError(
                f"{where}: `kernel_shape` must match W's spatial shape {list(window)}; "
                f"received kernel_shape={show(attrs['kernel_shape'])}."
            )
    config["strides"] = per_dim_ints(where, "strides", attrs.get("strides", 1), n, minimum=1)
    config["dilations"] = per_dim_ints(where, "dilations", attrs.get("dilations", 1), n, minimum=1)
    group = static_int(where, "group", attrs.get("group", 1))
    if group < 1:
        raise ValueError(f"{where}: `group` must be a positive int; received group={group}.")
    config["group"] = group
    auto_pad = attrs.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else str(auto_pad)
    if auto_pad not in _AUTO_PADS:
        raise ValueError(
            f"{where}: `auto_pad` must be one of {', '.join(_AUTO_PADS)}; received "
            f"auto_pad={auto_pad!r}."
        )
    config["auto_pad"] = auto_pad
    pads = attrs.get("pads")
    if pads is not None and auto_pad != "NOTSET":
        raise ValueError(
            f"{where}: `pads` cannot be used with auto_pad={auto_pad!r} (the ONNX spec forbids "
            f"both, and ONNX Runtime refuses them); received pads={show(pads)}."
        )
    if pads is None:
        pads = [0] * (2 * n)
    if not is_sequence(pads) or len(pads) != 2 * n:
        raise ValueError(
            f"{where}: `pads` must list {2 * n} ints (the begins of the {n} spatial axes, then "
            f"their ends); received pads={show(pads)}."
        )
    flat = per_dim_ints(where, "pads", pads, 2 * n, minimum=0)
    config["pads"] = tuple(zip(flat[:n], flat[n:]))
    if transpose:
        extra = per_dim_ints(where, "output_padding", attrs.get("output_padding", 0), n, minimum=0)
        for j, (a, s, d) in enumerate(zip(extra, config["strides"], config["dilations"])):
            if a >= max(s, d):
                raise ValueError(
                    f"{where}: output_padding[{j}]={a} must be smaller than the stride ({s}) or "
                    f"the dilation ({d}) of that axis (ONNX spec); received "
                    f"output_padding={show(attrs['output_padding'])}."
                )
        config["output_padding"] = extra
        shape = attrs.get("output_shape")
        if shape is not None:
            if not is_sequence(shape) or len(shape) != n:
                raise ValueError(
                    f"{where}: `output_shape` must list the {n} spatial sizes (no batch or "
                    f"channel entries); received output_shape={show(shape)}."
                )
            shape = per_dim_ints(where, "output_shape", shape, n, minimum=1)
        config["output_shape"] = shape
    return config


def _conv_padding(config: dict[str, Any]) -> Any:
    """``Conv``'s padding in jconv's words: ``SAME_UPPER`` is TF's (and jconv's) ``"SAME"``."""
    auto_pad = config["auto_pad"]
    if auto_pad == "NOTSET":
        return config["pads"]
    return {"SAME_UPPER": "SAME", "SAME_LOWER": "SAME_LOWER", "VALID": "VALID"}[auto_pad]


class _TransposePads:
    """``ConvTranspose``'s padding for an input's spatial sizes (:func:`onnx_transpose_pads`)."""

    def __init__(self, where: str, window: tuple[int, ...], config: dict[str, Any]) -> None:
        self.where, self.window, self.config = where, window, config

    def __call__(self, sizes: tuple[int, ...]) -> dict[str, Any]:
        c = self.config
        outs = c["output_shape"] or (None,) * len(sizes)
        dims = zip(
            sizes, self.window, c["strides"], c["dilations"], c["pads"], c["output_padding"], outs
        )
        padding = []
        for j, (i, k, s, d, p, a, o) in enumerate(dims):
            largest = shapes.transpose_output_sizes(i, k, s, "VALID", d)[-1]
            if o is not None and o > largest:
                raise ValueError(
                    f"{self.where}: output_shape[{j}]={o} is larger than {largest}, the largest "
                    f"size a convolution (kernel {k}, stride {s}, dilation {d}) maps back to the "
                    f"input's {i}; the spec's padding for it is ambiguous and ONNX Runtime "
                    f"refuses it. Pass at most {largest}."
                )
            padding.append(onnx_transpose_pads(i, k, s, d, c["auto_pad"], p, a, o))
        return {"padding": tuple(padding)}
