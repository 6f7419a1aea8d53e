"""The shape report of ``python -m jconv shapes``: sizes, padding, and equivalent calls.

Every number comes from :mod:`jconv.shapes`; the op itself is then traced with
``jax.eval_shape`` (no compute) to confirm the size, so the library's own
validation and error messages apply. The TensorFlow and PyTorch calls are
printed only when they compute *the same thing*, not merely the same shape.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Any

from jconv import shapes
from jconv._canonical.padding import normalize_padding


@dataclasses.dataclass(frozen=True)
class Request:
    """One ``shapes``/``explain``/``draw`` command line, parsed and broadcast per dim."""

    kind: str  # "conv" or "transpose"
    in_size: tuple[int, ...]
    window: tuple[int, ...]
    stride: tuple[int, ...]
    padding: Any  # any form jconv accepts
    dilation: tuple[int, ...]
    output_padding: tuple[int, ...] | None = None
    output_size: tuple[int, ...] | None = None
    groups: int = 1

    @property
    def ndim(self) -> int:
        return len(self.in_size)


@dataclasses.dataclass(frozen=True)
class Plan:
    """The numbers of one request, all from :mod:`jconv.shapes`."""

    out_size: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]  # the forward convolution's (lo, hi) per dim
    accepted: tuple[range, ...]  # transpose output sizes accepted (for conv: transposing back)


def lit(v: Any) -> str:
    """A Python literal, with double-quoted strings."""
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(lit(x) for x in v) + "]"
    if isinstance(v, tuple):
        inner = ", ".join(lit(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    return repr(v)


def one(v: tuple) -> Any:
    """A per-dim tuple as one value when every dim agrees (how a user would write it)."""
    return v[0] if len(set(v)) == 1 else v


def per_dim(v: tuple) -> Any:
    """A per-dim tuple shown as its only item in 1-D."""
    return v[0] if len(v) == 1 else v


def plan(req: Request) -> Plan:
    """Sizes and padding of ``req``, from :mod:`jconv.shapes` only."""
    args = (req.window, req.stride, req.padding, req.dilation)
    if req.kind == "conv":
        out = shapes.conv_output_shape(req.in_size, *args)
        accepted = shapes.transpose_output_shapes(out, *args)
        fwd_in = req.in_size
    else:
        out = req.output_size or shapes.transpose_output_shape(
            req.in_size, *args, output_padding=req.output_padding
        )
        accepted = shapes.transpose_output_shapes(req.in_size, *args)
        fwd_in = out
    specs = normalize_padding("jconv.shapes", req.padding, req.ndim)
    pads = tuple(
        shapes.resolve_padding(i, k, s, p, d)
        for i, k, s, p, d in zip(fwd_in, req.window, req.stride, specs, req.dilation)
    )
    return Plan(tuple(out), pads, tuple(accepted))


def traced_shape(req: Request) -> tuple[int, ...]:
    """The op's output shape, traced with ``jax.eval_shape`` on ``(1, *spatial, 1)`` inputs."""
    import jax
    import jax.numpy as jnp

    import jconv

    x = jax.ShapeDtypeStruct((1, *req.in_size, 1), jnp.float32)
    w = jax.ShapeDtypeStruct((*req.window, 1, 1), jnp.float32)
    kw: dict[str, Any] = {"dilation": req.dilation}
    if req.kind == "conv":
        fn = functools.partial(jconv.conv, stride=req.stride, padding=req.padding, **kw)
    else:
        if req.output_size is not None:
            kw["output_shape"] = req.output_size
        else:
            kw["output_padding"] = req.output_padding
        fn = functools.partial(jconv.conv_transpose, stride=req.stride, padding=req.padding, **kw)
    return tuple(jax.eval_shape(fn, x, w).shape)


# ---------------------------------------------------------------------------
# Equivalent calls.


def jconv_call(req: Request, p: Plan) -> str:
    x = lit((1, *req.in_size, 1))
    w = lit((*req.window, 1, 1))
    parts = [f"np.ones({x})", f"np.ones({w})"]
    if one(req.stride) != 1:
        parts.append(f"stride={lit(one(req.stride))}")
    parts.append(f"padding={lit(req.padding)}")
    if one(req.dilation) != 1:
        parts.append(f"dilation={lit(one(req.dilation))}")
    if req.kind == "transpose":
        if req.output_size is not None:
            parts.append(f"output_shape={lit(req.output_size)}")
        elif req.output_padding and any(req.output_padding):
            parts.append(f"output_padding={lit(one(req.output_padding))}")
        name = "jconv.conv_transpose"
    else:
        name = "jconv.conv"
    return f"{name}({', '.join(parts)})  # -> {lit((1, *p.out_size, 1))}"


