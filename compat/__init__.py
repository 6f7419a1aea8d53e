"""Drop-in replacements for other frameworks' convolution APIs, built on ``jconv``.

``compat`` only translates arguments into ``jconv`` calls; it has no numerics
of its own. Framework modules (``compat.tf``, ``compat.torch``) are added by
later work; this package is importable now so that they have a home.
"""

__all__: list[str] = []
