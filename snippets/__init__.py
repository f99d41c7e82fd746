"""The code behind every block and figure of "Adam, Layer by Layer".

One module per page (``landscape``, ``momentum``, ...) plus the shared pieces
the pages include: ``adam`` (the reference Adam), ``optimizers``, ``surfaces``
and ``figures`` (the figure registry and house style).
"""

import importlib
import pkgutil


def import_all() -> None:
    """Import every module of this package, so that its figures and values register."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
