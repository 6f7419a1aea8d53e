"""Hypothesis property tests: ``jconv.conv`` and ``jconv.conv_transpose`` equal the oracle.

The strategies draw one value per axis of ``oracle_configs.AXES`` (rank 1-3,
stride, dilation, kernel, padding form, groups, data format, output-size
choice), the algorithm and whether to ``jax.jit``, then let Hypothesis draw the sizes and channel
counts through the same construction the grid uses. ``derandomize=True`` keeps
CI reproducible.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import oracle
from tests.oracle_configs import (
    ALGORITHMS,
    AXES,
    TRANSPOSE_AXES,
    DrawPicker,
    make_config,
)

SETTINGS = settings(deadline=None, max_examples=75, derandomize=True, print_blob=True)
FEWER = settings(SETTINGS, max_examples=30)


@st.composite
def configs(draw, kind: str):
    axes = AXES if kind == "conv" else TRANSPOSE_AXES
    choice = {name: draw(st.sampled_from(values)) for name, values in axes.items()}
    seed = draw(st.integers(0, 2**32 - 1))
    return make_config(kind, choice, DrawPicker(draw), seed=seed)


@SETTINGS
@given(cfg=configs("conv"), jit=st.booleans())
def test_conv_equals_oracle(cfg, jit):
    x, w = cfg.arrays()
    expected = cfg.run_oracle(x, w)
    oracle.assert_close(cfg.run_jconv(x, w, jit=jit), expected, err_msg=cfg.label())


@SETTINGS
@given(cfg=configs("transpose"), algorithm=st.sampled_from(ALGORITHMS), jit=st.booleans())
def test_conv_transpose_equals_oracle(cfg, algorithm, jit):
    y, w = cfg.arrays()
    expected = cfg.run_oracle(y, w)
    actual = cfg.run_jconv(y, w, algorithm=algorithm, jit=jit)
    oracle.assert_close(actual, expected, err_msg=f"{cfg.label()} algorithm={algorithm}")


@FEWER
@given(cfg=configs("transpose"))
def test_every_accepted_output_size_maps_back(cfg):
    """The transpose's output, fed to ``conv`` with the same arguments, has the transpose's
    input size whenever the output size is one ``conv`` maps back (always, unless an
    ``output_padding`` past the stride was asked for)."""
    y, w = cfg.arrays()
    out = cfg.run_jconv(y, w, jit=True)
    valid = oracle.transpose_valid_sizes(
        cfg.in_sizes, cfg.window, cfg.stride, cfg.padding, cfg.dilation
    )
    in_range = all(o in r for o, r in zip(out.shape[1:-1], valid))
    if cfg.output_padding is None:
        assert in_range, (out.shape, valid)
    if in_range:
        back = oracle.conv(out, w, cfg.stride, cfg.padding, cfg.dilation, cfg.groups)
        assert back.shape[1:-1] == cfg.in_sizes
