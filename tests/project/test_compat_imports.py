"""``compat`` is translation on top of jconv's public API: it imports no private jconv name.

Every module under ``compat/`` is parsed (not imported) and each of its imports
checked: no ``jconv._...`` module, no underscore name taken from jconv or from
a public jconv module, no attribute path such as ``jconv._conv`` or
``jconv.shapes._dim_args``. It also refuses identifying JAX tracers by class
name (``"Tracer" in type(v).__name__``): ``isinstance(v, jax.core.Tracer)`` is
the supported check.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = sorted((ROOT / "compat").rglob("*.py"))


def _private(dotted: str) -> bool:
    parts = dotted.split(".")
    return parts[0] == "jconv" and any(p.startswith("_") for p in parts[1:])


def violations(source: str) -> list[str]:
    """The private jconv names and class-name tracer checks in one module's source."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if _private(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _private(node.module):
                found.append(f"from {node.module} import ...")
            elif node.module.split(".")[0] == "jconv":
                found += [
                    f"from {node.module} import {a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
        elif isinstance(node, ast.Attribute):
            path = []
            inner: ast.expr = node
            while isinstance(inner, ast.Attribute):
                path.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id == "jconv":
                dotted = ".".join(["jconv", *reversed(path)])
                if _private(dotted):
                    found.append(dotted)
        elif (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Constant)
            and node.left.value == "Tracer"
            and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
        ):
            found.append(f'"Tracer" in ... (line {node.lineno}): use isinstance')
    return sorted(set(found))


def test_modules_are_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in MODULES}
    assert {"compat/tf/_conv.py", "compat/torch/__init__.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_only_public_jconv(path: pathlib.Path) -> None:
    assert violations(path.read_text()) == [], path.relative_to(ROOT).as_posix()


def test_the_check_sees_private_names() -> None:
    bad = """
import jconv._conv
import jconv._canonical.args as args
from jconv._canonical import spec
from jconv import _transpose
from jconv.shapes import _dim_args, conv_output_size
import jconv
jconv._conv.conv(1)
jconv.shapes._dim_pad("x", 1)
if "Tracer" in type(v).__name__:
    pass
"""
    assert violations(bad) == [
        '"Tracer" in ... (line 10): use isinstance',
        "from jconv import _transpose",
        "from jconv._canonical import ...",
        "from jconv.shapes import _dim_args",
        "import jconv._canonical.args",
        "import jconv._conv",
        "jconv._conv",
        "jconv._conv.conv",
        "jconv.shapes._dim_pad",
    ]
    good = """
import jax
import jconv
from jconv import layouts, shapes
from jconv.shapes import conv_output_size
jconv.conv(x, k); jconv.shapes.same_padding(5, 3); jconv.ALGORITHMS
isinstance(v, jax.core.Tracer)
"""
    assert violations(good) == []
