"""Shared fixtures: the site built once per test run, as `make build` builds it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Build:
    site: Path
    log: str


def build_site(site_dir: Path, figure_cache: Path | None = None) -> Build:
    """Run ``mkdocs build --strict`` into ``site_dir``; fail the test on an error."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if figure_cache is not None:
        env["FIGURE_CACHE_DIR"] = str(figure_cache)
        # The notebooks' runs are cached next to the figures: a fresh figure cache
        # runs every notebook again.
        env["NOTEBOOK_CACHE_DIR"] = str(figure_cache.parent / f"{figure_cache.name}-notebooks")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    return Build(site_dir, result.stderr)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Build:
    """The site, built with fresh caches (every figure drawn, every notebook run)."""
    base = tmp_path_factory.mktemp("build")
    return build_site(base / "site", base / "figures")