def _tf_padding(req: Request, p: Plan) -> tuple[Any, str | None]:
    """TF's padding argument giving exactly these pads, or ``(None, why not)``."""
    fwd_in = req.in_size if req.kind == "conv" else p.out_size
    same = tuple(
        shapes.resolve_padding(i, k, s, "SAME", d)
        for i, k, s, d in zip(fwd_in, req.window, req.stride, req.dilation)
    )
    if p.pads == same:
        return "SAME", None
    if all(pad == (0, 0) for pad in p.pads):
        return "VALID", None
    if any(v < 0 for pad in p.pads for v in pad):
        return None, f"padding {per_dim(p.pads)} crops, and TensorFlow's padding is never negative"
    if req.ndim != 2:
        return None, (
            f"padding {per_dim(p.pads)} is neither SAME nor VALID here, and TensorFlow takes "
            f"explicit padding only in 2-D ops"
        )
    return [[0, 0], *[list(pad) for pad in p.pads], [0, 0]], None


def tf_val(v: tuple[int, ...]) -> str:
    """A per-dim value as TF takes it: one int, or a list."""
    u = one(v)
    return lit(u if isinstance(u, int) else list(u))


def tf_call(req: Request, p: Plan) -> str:
    """The ``tf.nn`` call (TensorFlow or ``compat.tf``) computing the same, or why there is none."""
    n = req.ndim
    if n > 3:
        return f"not expressible: TensorFlow has no {n}-D convolution"
    padding, why = _tf_padding(req, p)
    if padding is None:
        return f"not expressible: {why}"
    x = lit([1, *req.in_size, 1])
    w = lit([*req.window, 1, 1])
    parts = [f"tf.ones({x})", f"tf.ones({w})"]
    note = ""
    if req.kind == "transpose":
        name = f"conv{n}d_transpose"
        parts.append(f"output_shape={lit([1, *p.out_size, 1])}")
        parts.append(f"strides={tf_val(req.stride)}")
    elif n == 1:
        name = "conv1d"
        parts.append(f"stride={lit(one(req.stride))}")
    elif n == 2:
        name = "conv2d"
        parts.append(f"strides={tf_val(req.stride)}")
    else:
        name = "conv3d"
        parts.append(f"strides={lit([1, *req.stride, 1])}")
    parts.append(f"padding={lit(padding)}")
    if one(req.dilation) != 1:
        d = lit([1, *req.dilation, 1]) if name == "conv3d" else tf_val(req.dilation)
        parts.append(f"dilations={d}")
        if req.kind == "transpose" or name == "conv3d":
            note = "; TensorFlow's CPU kernels reject this dilation (its GPU and compat.tf run it)"
    shape = lit((1, *p.out_size, 1))
    return f"tf.nn.{name}({', '.join(parts)})  # -> {shape}{note}"


def _torch_pad_ok(req: Request, p: Plan) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """PyTorch's symmetric ``padding`` and ``output_padding`` giving exactly ``p``, if any."""
    pads, extras = [], []
    for dim in range(req.ndim):
        i, k, s, d = req.in_size[dim], req.window[dim], req.stride[dim], req.dilation[dim]
        lo, _ = p.pads[dim]
        if lo < 0:
            return None
        if req.kind == "conv":
            # Same start, same number of windows: the unread high padding does not matter.
            if shapes.conv_output_size(i, k, s, lo, d) != p.out_size[dim]:
                return None
            pads.append(lo)
            continue
        # PyTorch starts at `lo` too; output_padding then sets the size.
        try:
            base = shapes.transpose_output_size(i, k, s, lo, d)
            extra = p.out_size[dim] - base
            if (
                shapes.transpose_output_size(i, k, s, lo, d, output_padding=max(extra, 0))
                != (p.out_size[dim])
            ):
                return None
        except ValueError:
            return None
        pads.append(lo)
        extras.append(extra)
    return tuple(pads), tuple(extras)


def torch_call(req: Request, p: Plan) -> str:
    """The ``torch.nn.functional`` call computing the same, or why there is none."""
    n = req.ndim
    if n > 3:
        return f"not expressible: PyTorch has no {n}-D convolution"
    x = f"torch.ones{lit((1, 1, *req.in_size))}"
    w = f"torch.ones{lit((1, 1, *req.window))}"
    name = f"conv_transpose{n}d" if req.kind == "transpose" else f"conv{n}d"
    stride = f"stride={lit(one(req.stride))}"
    dil = [f"dilation={lit(one(req.dilation))}"] if one(req.dilation) != 1 else []
    shape = lit((1, 1, *p.out_size))
    ok = _torch_pad_ok(req, p)
    if ok is not None:
        pad, extra = ok
        parts = [x, w, stride]
        if any(pad):
            parts.append(f"padding={lit(one(pad))}")
        if extra and any(extra):
            parts.append(f"output_padding={lit(one(extra))}")
        return f"F.{name}({', '.join([*parts, *dil])})  # -> {shape}"
    # Not with `padding=`: say why, and give an exact two-step equivalent when there is one.
    pads = per_dim(p.pads)
    if req.kind == "conv" and set(req.stride) == {1}:
        same = tuple(
            shapes.resolve_padding(i, k, 1, "SAME", d)
            for i, k, d in zip(req.in_size, req.window, req.dilation)
        )
        if p.pads == same:  # PyTorch's "same" also puts the odd unit at the high end
            parts = [x, w, 'padding="same"', *dil]
            return f"F.{name}({', '.join(parts)})  # -> {shape}"
    if req.kind == "conv":
        why = f"needs padding {pads}, but PyTorch's `padding` is the same on both sides"
        if all(v >= 0 for pad in p.pads for v in pad):
            flat = [v for pad in reversed(p.pads) for v in pad]  # F.pad: last dim first
            alt = f"F.{name}(F.pad({x}, {lit(tuple(flat))}), {', '.join([w, stride, *dil])})"
            return f"not expressible with `padding=` ({why}); exactly: {alt}  # -> {shape}"
        return f"not expressible ({why})"
    why = (
        f"needs padding {pads}: PyTorch's `padding` removes the same amount at both ends and "
        f"`output_padding` only adds 0 to max(stride, dilation) - 1 at the high end"
    )
    full = shapes.transpose_output_shape(req.in_size, req.window, req.stride, "VALID", req.dilation)
    if all(lo >= 0 and lo + o <= f for (lo, _), o, f in zip(p.pads, p.out_size, full)):
        crop = ", ".join(f"{lo}:{lo + o}" for (lo, _), o in zip(p.pads, p.out_size))
        alt = f"F.{name}({', '.join([x, w, stride, *dil])})[..., {crop}]"
        return f"not expressible with `padding=` ({why}); exactly: {alt}  # -> {shape}"
    return f"not expressible ({why})"


