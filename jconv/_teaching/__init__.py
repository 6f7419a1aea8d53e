"""Teaching code: ``python -m jconv shapes|explain|draw|demo`` and the index mapping.

:mod:`.cli` parses the command line, :mod:`.report` prints sizes and the same
call in jconv, TensorFlow and PyTorch, :mod:`.explain` and :mod:`.mapping`
compute which input feeds which output (by running jconv on one-hot inputs),
and :mod:`.demo` runs the tutorial's examples. :mod:`jconv.viz` draws the
mapping. Everything here calls the public API; none of it is needed to
compute a convolution.
"""
