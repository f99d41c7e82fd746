"""Code a reader copies is lint-clean (ruff, configured in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_snippets_tests_and_hooks_are_ruff_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "snippets", "tests", "docs/hooks"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
