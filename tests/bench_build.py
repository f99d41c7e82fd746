"""`make bench-build`: time a cold build, the same without running the notebooks, and a
rebuild with no change.

Cold: a fresh site directory and empty caches, so every figure is drawn and every
notebook runs. Without notebooks: the same with NOTEBOOKS_EXECUTE=0 (how to write
pages quickly). Rebuild: again with the caches the cold build filled.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "cold build": 30.0,
    "cold, NOTEBOOKS_EXECUTE=0": 15.0,
    "no-change rebuild": 3.0,
}


def timed_build(site: Path, cache: Path, **env: str) -> float:
    env = dict(
        os.environ, NO_MKDOCS_2_WARNING="1", BUILD_CACHE_DIR=str(cache), **env,
    )
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT, env=env, check=True,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        times = {
            "cold build": timed_build(tmp / "cold", tmp / "cache"),
            "cold, NOTEBOOKS_EXECUTE=0": timed_build(
                tmp / "quick", tmp / "quick-cache", NOTEBOOKS_EXECUTE="0"
            ),
            "no-change rebuild": timed_build(tmp / "again", tmp / "cache"),
        }
    for name, seconds in times.items():
        target = TARGETS[name]
        verdict = "ok" if seconds <= target else "OVER TARGET"
        print(f"{name:<26} {seconds:6.2f} s   (target {target:.0f} s: {verdict})")


if __name__ == "__main__":
    main()
