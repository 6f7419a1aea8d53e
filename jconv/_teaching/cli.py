"""The command line: ``python -m jconv shapes|explain|draw|demo``.

Bad values end with one line on stderr and exit status 2 (no traceback); the
checks are the library's own, so the messages are the ones a caller of
``jconv`` would see.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from jconv._canonical.padding import MODES
from jconv._teaching import names
from jconv._teaching.mapping import DEFAULT_NDIM
from jconv._teaching.report import Request

PROG = "python -m jconv"
USAGE_ERROR = 2
MISSING_EXTRA = 1

_DESCRIPTION = """\
Show what a convolution or transposed convolution does: sizes and equivalent
calls (shapes), the index mapping as text (explain), conv_arithmetic-style
pictures (draw), and the tutorial's examples (demo).

The operation is conv or transpose; transpose is also spelled deconv,
deconvolution or transposed (any case). Sizes are an int (every dimension) or
one per dimension: 5 or 5,7 (or 5x7); with ints only, a case is 2-D unless
--ndim says otherwise. Flags are spelled out in full (--stride, not --strides).
Examples:
  python -m jconv shapes transpose --input 5 --kernel 3 --stride 2 --padding SAME
  python -m jconv explain transpose --input 2 --kernel 3 --stride 2
  python -m jconv draw transpose --input 3 --kernel 3 --stride 2 --padding 1 -o t.gif
