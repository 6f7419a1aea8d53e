"""The extreme-size calls: huge ints in every int argument of every entry point.

Each case is (label, call, expect); ``expect`` is computed lazily (the model
may say Skip for a valid but too-large call). Deterministic order, shared by
the parent and the worker.
"""

from __future__ import annotations

import jconv
from compat import tf, torch

from . import _native as M
from ._harness import UNKNOWN, Expect, Reject

F = torch.nn.functional


def _native(fn, model, kw, arg):
    return lambda: M.expect_for(model, kw, arg)


def _loose(names):
    """Rejection naming the argument, or a finite result (no model for the value)."""
    return lambda: Expect(value=UNKNOWN, may_reject=True, names=names)


def cases():
    out = []
    add = out.append
    for v in (2**17, 2**31, 2**63, 10**12, -(10**12), 2**64):
        b = M.conv_base(2)
        for arg, val in (
            ("stride", v),
            ("dilation", v),
            ("padding", v),
            ("padding", [(v, 0), (0, 0)]),
            ("groups", v),
            ("stride", (1, v)),
        ):
            kw = {**b, arg: val}
            add(
                (
                    f"jconv.conv {arg}={val!r}",
                    lambda kw=kw: jconv.conv(**kw),
                    _native(jconv.conv, M.model_conv, kw, arg),
                )
            )
        for alg in (*jconv.ALGORITHMS, "auto"):
            b = M.transpose_base(2, alg)
            for arg, val in (
                ("stride", v),
                ("stride", (v, 1)),
                ("dilation", v),
                ("padding", v),
                ("padding", [(0, v), (0, 0)]),
                ("output_shape", (v, v)),
                ("output_padding", v),
                ("groups", v),
            ):
                kw = {**b, arg: val}
                add(
                    (
                        f"jconv.conv_transpose[{alg}] {arg}={val!r}",
                        lambda kw=kw: jconv.conv_transpose(**kw),
                        _native(jconv.conv_transpose, M.model_transpose, kw, arg),
                    )
                )
        # jconv.shapes: every int argument.
        for name in jconv.shapes.__all__:
            fn = getattr(jconv.shapes, name)
            if not callable(fn):  # MAX_ARRAY_BYTES
                continue
            per_dim = not name.endswith("shape") and not name.endswith("shapes")
            base = (
                {"input_size": 5, "kernel_size": 3}
                if per_dim
                else {"input_shape": (5, 6), "kernel_shape": (3, 2)}
            )
            if name == "effective_kernel_size":
                base = {"kernel_size": 3}
            args = [
                a
                for a in ("input_size", "kernel_size", "stride", "dilation", "padding")
                if a in fn.__code__.co_varnames
            ]
            args += [a for a in ("input_shape", "kernel_shape") if a in fn.__code__.co_varnames]
            for arg in args:
                val = v if arg not in ("input_shape", "kernel_shape") else (v, 2)
                kw = {**base, arg: val}
                add(
                    (
                        f"jconv.shapes.{name} {arg}={val!r}",
                        lambda fn=fn, kw=kw: fn(**kw),
                        _loose((arg,)),
                    )
                )
        # compat.tf
        x2, f2, y2 = M.ints((2, 5, 6, 4), 1), M.ints((3, 2, 4, 6), 2), M.ints((2, 3, 4, 6), 3)
        for arg, val in (
            ("strides", v),
            ("strides", [1, v, 1, 1]),
            ("dilations", v),
            ("padding", [[0, 0], [v, v], [0, 0], [0, 0]]),
        ):
            kw = {"input": x2, "filters": f2, "strides": 1, "padding": "VALID", arg: val}
            add(
                (
                    f"compat.tf.nn.conv2d {arg}={val!r}",
                    lambda kw=kw: tf.nn.conv2d(**kw),
                    _loose((arg,)),
                )
            )
        for arg, val in (
            ("strides", v),
            ("output_shape", [2, v, v, 4]),
            ("dilations", v),
            ("padding", [[0, 0], [v, 0], [0, 0], [0, 0]]),
        ):
            kw = {
                "input": y2,
                "filters": f2,
                "output_shape": [2, 6, 8, 4],
                "strides": 2,
                "padding": "SAME",
                arg: val,
            }
            add(
                (
                    f"compat.tf.nn.conv2d_transpose {arg}={val!r}",
                    lambda kw=kw: tf.nn.conv2d_transpose(**kw),
                    _loose((arg,)),
                )
            )
        kw = {"value": x2, "filters": f2, "rate": v, "padding": "SAME"}
        add(
            (
                f"compat.tf.nn.atrous_conv2d rate={v!r}",
                lambda kw=kw: tf.nn.atrous_conv2d(**kw),
                _loose(("rate",)),
            )
        )
        # compat.torch
        xt, wt = M.ints((2, 4, 5, 6), 4), M.ints((6, 4, 3, 2), 5)
        for arg in ("stride", "padding", "dilation", "groups"):
            kw = {"input": xt, "weight": wt, arg: v}
            add((f"compat.torch conv2d {arg}={v!r}", lambda kw=kw: F.conv2d(**kw), _loose((arg,))))
        yt = M.ints((2, 6, 3, 4), 6)
        for arg in ("stride", "padding", "dilation", "groups", "output_padding"):
            kw = {"input": yt, "weight": wt, "stride": 2, arg: v}
            add(
                (
                    f"compat.torch conv_transpose2d {arg}={v!r}",
                    lambda kw=kw: F.conv_transpose2d(**kw),
                    _loose((arg,)),
                )
            )
    # Calls that may hang run last, so a budget overrun costs only them.
    return sorted(out, key=lambda c: "conv_transpose[" in c[0] and "stride" in c[0])


__all__ = ["Reject", "cases"]
