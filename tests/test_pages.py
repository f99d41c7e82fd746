"""Pages as the reader sees them: every code block is an include, and runs.

Each page's ``--8<--`` includes are expanded with pymdownx.snippets' own
preprocessor (configured from mkdocs.yml), its fences are read with
pytest-codeblocks' parser, and its Python blocks run in order in a fresh
interpreter that cannot import this repository, as a reader's would.
Markers, as in pytest-codeblocks:

- ``<!--pytest-codeblocks:cont-->`` before a block: it continues the previous
  block's session (the reader runs both, in order).
- ``<!--pytest-codeblocks:expected-output-->`` after a block: the next fence is
  exactly what that block prints.
- ``<!--pytest.mark.skip(reason="...")-->`` before a block: not run.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from markdown import Markdown
from mkdocs.config import load_config
from need import missing
from pytest_codeblocks.main import extract_from_buffer

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "overrides" not in p.parts)
PYTHON_LANGS = {"python", "py", "python3", "pycon"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<ticks>`{3,}|~{3,})\s*(?P<info>.*)$")
CONT = re.compile(r"<!--[-\s]*pytest-codeblocks:cont[-\s]*-->")
INCLUDE = re.compile(r"^\s*(;?)--8<--\s")


def fences(text: str):
    """Yield (line number, language, body lines) of each top-level fence."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        ticks, body = m.group("ticks"), []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(ticks):
            body.append(lines[j])
            j += 1
        info = m.group("info").strip()
        lang = re.split(r"[\s{]", info, maxsplit=1)[0].lstrip(".").lower() if info else ""
        yield i + 1, lang, body
        i = j + 1


def expand_includes(page: Path) -> str:
    """The page's Markdown with every ``--8<--`` include replaced by its code."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    md = Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": config["mdx_configs"]["pymdownx.snippets"]},
    )
    preprocessor = md.preprocessors["snippet"]
    return "\n".join(preprocessor.run(page.read_text().splitlines()))


def normalise_fences(text: str) -> str:
    """Reduce ```` ```python title="x" ```` to ```` ```python ````.

    The stock pytest-codeblocks only collects fences whose info string is
    exactly ``python``; without this, a block with a title or highlighted
    lines would silently go untested.
    """

    def plain(m: re.Match) -> str:
        info = m.group("info").strip()
        lang = re.split(r"[\s{]", info, maxsplit=1)[0].lstrip(".").lower() if info else ""
        lang = "python" if lang in PYTHON_LANGS else lang
        return f"{m.group('indent')}{m.group('ticks')}{lang}"

    out = []
    for line in text.splitlines():
        m = FENCE.match(line)
        out.append(plain(m) if m else line)
    return "\n".join(out) + "\n"


@dataclass
class Session:
    """Blocks a reader runs one after another in one interpreter."""

    page: str
    lineno: int
    blocks: list = field(default_factory=list)
    skip: str | None = None
    importorskip: str | None = None


def sessions(page: Path) -> list[Session]:
    """The page's Python blocks as the reader sees them, grouped into sessions."""
    return sessions_in(expand_includes(page), str(page.relative_to(ROOT)))


def sessions_in(markdown: str, name: str) -> list[Session]:
    """Python blocks of ``markdown``, grouped into sessions by the ``cont`` marker."""
    # Turn `cont` into a mark so that each fence stays its own block (with its
    # own expected output) instead of being glued to the one before.
    text = CONT.sub("<!--pytest.mark.cont-->", normalise_fences(markdown))
    out: list[Session] = []
    for block in extract_from_buffer(io.StringIO(text)):
        if block.syntax != "python":
            continue
        if "pytest.mark.cont" in block.marks:
            # A skipped block is a side snippet (another framework's tab, a fold that needs
            # a clone): the reader's session goes on from the last block that runs.
            running = [session for session in out if not session.skip]
            if not running:
                raise ValueError(f"{name}:{block.lineno}: 'cont' before any Python block")
            running[-1].blocks.append(block)
            continue
        session = Session(name, block.lineno, [block], importorskip=block.importorskip)
        for mark in block.marks:
            reason = re.match(r"pytest\.mark\.skip\((?:reason=)?[\"'](.*)[\"']\)", mark)
            if not reason:
                raise ValueError(f"{name}:{block.lineno}: unsupported marker {mark}")
            session.skip = reason.group(1)
        out.append(session)
    return out


