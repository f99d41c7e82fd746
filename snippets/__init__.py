"""The code behind every block and figure of "Adam, Layer by Layer".

One module per page (``landscape``, ``momentum``, ...) plus the shared pieces
the pages include: ``adam`` (the reference Adam), ``optimizers``, ``surfaces``
and ``figures`` (the figure registry and house style).
"""
