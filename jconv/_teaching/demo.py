"""``python -m jconv demo``: the tutorial's examples, run through jconv and compat.tf.

The examples are those of the TensorFlow tutorial this project grew from
(strided conv shapes, a worked 4x4 convolution, stride-1 and stride-2
transposed convolutions, and an output_shape that cannot work), printed as an
interactive session: every line shown is the line that runs, and every result
shown is what it returned. Then it draws the stride-2 transpose.
"""

from __future__ import annotations

import ast
import os
import sys
from typing import Any

GIF_NAME = "jconv_transpose_stride2.gif"

# Each section: a title, the jconv lines, the compat.tf lines (TF's own API,
# as in the tutorial). A line starting with "!" is expected to raise.
SECTIONS: list[tuple[str, list[str], list[str]]] = [
    (
        "1. Strided convolution: output shapes with SAME and VALID padding (stride 2, 3x3 kernel)",
        [
            "x1, x2 = np.ones((1, 4, 4, 3)), np.ones((1, 6, 6, 3))",
            "kernel = np.ones((3, 3, 3, 1))",
            'jconv.conv(x1, kernel, 2, "SAME").shape, jconv.conv(x1, kernel, 2, "VALID").shape',
            'jconv.conv(x2, kernel, 2, "SAME").shape, jconv.conv(x2, kernel, 2, "VALID").shape',
            'jconv.shapes.conv_output_size(6, 3, stride=2, padding="SAME")',
        ],
        [
            "x1 = tf.constant(1.0, shape=[1, 4, 4, 3])",
            "x2 = tf.constant(1.0, shape=[1, 6, 6, 3])",
            "kernel = tf.constant(1.0, shape=[3, 3, 3, 1])",
            'tuple(tf.nn.conv2d(x1, kernel, strides=[1, 2, 2, 1], padding="SAME").shape)',
            'tuple(tf.nn.conv2d(x1, kernel, strides=[1, 2, 2, 1], padding="VALID").shape)',
            'tuple(tf.nn.conv2d(x2, kernel, strides=[1, 2, 2, 1], padding="SAME").shape)',
            'tuple(tf.nn.conv2d(x2, kernel, strides=[1, 2, 2, 1], padding="VALID").shape)',
        ],
    ),
    (
        "2. A worked convolution: 4x4 input 0.0, 0.1, ..., 1.5, all-ones 3x3 kernel, VALID",
        [
            "x = np.array([i * 0.1 for i in range(16)], np.float32).reshape(1, 4, 4, 1)",
            "k = np.ones((3, 3, 1, 1), np.float32)",
            "np.asarray(jconv.conv(x, k))[0, :, :, 0]",
        ],
        [
            "x1 = tf.constant([i * 0.1 for i in range(16)], shape=[1, 4, 4, 1], dtype=tf.float32)",
            "kernel = tf.ones(shape=[3, 3, 1, 1], dtype=tf.float32)",
            'conv1 = tf.nn.conv2d(x1, kernel, strides=[1, 1, 1, 1], padding="VALID")',
            "np.asarray(conv1)[0, :, :, 0]",
        ],
    ),
    (
        "3. Transposed convolution, stride 1: back from 2x2 to 4x4 (the size, not the values)",
        [
            "y = np.array([4.5, 5.4, 8.1, 9.0], np.float32).reshape(1, 2, 2, 1)",
            "np.asarray(jconv.conv_transpose(y, k))[0, :, :, 0]",
        ],
        [
            "x1 = tf.constant([4.5, 5.4, 8.1, 9.0], shape=[1, 2, 2, 1], dtype=tf.float32)",
            "dev_con1 = tf.ones(shape=[3, 3, 1, 1], dtype=tf.float32)",
            "y1 = tf.nn.conv2d_transpose(x1, dev_con1, output_shape=[1, 4, 4, 1], "
            'strides=[1, 1, 1, 1], padding="VALID")',
            "np.asarray(y1)[0, :, :, 0]",
        ],
    ),
    (
        "4. Transposed convolution, stride 2: zeros inserted between the inputs; "
        "5x5 and 6x6 both map back to 2x2",
        [
            "list(jconv.shapes.transpose_output_sizes(2, 3, stride=2))",
            "np.asarray(jconv.conv_transpose(y, k, stride=2, output_shape=(6, 6)))[0, :, :, 0]",
            "jconv.conv_transpose(y, k, stride=2, output_shape=(5, 5)).shape",
        ],
        [
            "y1 = tf.nn.conv2d_transpose(x1, dev_con1, output_shape=[1, 6, 6, 1], "
            'strides=[1, 2, 2, 1], padding="VALID")',
            "np.asarray(y1)[0, :, :, 0]",
            "tuple(tf.nn.conv2d_transpose(x1, dev_con1, output_shape=[1, 5, 5, 1], "
            'strides=[1, 2, 2, 1], padding="VALID").shape)',
        ],
    ),
    (
        "5. An output_shape that cannot work: 7x7 (a VALID stride-2 3x3 conv maps 7 to 3, not 2)",
        [
            "!jconv.conv_transpose(y, k, stride=2, output_shape=(7, 7))",
        ],
        [
            "!tf.nn.conv2d_transpose(x1, dev_con1, output_shape=[1, 7, 7, 1], "
            'strides=[1, 2, 2, 1], padding="VALID")',
        ],
    ),
]