# Runs in the reader's interpreter: each block's code in one namespace, and
# each block's stdout recorded on its own.
DRIVER = textwrap.dedent(
    """
    import contextlib, io, json, sys, traceback
    blocks = json.load(sys.stdin)
    namespace = {"__name__": "__main__"}
    outputs = []
    for code in blocks:
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, "<block %d>" % (len(outputs) + 1), "exec"), namespace)
        except BaseException:
            outputs.append(out.getvalue())
            json.dump({"outputs": outputs, "error": traceback.format_exc()}, sys.__stdout__)
            sys.exit(0)
        outputs.append(out.getvalue())
    json.dump({"outputs": outputs, "error": None}, sys.__stdout__)
    """
)


def run_session(session: Session, cwd: Path) -> dict:
    # -I: isolated mode, so neither this repository nor PYTHONPATH is importable.
    result = subprocess.run(
        [sys.executable, "-I", "-c", DRIVER],
        input=json.dumps([b.code for b in session.blocks]),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": str(cwd)},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


ALL_SESSIONS = [s for page in PAGES for s in sessions(page)]


@pytest.mark.parametrize(
    "session", ALL_SESSIONS, ids=[f"{s.page}:{s.lineno}" for s in ALL_SESSIONS]
)
def test_page_code_runs_and_prints_what_the_page_shows(session: Session, tmp_path: Path):
    if session.skip:
        pytest.skip(session.skip)
    if session.importorskip:
        # Is it installed? find_spec does not import it: keras, for one, cannot be
        # imported before the block itself has chosen its backend.
        found = f"import importlib.util as u; exit(u.find_spec({session.importorskip!r}) is None)"
        probe = subprocess.run([sys.executable, "-I", "-c", found], capture_output=True)
        if probe.returncode:
            missing(session.importorskip)
    result = run_session(session, tmp_path)
    for block, printed in zip(session.blocks, result["outputs"], strict=False):
        if block.expected_output is not None:
            assert printed.strip() == block.expected_output.strip(), (
                f"{session.page}:{block.lineno}: the page shows another output than "
                "the code prints"
            )
    assert result["error"] is None, (
        f"{session.page}: block at line {session.blocks[len(result['outputs']) - 1].lineno} "
        f"failed:\n{result['error']}"
    )


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_python_block_is_an_include_from_snippets(page: Path):
    for lineno, lang, body in fences(page.read_text()):
        code = [line for line in body if line.strip()]
        if lang in PYTHON_LANGS and code:
            typed = [line for line in code if not INCLUDE.match(line)]
            assert not typed, (
                f"{page.relative_to(ROOT)}:{lineno}: Python typed into Markdown; put it in "
                f"a section of snippets/ and include it with --8<--: {typed[0].strip()!r}"
            )


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_no_python_block_is_lost_by_the_block_runner(page: Path):
    expanded = expand_includes(page)
    shown = sum(1 for _, lang, _ in fences(expanded) if lang in PYTHON_LANGS)
    collected = sum(len(s.blocks) for s in sessions(page))
    assert collected == shown


RUNNER_CHECK = """
```python title="a fence with a title is still collected"
print(1 + 1)
```

<!--pytest-codeblocks:expected-output-->
```text
2
```

<!--pytest-codeblocks:cont-->
```python hl_lines="1"
print(total := 40 + 2)
```
"""


def test_block_runner_keeps_titled_blocks_sessions_and_outputs(tmp_path: Path):
    (session,) = sessions_in(RUNNER_CHECK, "check.md")
    assert [b.expected_output for b in session.blocks] == ["2\n", None]
    result = run_session(session, tmp_path)
    assert result == {"outputs": ["2\n", "42\n"], "error": None}


def test_block_runner_reports_the_failing_block(tmp_path: Path):
    (session,) = sessions_in(RUNNER_CHECK.replace("40 + 2", "40 + undefined"), "check.md")
    result = run_session(session, tmp_path)
    assert result["outputs"] == ["2\n", ""]
    assert "NameError" in result["error"]


def test_block_runner_cannot_import_this_repository(tmp_path: Path):
    (session,) = sessions_in("```python\nimport snippets\n```\n", "check.md")
    result = run_session(session, tmp_path)
    assert "ModuleNotFoundError: No module named 'snippets'" in result["error"]
