"""``need("torch")``: import a framework for a test, or skip saying it is missing.

The frameworks are not needed to build the site (`make frameworks` installs them);
under CI=true a missing one fails the test instead, so CI cannot pass by skipping.
"""

import importlib
import os

import pytest


def need(module: str):
    """Import ``module`` ("torch", "optax.contrib", "mlx.core"), or skip (fail under CI=true)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing(module)


def missing(module: str):
    """Skip the test because ``module`` is not installed (fail under CI=true)."""
    reason = f"{module} is not installed: make frameworks"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (required under CI=true)")
    pytest.skip(reason)
