"""pyproject's ``filterwarnings``: a warning from jconv or compat code fails the test."""

import warnings

import pytest


@pytest.mark.parametrize("module", ["jconv", "jconv._conv", "compat.tf._conv", "compat.torch"])
def test_project_warnings_are_errors(module):
    with pytest.raises(UserWarning, match="probe"):
        warnings.warn_explicit("probe", UserWarning, f"{module}.py", 1, module=module)
    with pytest.warns(UserWarning, match="probe"):  # how a test expects one
        warnings.warn_explicit("probe", UserWarning, f"{module}.py", 1, module=module)


@pytest.mark.parametrize("module", ["jconvx", "numpy", "tests.core"])
def test_other_warnings_are_not(module):
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn_explicit("probe", UserWarning, f"{module}.py", 1, module=module)
    assert [str(w.message) for w in caught] == ["probe"]
