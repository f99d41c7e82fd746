"""The /beyond/ page (snippets/beyond_page.py): its table, figures' numbers and claims.

The optimizers themselves are checked against the frameworks in tests/test_beyond.py; this
file checks what the page says about them, and that snippets/beyond_frameworks.json (the
table's "shipped by") is what the installed frameworks ship: `python tests/test_beyond_page.py`
rewrites it.
"""

from __future__ import annotations

import importlib
import json
import os

import pytest

from snippets import beyond_page as bp

# Where a framework would ship each optimizer: every module and name that is looked for.
MODULES = {"torch": ("torch.optim",), "optax": ("optax", "optax.contrib"),
           "keras": ("keras.optimizers",), "mlx": ("mlx.optimizers",)}
NAMES = {
    "Lion": ("Lion", "lion"), "Muon": ("Muon", "muon"), "Adafactor": ("Adafactor", "adafactor"),
    "ADOPT": ("ADOPT", "Adopt", "adopt"), "AdEMAMix": ("AdEMAMix", "ademamix"),
    "LAMB": ("LAMB", "Lamb", "lamb"),
    "ScheduleFreeAdamW": ("ScheduleFreeAdamW", "schedule_free_adamw"),
    "Adam-atan2": ("AdamAtan2", "adam_atan2", "AdamAtan2"),
}
VERSIONS = {"torch": "torch", "optax": "optax", "keras": "keras", "mlx": "mlx.core"}


def installed(framework: str) -> tuple[str, dict]:
    """The framework's version, and where it ships each optimizer (None where it does not)."""
    from need import need

    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "jax")
    version = need(VERSIONS[framework]).__version__
    modules = [importlib.import_module(m) for m in MODULES[framework]]
    where = {}
    for optimizer, names in NAMES.items():
        where[optimizer] = next((f"{module.__name__}.{name}" for module in modules
                                 for name in names if hasattr(module, name)), None)
    return version, where


@pytest.mark.frameworks
@pytest.mark.parametrize("framework", list(MODULES))
def test_the_frameworks_file_is_what_the_installed_frameworks_ship(framework):
    version, where = installed(framework)
    data = bp.shipped()
    assert {name: data["optimizers"][name][framework] for name in NAMES} == where, (
        "run `python tests/test_beyond_page.py` to rewrite snippets/beyond_frameworks.json")
    assert data["versions"][framework] == version


def test_the_table_names_each_optimizer_once_with_its_frameworks_and_paper():
    rows = bp.optimizers_table().splitlines()[2:]
    assert [row.split("](")[0].lstrip("| [") for row in rows] == list(bp.OPTIMIZERS)
    data = bp.shipped()["optimizers"]
    for row, name in zip(rows, bp.OPTIMIZERS, strict=True):
        for path in filter(None, data[name].values()):
            assert f"`{path}`" in row
    assert rows[-1].split("|")[4].strip() == "none"  # Adam-atan2: no framework ships it


if __name__ == "__main__":  # rewrite snippets/beyond_frameworks.json from the installed ones
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    found = {fw: installed(fw) for fw in MODULES}
    data = {"versions": {fw: v for fw, (v, _) in found.items()},
            "optimizers": {name: {fw: found[fw][1][name] for fw in MODULES} for name in NAMES}}
    bp.FRAMEWORKS_FILE.write_text(json.dumps(data, indent=2) + "\n")
