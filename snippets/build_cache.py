"""Where the build keeps its caches: the hooks (docs/hooks/) and the values extension.

``.cache/<name>`` in the repository, or ``$BUILD_CACHE_DIR/<name>``: the tests and
``make bench-build`` build with empty caches of their own.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cache_dir(name: str) -> Path:
    return Path(os.environ.get("BUILD_CACHE_DIR", ROOT / ".cache")) / name