# ---------------------------------------------------------------------------
# Uneven overlap.


def overlap_warnings(req: Request) -> list[str]:
    """One warning per dim where output cells of the transpose sum unequal numbers of taps.

    The counts come from the library (:func:`jconv._teaching.mapping.index_map` on a
    long 1-D input). ``kernel % stride != 0`` always gives unequal counts.
    """
    from jconv._teaching.mapping import index_map

    out = []
    for dim, (k, s, d) in enumerate(zip(req.window, req.stride, req.dilation)):
        if s == 1:
            continue
        n = 2 * shapes.effective_kernel_size(k, d) + 2
        counts = index_map("transpose", n, k, s, "VALID", dilation=d, ndim=1).tap_counts()
        mid = len(counts) // 2
        cycle = [int(c) for c in counts[mid : mid + s]]
        if len(set(cycle)) > 1:
            where = f" in dimension {dim}" if req.ndim > 1 else ""
            dil = f", dilation {d}" if d != 1 else ""
            whose = "its transpose's (and its gradient's)" if req.kind == "conv" else "its"
            fix = (
                "a kernel size divisible by the stride avoids it"
                if math.gcd(d, s) == 1
                else "the dilation and stride share a factor, so no kernel size avoids it"
            )
            out.append(
                f"warning: uneven overlap{where} (kernel {k}, stride {s}{dil}): {whose} "
                f"output cells sum {', '.join(map(str, cycle))} kernel taps in turn, which "
                f"causes checkerboard artifacts; {fix}."
            )
    return out


def report(req: Request) -> list[str]:
    """The lines ``python -m jconv shapes`` prints."""
    p = plan(req)
    traced = traced_shape(req)
    if traced[1:-1] != p.out_size:
        raise RuntimeError(
            f"internal error: jconv.shapes gives {p.out_size} but the op returns {traced}."
        )
    op = "jconv.conv_transpose" if req.kind == "transpose" else "jconv.conv"
    head = (
        f"{op}, {req.ndim}-D: input {lit(per_dim(req.in_size))}, kernel "
        f"{lit(per_dim(req.window))}, stride {lit(per_dim(req.stride))}, padding {lit(req.padding)}"
    )
    if one(req.dilation) != 1:
        head += f", dilation {lit(per_dim(req.dilation))}"
    if req.output_padding and any(req.output_padding):
        head += f", output_padding {lit(per_dim(req.output_padding))}"
    if req.output_size is not None:
        head += f", output size {lit(per_dim(req.output_size))}"
    accepted = tuple(list(r) for r in p.accepted)
    if req.kind == "transpose":
        pad_note = "the forward convolution's, resolved for the output size"
        acc = f"{lit(per_dim(accepted))}  # output sizes this input accepts: output_shape picks one"
    else:
        pad_note = "added before and after the input"
        acc = (
            f"{lit(per_dim(accepted))}  # output sizes a transpose from "
            f"{lit(per_dim(p.out_size))} accepts; output_shape={lit(req.in_size)} restores the input"
        )
    lines = [
        head,
        f"  output size:      {lit(per_dim(p.out_size))}",
        f"  padding (lo, hi): {lit(per_dim(p.pads))}  # {pad_note}",
        f"  {'accepted sizes:  ' if req.kind == 'transpose' else 'transpose back:  '} {acc}",
        f"  jconv:            {jconv_call(req, p)}",
        f"  tf.nn:            {tf_call(req, p)}",
        f"  PyTorch:          {torch_call(req, p)}",
        "  (run with: import numpy as np, jconv; from compat import tf; "
        "import torch, torch.nn.functional as F)",
    ]
    return lines + [f"  {w}" for w in overlap_warnings(req)]