"""

_PADDING_FORMS = (
    "SAME, VALID, SAME_LOWER, CAUSAL (1-D), an int (both sides), one int per dim (1,2), "
    "a lo:hi pair (0:1) or one pair per dim (0:1,1:0)"
)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a single line and suggest what was meant.

    Flags must be spelled in full (no abbreviations). The top-level parser
    checks the command name and every flag before argparse parses them, so a
    mistyped flag is reported as such (with the closest spelling) rather than
    as a missing required option.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.flags: list[str] = []  # every option string, as added
        self.commands: dict[str, _Parser] = {}  # top level only: the subcommand parsers
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        self.flags.extend(action.option_strings)
        return action

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see --help)\n")

    def parse_known_args(  # type: ignore[override]  # typeshed's overloads; same behaviour
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self.commands:
            self._check_names(list(sys.argv[1:] if args is None else args))
        return super().parse_known_args(args, namespace)

    def _check_names(self, argv: list[str]) -> None:
        """Exits with a suggestion on an unknown command or flag."""
        flags = {name: sub.flags for name, sub in self.commands.items()}
        found = names.check_argv(argv, self.flags, flags)
        if found is not None:
            command, message = found
            (self if command is None else self.commands[command]).error(message)


def _kind(text: str) -> str:
    try:
        return names.kind(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


class UsageError(ValueError):
    """A command-line value that cannot be turned into jconv arguments."""


def _ints(text: str, what: str) -> tuple[int, ...]:
    parts = text.replace("x", ",").replace("X", ",").split(",")
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise UsageError(
            f"--{what} must be an int or comma-separated ints, one per dimension; received {text!r}"
        ) from None


def _padding(text: str) -> Any:
    """A jconv padding value from its command-line spelling (per-dim broadcast happens later)."""
    if text.replace("_", "").isalpha():
        return text.upper() if text.upper() in MODES else text
    items = text.split(",")
    try:
        if ":" in text:
            pairs = []
            for item in items:
                lo, hi = item.split(":")
                pairs.append((int(lo), int(hi)))
            return pairs
        ints = [int(v) for v in items]
    except ValueError:
        raise UsageError(f"--padding must be {_PADDING_FORMS}; received {text!r}") from None
    return ints[0] if len(ints) == 1 else ints


def _broadcast(name: str, values: tuple[int, ...] | None, ndim: int) -> tuple[int, ...] | None:
    if values is None:
        return None
    if len(values) == 1:
        return values * ndim
    if len(values) != ndim:
        raise UsageError(
            f"--{name} has {len(values)} values but the case has {ndim} spatial dimension(s)"
        )
    return values


def _given(sizes: dict[str, tuple[int, ...] | None], name: str) -> tuple[int, ...]:
    """A size the parser always supplies (a required option, or one with a default)."""
    values = sizes[name]
    if values is None:
        raise UsageError(f"--{name} is required")
    return values


def request(args: argparse.Namespace) -> Request:
    """Turns parsed options into a :class:`Request`, broadcasting per dimension.

    The number of spatial dimensions is ``--ndim``, else the length of any
    per-dimension option, else :data:`jconv._teaching.mapping.DEFAULT_NDIM`
    (the same for every command, and for :mod:`jconv.viz`).
    """
    sizes = {
        name: _ints(getattr(args, name.replace("-", "_")), name)
        if getattr(args, name.replace("-", "_")) is not None
        else None
        for name in ("input", "kernel", "stride", "dilation", "output-padding", "output-size")
    }
    padding = _padding(args.padding)
    lengths = {len(v) for v in sizes.values() if v is not None and len(v) > 1}
    if isinstance(padding, list) and len(padding) > 1:
        lengths.add(len(padding))
    if args.ndim is not None:
        if args.ndim < 1:
            raise UsageError(f"--ndim must be >= 1; received {args.ndim}")
        lengths.add(args.ndim)
    if len(lengths) > 1:
        raise UsageError(f"the options give different numbers of dimensions: {sorted(lengths)}")
    ndim = lengths.pop() if lengths else DEFAULT_NDIM
    if isinstance(padding, list) and len(padding) == 1:
        padding = padding * ndim  # one lo:hi pair for every dimension
    b = {name: _broadcast(name, v, ndim) for name, v in sizes.items()}
    if args.kind == "conv" and (b["output-padding"] or b["output-size"]):
        raise UsageError("--output-padding and --output-size are for transpose only")
    if b["output-padding"] and b["output-size"]:
        raise UsageError("pass either --output-padding or --output-size, not both")
    return Request(
        kind=args.kind,
        in_size=_given(b, "input"),
        window=_given(b, "kernel"),
        stride=_given(b, "stride"),
        padding=padding,
        dilation=_given(b, "dilation"),
        output_padding=b["output-padding"] or (0,) * ndim,
        output_size=b["output-size"],
        groups=getattr(args, "groups", 1),
    )


def _case_options(p: argparse.ArgumentParser, groups: bool) -> None:
    p.add_argument(
        "kind",
        type=_kind,
        choices=names.KINDS,
        help=f"conv or transpose; {names.SYNONYM_TEXT}",
    )
    p.add_argument("--input", required=True, metavar="SIZE", help="input spatial size(s)")
    p.add_argument("--kernel", required=True, metavar="SIZE", help="kernel spatial size(s)")
    p.add_argument("--stride", default="1", metavar="S", help="stride(s), default 1")
    p.add_argument(
        "--padding",
        default="VALID",
        help=f"{_PADDING_FORMS}; default VALID. Negative values crop: write --padding=-1:0",
    )
    p.add_argument("--dilation", default="1", metavar="D", help="kernel dilation(s), default 1")
    p.add_argument(
        "--output-padding",
        metavar="A",
        help="transpose only: PyTorch's output_padding (extra size at the end)",
    )
    p.add_argument(
        "--output-size",
        metavar="SIZE",
        help="transpose only: the output size to pick among the accepted ones",
    )
    p.add_argument(
        "--ndim",
        type=int,
        metavar="N",
        help=f"number of spatial dims (default: from the sizes given, else {DEFAULT_NDIM})",
    )
    if groups:
        p.add_argument(
            "--groups",
            type=int,
            default=1,
            metavar="G",
            help="channel groups, drawn as channel bands (default 1)",
        )


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m jconv``."""
    top = _Parser(
        prog=PROG, description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shapes = sub.add_parser(
        "shapes",
        help="sizes, padding and equivalent calls",
        description="Prints the output size, the (lo, hi) padding applied, the output sizes a "
        "transpose accepts, and the jconv, tf.nn (compat.tf) and PyTorch calls that compute the "
        "same thing, or why TensorFlow or PyTorch cannot; warns about uneven overlap "
        "(checkerboard artifacts).",
    )
    _case_options(shapes, groups=False)
    explain = sub.add_parser(
        "explain",
        help="the index mapping of a small case, as text",
        description="Prints, for a small 1-D or 2-D case, the input the kernel "
        "slides over (with the inserted zeros and padding of a transpose), the kernel taps as "
        "applied (flipped for a transpose), and which input cells feed each output cell, as "
        "computed by running jconv on one-hot inputs.",
    )
    _case_options(explain, groups=True)
    draw = sub.add_parser(
        "draw",
        help="an animation (.gif) or picture (.png, .svg)",
        description="Draws the case in conv_arithmetic's style (input blue, kernel footprint "
        "shaded, output green): a GIF with one frame per output cell, or one picture. Input "
        "cells are named (x0, x1, ...; in 2-D x00, x01, ..., row then column), and the caption "
        "states the padding drawn around the input: for a transpose k-1-p cells before and "
        "k-1-p+output_padding after, k being the dilated kernel size d*(k-1)+1. Needs the viz "
        "extra: pip install jconv[viz].",
    )
    _case_options(draw, groups=True)
    draw.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="where to write: .gif (animation), .png or .svg (one picture)",
    )
    draw.add_argument(
        "--position",
        metavar="POS",
        help="picture only: the output cell to highlight (default: the middle)",
    )
    draw.add_argument("--fps", type=float, default=2.0, help="animation frames per second")
    demo = sub.add_parser(
        "demo",
        help="the tutorial's examples through jconv and compat.tf",
        description="Runs the TensorFlow tutorial's examples through jconv and compat.tf, "
        "prints them as an interactive session, and draws the stride-2 transpose.",
    )
    demo.add_argument(
        "--out",
        metavar="DIR",
        default=".",
        help="where to write the animation (default: the current directory)",
    )
    top.commands = {"shapes": shapes, "explain": explain, "draw": draw, "demo": demo}
    return top


