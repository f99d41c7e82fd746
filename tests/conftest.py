"""Shared fixtures: the site built as `make build` builds it, once per test run.

Two clean builds (empty caches) run in the background,
one after the other, as soon as the tests are collected, so the tests that need no
site run meanwhile and those that need the first build start as soon as it is done;
with pytest-xdist every worker uses the same two builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILDS = ("built", "built_again")  # the second one: two clean builds are byte-identical


def page_says(page: str, phrase: str) -> None:
    """Assert that ``docs/<page>`` states ``phrase`` (case and line breaks aside).

    A claim test checks both halves of a sentence like "momentum does not lower the
    noise floor": the page says it, and the numbers show it. Rewording the page into
    another claim, or changing the code under it, then fails the test.
    """
    text = " ".join((ROOT / "docs" / page).read_text().split()).lower()
    assert " ".join(phrase.split()).lower() in text, f"docs/{page} no longer says {phrase!r}"


@pytest.fixture
def says():
    """``says(page, phrase)``: see page_says."""
    return page_says


@dataclass
class Build:
    site: Path
    log: str
    cache: Path


def _build_command(site_dir: Path, cache: Path) -> tuple[list[str], dict[str, str]]:
    env = dict(
        os.environ, NO_MKDOCS_2_WARNING="1", BUILD_CACHE_DIR=str(cache),
    )
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)]
    return command, env


def build_site(site_dir: Path, cache: Path) -> Build:
    """Run ``mkdocs build --strict`` into ``site_dir``; fail the test on an error."""
    command, env = _build_command(site_dir, cache)
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    return Build(site_dir, result.stderr, cache)


def _shared_temp(config) -> Path:
    """The run's temporary folder, the same for every pytest-xdist worker."""
    base = config._tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def _needs_a_build(item) -> bool:
    return any(name in BUILDS for name in item.fixturenames)


def _site_tests_last(items: list, workers: int) -> list:
    """Order the tests so that every worker runs its share of site-free tests first.

    pytest-xdist (``--dist worksteal``) hands each worker a contiguous slice of the
    list; in each slice, the tests that need a site come last, by when it is built.
    The site tests are dealt out in turn, so that the long ones of one module (the
    browser passes) run on different workers.
    """
    free = [item for item in items if not _needs_a_build(item)]
    site = [item for item in items if _needs_a_build(item)]
    ordered = []
    for i in range(workers):
        ordered += free[i * len(free) // workers:(i + 1) * len(free) // workers]
        ordered += site[i::workers]
    return ordered


# Runs the builds one after the other, each writing its log, then its exit status.
BUILD_IN_TURN = """
import json, os, subprocess, sys
for folder, command, env in json.loads(sys.argv[1]):
    with open(os.path.join(folder, "log"), "w") as log:
        code = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    with open(os.path.join(folder, "status.tmp"), "w") as status:
        status.write(str(code))
    os.replace(os.path.join(folder, "status.tmp"), os.path.join(folder, "status"))
"""


def pytest_collection_modifyitems(session, config, items):
    """Start the builds at once (one after the other) if any collected test needs them."""
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    items[:] = _site_tests_last(items, workers)
    needed = [name for name in BUILDS if any(name in item.fixturenames for item in items)]
    builds = []
    for name in needed:
        folder = _shared_temp(config) / name
        try:
            folder.mkdir()  # atomic: of all the workers, one starts the builds
        except FileExistsError:
            return
        builds.append((str(folder), *_build_command(folder / "site", folder / "cache")))
    if builds:
        subprocess.Popen([sys.executable, "-c", BUILD_IN_TURN, json.dumps(builds)], cwd=ROOT)


def _background_build(config, name: str) -> Build:
    folder = _shared_temp(config) / name
    deadline = time.monotonic() + 600
    while not (folder / "status").exists():
        assert time.monotonic() < deadline, f"the {name} build took over 10 minutes"
        time.sleep(0.2)
    log = (folder / "log").read_text()
    assert (folder / "status").read_text().strip() == "0", f"mkdocs build --strict failed:\n{log}"
    return Build(folder / "site", log, folder / "cache")


@pytest.fixture(scope="session")
def built(request) -> Build:
    """The site, built with fresh caches (every figure drawn, every notebook run)."""
    return _background_build(request.config, "built")


@pytest.fixture(scope="session")
def built_again(request) -> Build:
    """A second clean build, made at the same time as the first."""
    return _background_build(request.config, "built_again")
