"""The numerics: every way jconv computes a convolution or a transposed convolution.

Each module takes the canonical description built by :mod:`jconv._canonical`
(nothing here re-derives sizes or padding from user arguments):

* :mod:`.registry`: the transposed-convolution algorithms by name, and ``"auto"``.
* :mod:`.forward`: the (strided) convolution itself, on ``lax.conv_general_dilated``.
* :mod:`.reference`: ``"lhs_dilation"``, the reference transpose.
* :mod:`.phase_plan`, :mod:`.phase_ops`, :mod:`.phase_grad`, :mod:`.phase`: the
  stride-phase transpose, its gradients and the primitive that ties them together.
* :mod:`.depthwise`: depthwise convolutions as sums of shifted products.
* :mod:`.padding_modes`: circular, reflect and replicate padding, and their adjoints.
* :mod:`.bias`: the bias added along the channel axis.
"""
