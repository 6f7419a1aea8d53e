"""Names on the command line: operation synonyms, and "did you mean" for the rest.

``python -m jconv`` takes ``conv`` or ``transpose`` as the operation, and
accepts the other names people use for a transposed convolution (``deconv``,
``deconvolution``, ``transposed``, in any case). A name or flag it does not
know gets one suggestion line: the closest of the parser's own spellings
(:func:`difflib.get_close_matches`), or the flag a TensorFlow, PyTorch or Keras
user most likely meant (``--strides`` is ``--stride``, ``--kernel_size`` is
``--kernel``). Nothing here guesses a value: a suggestion is only ever text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence

KINDS = ("conv", "transpose")
SYNONYMS = {"deconv": "transpose", "deconvolution": "transpose", "transposed": "transpose"}
SYNONYM_TEXT = "transpose is also spelled deconv, deconvolution or transposed (any case)"
_KIND_CHOICES = "'conv' or 'transpose', also spelled 'deconv', 'deconvolution' or 'transposed'"
CUTOFF = 0.6  # difflib's default similarity cutoff
RUNNER_UP = 0.15  # how much less similar a second suggestion may be

# Operation names from other libraries, normalized by `_plain` (lower case, no separators,
# no "1d"/"2d"/"3d"), and the operation they mean here.
_KIND_HINTS = {
    "convolution": "conv",
    "convtranspose": "transpose",
    "convolutiontranspose": "transpose",
    "transposeconv": "transpose",
    "transposedconv": "transpose",
    "transposeconvolution": "transpose",
    "transposedconvolution": "transpose",
    "upconv": "transpose",
    "fractionallystrided": "transpose",
}
_COMMAND_HINTS = {
    "shape": "shapes",
    "size": "shapes",
    "sizes": "shapes",
    "animate": "draw",
    "animation": "draw",
    "diagram": "draw",
    "picture": "draw",
    "plot": "draw",
    "gif": "draw",
    "examples": "demo",
    "tutorial": "demo",
}
# Flag names from TensorFlow, PyTorch, Keras and ONNX (lower case, '-' for '_'), and ours.
FLAG_HINTS = {
    "strides": "--stride",
    "kernel-size": "--kernel",
    "kernel-shape": "--kernel",
    "ksize": "--kernel",
    "filter-size": "--kernel",
    "filters": "--kernel",
    "filter": "--kernel",
    "window": "--kernel",
    "window-size": "--kernel",
    "pad": "--padding",
    "pads": "--padding",
    "dilations": "--dilation",
    "dilation-rate": "--dilation",
    "rate": "--dilation",
    "output-shape": "--output-size",
    "out-size": "--output-size",
    "out-padding": "--output-padding",
    "adj": "--output-padding",
    "input-size": "--input",
    "input-shape": "--input",
    "in-size": "--input",
    "ndims": "--ndim",
    "rank": "--ndim",
    "dims": "--ndim",
    "spatial-dims": "--ndim",
}
_SHORT_HINTS = {
    "-i": "--input",
    "-k": "--kernel",
    "-s": "--stride",
    "-p": "--padding",
    "-d": "--dilation",
    "-n": "--ndim",
    "-g": "--groups",
}


def _plain(name: str) -> str:
    """``name`` in lower case without separators or a rank suffix (``Conv2D`` -> ``conv``)."""
    return re.sub(r"(?<=[a-z])[1-3]d", "", re.sub(r"[-_ ]", "", name.lower()))


def _or(names: Sequence[str], word: str = "or") -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {word} {names[-1]}"


def _closest(word: str, table: Mapping[str, str]) -> str | None:
    """The value of ``table`` whose key is closest to ``word``, if any is close enough."""
    best = difflib.get_close_matches(word, list(table), n=1, cutoff=CUTOFF)
    return table[best[0]] if best else None


def _choice_error(text: str, choices: str, suggestion: str | None) -> str:
    msg = f"invalid choice: {text!r} (choose from {choices})"
    return msg if suggestion is None else f"{msg}; did you mean {suggestion!r}?"


def kind(text: str) -> str:
    """The operation ``text`` names: ``"conv"`` or ``"transpose"``.

    Raises:
      ValueError: ``text`` is not an operation name; the message suggests
        the closest one.

    Examples:
      >>> kind("Deconv"), kind("TRANSPOSED"), kind("conv")
      ('transpose', 'transpose', 'conv')
      >>> kind("conv2d_transpose")
      Traceback (most recent call last):
        ...
      ValueError: invalid choice: 'conv2d_transpose' (choose from 'conv' or 'transpose', also spelled 'deconv', 'deconvolution' or 'transposed'); did you mean 'transpose'?
    """
    low = text.lower()
    accepted = {**{k: k for k in KINDS}, **SYNONYMS}
    if low in accepted:
        return accepted[low]
    plain = _plain(text)
    if plain in accepted or plain in _KIND_HINTS:
        # e.g. conv2d, deconv3d, ConvTranspose2d: suggest the name that is accepted.
        suggestion: str | None = plain if plain in accepted else _KIND_HINTS[plain]
    else:
        suggestion = _closest(low, {**{k: k for k in accepted}, **_KIND_HINTS})
    raise ValueError(_choice_error(text, _KIND_CHOICES, suggestion))


def command_error(text: str, commands: Sequence[str]) -> str | None:
    """The error for a command name that is not one of ``commands`` (None if it is one)."""
    if text in commands:
        return None
    low = text.lower()
    table = {**{c: c for c in commands}, **_COMMAND_HINTS}
    suggestion = table.get(low) or _closest(low, table)
    return _choice_error(text, ", ".join(repr(c) for c in commands), suggestion)


def flag_suggestions(flag: str, known: Iterable[str]) -> list[str]:
    """Flags of ``known`` that ``flag`` (one this parser does not take) probably meant.

    Args:
      flag: the option as typed, without any ``=value``.
      known: this parser's option strings.

    Returns:
      One or two option strings, best first; empty when nothing is close.

    Examples:
      >>> known = ["--input", "--kernel", "--stride", "--padding", "--output-size"]
      >>> flag_suggestions("--strides", known), flag_suggestions("--kernel_size", known)
      (['--stride'], ['--kernel'])
      >>> flag_suggestions("--pading", known), flag_suggestions("--xyz", known)
      (['--padding'], [])
    """
    known = list(known)
    if not flag.startswith("--"):
        hint = _SHORT_HINTS.get(flag[:2])
        return [hint] if hint in known else []
    name = flag[2:].lower().replace("_", "-")
    if "--" + name in known:  # only the case or '_' differs
        return ["--" + name]
    hint = FLAG_HINTS.get(name)
    if hint in known:
        return [hint]
    long = {f[2:]: f for f in known if f.startswith("--")}
    scored: dict[str, float] = {}  # target flag -> its best similarity
    for n in difflib.get_close_matches(name, list(long) + list(FLAG_HINTS), n=6, cutoff=CUTOFF):
        target = long.get(n) or FLAG_HINTS[n]
        if target in known and target not in scored:
            scored[target] = difflib.SequenceMatcher(None, name, n).ratio()
    best = max(scored.values(), default=0.0)
    # A second flag only when it is nearly as close (--output: --output-size or --output-padding).
    return [f for f, r in scored.items() if r >= best - RUNNER_UP][:2]


def unknown_flags_error(
    unknown: Sequence[str],
    known: Iterable[str],
    elsewhere: Mapping[str, Sequence[str]] | None = None,
    *,
    top: bool = False,
) -> str:
    """One line naming every unrecognized flag, each with its suggestion if there is one.

    Args:
      unknown: the flags as typed, without any ``=value``.
      known: the option strings of the parser that got them.
      elsewhere: for options that other commands take, those commands.
      top: whether the flags came before the command (``python -m jconv --input 5 ...``).

    Examples:
      >>> unknown_flags_error(["--strides", "--bogus"], ["--stride"])
      'unrecognized arguments: --strides (did you mean --stride?), --bogus'
      >>> unknown_flags_error(["--groups"], ["--stride"], {"--groups": ["explain", "draw"]})
      'unrecognized arguments: --groups (only explain and draw take it)'
    """
    known = list(known)
    parts = []
    for flag in unknown:
        found = flag_suggestions(flag, known)
        commands = list((elsewhere or {}).get(flag.lower().replace("_", "-"), ()))
        if found:
            parts.append(f"{flag} (did you mean {_or(found)}?)")
        elif commands and top:
            parts.append(f"{flag} (an option of {_or(commands, 'and')}: put it after the command)")
        elif commands:
            takes = "takes" if len(commands) == 1 else "take"
            parts.append(f"{flag} (only {_or(commands, 'and')} {takes} it)")
        else:
            parts.append(flag)
    return "unrecognized arguments: " + ", ".join(parts)


def _is_flag(token: str) -> bool:
    """Whether argparse reads ``token`` as an option (``-1:0`` is argparse's problem, not ours)."""
    return (token.startswith("--") and len(token) > 2) or (
        len(token) > 1 and token[0] == "-" and token[1].isalpha()
    )


def _flag_name(token: str) -> str:
    return token.split("=", 1)[0] if token.startswith("--") else token[:2]


def check_argv(
    argv: Sequence[str], top_flags: Sequence[str], commands: Mapping[str, Sequence[str]]
) -> tuple[str | None, str] | None:
    """The first problem with the names in a command line, before argparse parses it.

    Args:
      argv: the command line after the program name.
      top_flags: the options taken before the command (``-h``, ``--help``).
      commands: each command's options.

    Returns:
      ``None``, or ``(command, message)``: the command whose parser should
      report ``message`` (``None`` for the top level).

    Examples:
      >>> cmds = {"shapes": ["--input", "--stride"], "draw": ["--input", "--fps"]}
      >>> check_argv(["shapes", "--input", "5", "--strides=2"], ["-h"], cmds)
      ('shapes', 'unrecognized arguments: --strides (did you mean --stride?)')
      >>> check_argv(["shapes", "--fps", "2"], ["-h"], cmds)
      ('shapes', 'unrecognized arguments: --fps (only draw takes it)')
      >>> check_argv(["drew"], ["-h"], cmds)[1]
      "argument COMMAND: invalid choice: 'drew' (choose from 'shapes', 'draw'); did you mean 'draw'?"
      >>> check_argv(["draw", "--input", "-1:0"], ["-h"], cmds) is None
      True
    """
    argv = list(argv)
    if "--" in argv:
        argv = argv[: argv.index("--")]
    elsewhere: dict[str, list[str]] = {}
    for name, flags in commands.items():
        for flag in flags:
            elsewhere.setdefault(flag, []).append(name)
    n = 0
    while n < len(argv) and _is_flag(argv[n]):
        n += 1
    unknown = [_flag_name(t) for t in argv[:n] if _flag_name(t) not in top_flags]
    if unknown:
        return None, unknown_flags_error(unknown, top_flags, elsewhere, top=True)
    if n == len(argv):
        return None  # no command: argparse says so (or prints --help)
    command = argv[n]
    wrong = command_error(command, list(commands))
    if wrong is not None:
        return None, f"argument COMMAND: {wrong}"
    known = commands[command]
    unknown = [_flag_name(t) for t in argv[n + 1 :] if _is_flag(t) and _flag_name(t) not in known]
    if not unknown:
        return None
    others = {f: [c for c in cs if c != command] for f, cs in elsewhere.items()}
    return command, unknown_flags_error(unknown, known, others)
