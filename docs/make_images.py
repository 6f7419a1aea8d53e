"""Regenerates the README's pictures in docs/images/ (needs the viz extra).

Run: python docs/make_images.py
"""

from __future__ import annotations

import pathlib

from jconv import viz

HERE = pathlib.Path(__file__).resolve().parent / "images"

PICTURES = {
    # A stride-2 transpose with padding, the usual 2x upsampling layer
    # (PyTorch's ConvTranspose2d(kernel_size=3, stride=2, padding=1, output_padding=1)):
    # the 3x3 input gets a zero between neighbours, one row/column of padding
    # before and two after, and the flipped kernel slides over it.
    "transpose_s2_pad.gif": dict(
        kind="transpose", input_size=3, kernel_size=3, stride=2, padding=1, output_padding=1
    ),
    # A dilated transpose: the kernel's taps are two cells apart.
    "transpose_dilated.gif": dict(
        kind="transpose", input_size=3, kernel_size=3, stride=1, padding="VALID", dilation=2
    ),
}


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for name, case in PICTURES.items():
        drawing = viz.animate(**case, path=HERE / name, fps=2.5)
        size = (HERE / name).stat().st_size // 1024
        print(
            f"wrote {drawing.path}: {drawing.frames} frames, "
            f"{drawing.size[0]}x{drawing.size[1]} pixels, {size} KiB"
        )


if __name__ == "__main__":
    main()
