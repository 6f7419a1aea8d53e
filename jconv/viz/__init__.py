"""Pictures of what a convolution or transposed convolution does (the ``viz`` extra).

``animate`` writes a conv_arithmetic-style GIF, one frame per output cell;
``diagram`` writes one picture. Both need matplotlib and Pillow
(``pip install jconv[viz]``); they are imported only when drawing, so
``import jconv.viz`` works without them and ``import jconv`` never loads them.
"""

from jconv.viz._draw import Drawing as Drawing
from jconv.viz._draw import animate as animate
from jconv.viz._draw import diagram as diagram
from jconv.viz._style import COLORS as COLORS
from jconv.viz._style import shaded as shaded

__all__ = ["COLORS", "Drawing", "animate", "diagram", "shaded"]