def _shapes(args: argparse.Namespace) -> int:
    from jconv._teaching.report import report

    print("\n".join(report(request(args))))
    return 0


def _explain(args: argparse.Namespace) -> int:
    from jconv._teaching.explain import explain
    from jconv._teaching.mapping import index_map

    req = request(args)
    if req.ndim > 2:
        raise UsageError(f"explain shows 1-D and 2-D cases; received {req.ndim} dimensions")
    imap = index_map(
        req.kind,
        req.in_size,
        req.window,
        req.stride,
        req.padding,
        dilation=req.dilation,
        output_padding=req.output_padding,
        output_size=req.output_size,
        groups=req.groups,
        ndim=req.ndim,
    )
    print("\n".join(explain(imap)))
    return 0


def _draw(args: argparse.Namespace) -> int:
    suffix = args.output.rsplit(".", 1)[-1].lower() if "." in args.output else ""
    if suffix not in ("gif", "png", "svg", "pdf"):
        raise UsageError(f"-o must end in .gif, .png, .svg or .pdf; received {args.output!r}")
    req = request(args)
    if req.ndim > 2:
        raise UsageError(f"draw shows 1-D and 2-D cases; received {req.ndim} dimensions")
    from jconv import viz

    kw = dict(
        stride=req.stride,
        padding=req.padding,
        dilation=req.dilation,
        output_padding=req.output_padding,
        output_size=req.output_size,
        groups=req.groups,
        path=args.output,
    )
    if args.fps <= 0:
        raise UsageError(f"--fps must be positive; received {args.fps}")
    if suffix == "gif":
        if args.position is not None:
            raise UsageError("--position is for pictures (.png, .svg); an animation shows all")
        out = viz.animate(req.kind, req.in_size, req.window, fps=args.fps, **kw)
    else:
        pos = (
            None
            if args.position is None
            else _broadcast("position", _ints(args.position, "position"), req.ndim)
        )
        out = viz.diagram(req.kind, req.in_size, req.window, position=pos, **kw)
    frames = f", {out.frames} frames" if out.frames > 1 else ""
    print(f"wrote {out.path} ({out.size[0]}x{out.size[1]} pixels{frames})")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from jconv._teaching.demo import run

    return run(args.out)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit status."""
    p = parser()
    args = p.parse_args(argv)
    command = {"shapes": _shapes, "explain": _explain, "draw": _draw, "demo": _demo}
    sub_prog = f"{PROG} {args.command}"
    try:
        return command[args.command](args)
    except BrokenPipeError:  # e.g. `python -m jconv explain ... | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ImportError as e:
        if "pip install" not in str(e):
            raise
        print(f"{sub_prog}: error: {e}", file=sys.stderr)
        return MISSING_EXTRA
    except (ValueError, TypeError) as e:
        print(f"{sub_prog}: error: {e}", file=sys.stderr)
        return USAGE_ERROR