def _session(lines: list[str], ns: dict[str, Any]) -> int:
    """Runs ``lines`` like an interactive session; returns how many did not behave as shown."""
    failures = 0
    for line in lines:
        expect_error = line.startswith("!")
        code = line.removeprefix("!")
        print(f">>> {code}")
        try:
            tree = ast.parse(code)
            if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
                value = eval(compile(ast.Expression(tree.body[0].value), "<demo>", "eval"), ns)
                if value is not None:
                    print(repr(value))
            else:
                exec(compile(tree, "<demo>", "exec"), ns)
        except Exception as e:
            print(f"Traceback (most recent call last):\n  ...\n{type(e).__name__}: {e}")
            failures += not expect_error
        else:
            if expect_error:
                print("(this line should have raised an error)")
                failures += 1
    return failures


def _tf_namespace() -> tuple[dict[str, Any] | None, str]:
    import numpy as np

    try:
        from compat import tf
    except ImportError as e:
        return None, f"{type(e).__name__}: {e}"
    return {"tf": tf, "np": np}, ""


def _picture(out_dir: str) -> int:
    path = os.path.join(out_dir, GIF_NAME)
    print("\n6. The stride-2 transpose of section 4, drawn: the 2x2 input with a zero inserted")
    print("   between neighbours, padded, and the flipped 3x3 kernel sliding over it.")
    try:
        from jconv import viz

        drawing = viz.animate("transpose", 2, 3, 2, "VALID", output_size=6, path=path)
    except ImportError as e:
        print(f"   (no picture: {e})")
        return 0
    print(
        f"   wrote {drawing.path}: {drawing.frames} frames, one per output cell "
        f"({drawing.size[0]}x{drawing.size[1]} pixels)"
    )
    return 0


def run(out_dir: str = ".") -> int:
    """Prints the walk-through and writes the animation into ``out_dir``; returns the exit status."""
    import numpy as np

    import jconv

    np.set_printoptions(precision=6, suppress=True)
    os.makedirs(out_dir, exist_ok=True)
    print("jconv demo: the examples of the TensorFlow tutorial, through jconv and through")
    print("compat.tf (TensorFlow's API on JAX: only the import line changes).")
    jns: dict[str, Any] = {"np": np, "jconv": jconv}
    tns, why = _tf_namespace()
    failures = 0
    for title, jlines, tlines in SECTIONS:
        print(f"\n{title}\n")
        print("  # jconv  (import numpy as np, jconv)")
        failures += _session(jlines, jns)
        if tns is None:
            continue
        print("\n  # compat.tf  (from compat import tf)")
        failures += _session(tlines, tns)
    if tns is None:
        print(f"\n(compat.tf is not available here, {why}; the TensorFlow half was skipped.)")
    _picture(out_dir)
    print("\nNext: python -m jconv shapes transpose --input 2 --kernel 3 --stride 2")
    print("      python -m jconv explain transpose --input 2 --kernel 3 --stride 2")
    if failures:
        print(f"\njconv demo: {failures} line(s) did not behave as shown above.", file=sys.stderr)
        return 1
    return 0
