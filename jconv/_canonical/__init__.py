"""The one place where a call's meaning is decided.

:mod:`.args` (static ints, data formats), :mod:`.padding` (every padding
form), :mod:`.sizes` (per-dimension size rules, the private half of
:mod:`jconv.shapes`), :mod:`.operands` (arrays and layout) and :mod:`.spec`
(the canonicalizer: one validated :class:`~jconv._canonical.spec.Spec` per
``conv`` / ``conv_transpose`` call, and the size bounds). Nothing here
computes on arrays; :mod:`jconv._algorithms` reads the spec.
"""
