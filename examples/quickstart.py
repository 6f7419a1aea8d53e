"""jconv in one screen: the tutorial's convolution and transposed convolutions.

Run: python examples/quickstart.py
"""

import numpy as np

import jconv


def main() -> None:
    # A 4x4 image 0.0, 0.1, ..., 1.5 and an all-ones 3x3 kernel (HWIO).
    x = (np.arange(16, dtype=np.float32) / 10).reshape(1, 4, 4, 1)
    k = np.ones((3, 3, 1, 1), np.float32)
    y = jconv.conv(x, k)  # stride 1, VALID
    print("conv, 4x4 -> 2x2:\n", np.asarray(y[0, ..., 0]))

    # The transposed convolution takes the same kernel back from 2x2 to 4x4.
    z = np.array([4.5, 5.4, 8.1, 9.0], np.float32).reshape(1, 2, 2, 1)
    print(
        "conv_transpose, stride 1, 2x2 -> 4x4:\n", np.asarray(jconv.conv_transpose(z, k)[0, ..., 0])
    )

    # With stride 2, both 5x5 and 6x6 map back to 2x2: output_shape picks one.
    print(
        "sizes a stride-2 VALID transpose accepts:",
        list(jconv.shapes.transpose_output_sizes(2, 3, 2)),
    )
    for size in (5, 6):
        out = jconv.conv_transpose(z, k, stride=2, output_shape=(size, size))
        print(f"stride 2, output {size}x{size}:\n", np.asarray(out[0, ..., 0]))

    # An unreachable size is rejected with the sizes that would work.
    try:
        jconv.conv_transpose(z, k, stride=2, output_shape=(7, 7))
    except ValueError as e:
        print("output 7x7 ->", e)


if __name__ == "__main__":
    main()
