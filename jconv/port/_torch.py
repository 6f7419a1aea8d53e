"""``jconv.port.from_torch``: a PyTorch convolution module as one jconv call."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from jconv import layouts
from jconv.port._build import Call, Params, PortedFn, as_param, build, describe, framework

_FN = "jconv.port.from_torch"
_NAMES = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
_SUPPORTED = "torch.nn." + ", torch.nn.".join(_NAMES)


def from_torch(module: object) -> tuple[PortedFn, Params]:
    """Ports a PyTorch ``nn.Conv1d/2d/3d`` or ``nn.ConvTranspose1d/2d/3d`` module.

    ``fn(params, x)`` returns what ``module(x)`` returns, channels-first like
    PyTorch: ``x`` is ``(N, C_in, *spatial)`` or, as PyTorch also accepts,
    ``(C_in, *spatial)`` without the batch axis. It is one :func:`jconv.conv`
    (every ``padding_mode``: ``"zeros"``, ``"reflect"``, ``"replicate"``,
    ``"circular"``; ``padding`` an int, a tuple, ``"same"`` or ``"valid"``) or
    :func:`jconv.conv_transpose` call (``output_padding``, ``groups``,
    ``dilation``), pure and jittable, differentiable in ``params`` and ``x``,
    and composable with ``jax.vmap``. A circular padding wider than the input
    wraps around again, where PyTorch refuses.

    Args:
      module: the module. Subclasses are accepted unless they override
        ``forward`` (e.g. quantization-aware ones); parametrized modules give
        the weight their parametrization computes now.

    Returns:
      ``(fn, params)``: ``params["kernel"]`` is the weight in jconv's layout
      (:func:`jconv.layouts.from_torch_conv` / ``from_torch_conv_transpose``) and
      ``params["bias"]`` the bias, if the module has one, both of the module's
      parameter dtype (``bfloat16`` included; ``float64`` needs
      ``jax_enable_x64``).

    Raises:
      TypeError: ``module`` is not a ``torch.nn.Module``.
      NotImplementedError: another kind of module (``nn.Linear``, a quantized
        convolution...), a subclass that overrides ``forward``, a module with
        forward hooks, or one on the meta device (it has no values).
      ValueError: a lazy module that has not seen an input yet, or a transposed
        one whose ``padding_mode`` is not ``"zeros"`` (PyTorch refuses it too).

    Examples:
      >>> import numpy as np, torch, jconv.port
      >>> module = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1, padding_mode="reflect")
      >>> fn, params = jconv.port.from_torch(module)
      >>> x = np.random.default_rng(0).standard_normal((2, 3, 16, 16)).astype(np.float32)
      >>> y = fn(params, x)
      >>> y.shape, params["kernel"].shape
      ((2, 8, 8, 8), (3, 3, 3, 8))
      >>> expected = module(torch.from_numpy(x)).detach().numpy()
      >>> bool(np.allclose(y, expected, atol=1e-5))
      True
    """
    torch = framework("torch")
    if torch is None or not isinstance(module, torch.nn.Module):
        raise TypeError(
            f"{_FN}: `module` must be a torch.nn.Module ({_SUPPORTED}); received a "
            f"{describe(module)}."
        )
    base = _base_class(torch, module)
    where = f"{_FN}({type(module).__name__})"
    weight = module.weight
    if isinstance(weight, torch.nn.parameter.UninitializedParameter):
        raise ValueError(
            f"{_FN}: the lazy module {type(module).__name__} has no weights yet; call it once "
            f"on an input (or initialize it) before porting it."
        )
    if weight.is_meta:
        raise NotImplementedError(
            f"{_FN}: the module's weight is on the meta device, so it has no values to port; "
            f"materialize it first (e.g. module.to_empty(device='cpu') and load a state dict)."
        )
    if module._forward_hooks or module._forward_pre_hooks:
        raise NotImplementedError(
            f"{_FN}: the {type(module).__name__} module has forward hooks, which run code the "
            f"port cannot translate; remove them (handle.remove()) before porting."
        )
    n = len(module.kernel_size)
    transpose = issubclass(base, torch.nn.modules.conv._ConvTransposeNd)
    common: dict[str, Any] = {
        "where": where,
        "transpose": transpose,
        "ndim": n,
        "channels_first": True,
        "stride": tuple(module.stride),
        "dilation": tuple(module.dilation),
        "groups": int(module.groups),
        "unbatched": True,
    }
    if transpose:
        if module.padding_mode != "zeros":
            raise ValueError(
                f"{_FN}: a transposed convolution supports only padding_mode='zeros' (PyTorch "
                f"refuses the others in forward); received padding_mode={module.padding_mode!r}."
            )
        call = Call(
            padding=tuple(module.padding), output_padding=tuple(module.output_padding), **common
        )
        kernel = layouts.from_torch_conv_transpose(_numpy(torch, weight))
    else:
        call = Call(padding=_padding(module.padding), padding_mode=module.padding_mode, **common)
        kernel = layouts.from_torch_conv(_numpy(torch, weight))
    bias = None if module.bias is None else as_param(where, "bias", _numpy(torch, module.bias))
    return build(call, as_param(where, "weight", kernel), bias)


def _base_class(torch: Any, module: Any) -> type:
    """The supported class ``module`` is, or ``NotImplementedError``."""
    for name in _NAMES:
        base = getattr(torch.nn, name)
        if isinstance(module, base):
            overridden = [
                method
                for method in ("forward", "_conv_forward")
                if hasattr(base, method)
                and getattr(type(module), method) is not getattr(base, method)
            ]
            if overridden:
                raise NotImplementedError(
                    f"{_FN}: {describe(module)} subclasses torch.nn.{name} but overrides "
                    f"{overridden[0]}(), which the port cannot translate."
                )
            return base
    raise NotImplementedError(
        f"{_FN}: {describe(module)} is not supported; the port translates {_SUPPORTED}."
    )


def _padding(padding: Any) -> Any:
    """PyTorch's ``padding`` in jconv's words (``"same"`` splits as jconv's ``"SAME"``).

    PyTorch's ``"same"`` (stride 1 only) pads ``d * (k - 1)`` in total, the odd
    unit after, which is jconv's ``"SAME"`` at stride 1; an int tuple pads both
    sides of each dimension.
    """
    if isinstance(padding, str):
        return padding.upper()
    return tuple(int(p) for p in padding)


def _numpy(torch: Any, tensor: Any) -> Any:
    """A tensor's values as a NumPy array of its dtype (bfloat16 through ml_dtypes)."""
    t = tensor.detach().cpu().resolve_conj().resolve_neg()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(jnp.bfloat16)
    return t.numpy()
