"""The learner's path reads in about an hour: what a reader sees with the folds closed.

Each page on the path (the four layers and /adam/) carries at most about 1,100 words
of visible prose and short code blocks; derivations and reference sit in folds
(closed ``<details>``). Every anchor that was ever published still resolves.

``python tests/test_reading.py site/`` prints the table for a built site.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATH = ["", "landscape", "momentum", "second-moment", "bias-correction", "adam", "playground"]
LIMITED = ["landscape", "momentum", "second-moment", "bias-correction", "adam"]
MAX_PROSE_WORDS = 1100
MAX_CODE_BLOCK_LINES = 15
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
# Read as code or formula, or not read at all: not prose.
NOT_PROSE = re.compile(r"\b(arithmatex|headerlink|md-content__button|filename|katex)\b")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


class Reading(HTMLParser):
    """The visible prose words and code blocks of a page's article, folds closed."""

    def __init__(self, html: str):
        super().__init__()
        self.words = 0
        self.code_blocks: list[int] = []  # visible lines of each visible block
        self.folded_words = 0
        self._stack: list[tuple[str, bool, bool, bool]] = []  # tag, folded, not prose, pre
        self._code = ""
        start, end = html.find("<article"), html.find("</article>")
        self.feed(html[start:end])

    def _state(self) -> tuple[bool, bool, bool]:
        return self._stack[-1][1:] if self._stack else (False, False, False)

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        folded, not_prose, pre = self._state()
        folded = folded or (tag == "details" and "open" not in a)
        not_prose = not_prose or tag in {"script", "style", "svg", "pre"} or bool(
            NOT_PROSE.search(a.get("class") or ""))
        if tag == "pre" and not pre:
            self._code = ""
        self._stack.append((tag, folded, not_prose, pre or tag == "pre"))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self._stack:
            name, folded, _, pre = self._stack.pop()
            if name == tag:
                break
        if tag == "pre" and not (self._stack and self._state()[2]) and not folded:
            self.code_blocks.append(len(self._code.strip("\n").splitlines()))

    def handle_data(self, data):
        folded, not_prose, pre = self._state()
        if pre:
            self._code += data
        elif not not_prose:
            n = len(WORD.findall(data))
            if folded:
                self.folded_words += n
            else:
                self.words += n


def reading(site: Path) -> dict[str, Reading]:
    return {page: Reading((site / page / "index.html").read_text()) for page in PATH}


def table(site: Path) -> str:
    rows = ["| Page | Prose words, visible | folded | Code blocks | Code lines visible | Longest |",
            "|---|---:|---:|---:|---:|---:|"]
    for page, r in reading(site).items():
        rows.append(f"| /{page} | {r.words} | {r.folded_words} | {len(r.code_blocks)} | "
                    f"{sum(r.code_blocks)} | {max(r.code_blocks, default=0)} |")
    return "\n".join(rows)


def test_reading_parser_counts_what_a_reader_sees():
    html = ("<article><h1>Two words<a class='headerlink'>¶</a></h1><p>One two three "
            "<span class='arithmatex'>x y z</span> 4.5 four</p><pre><code>a\nb\n</code></pre>"
            "<details><summary>Hidden</summary><p>not counted</p><pre>x\ny\nz</pre></details>"
            "<details open><p>open fold</p></details></article>")
    r = Reading(html)
    assert (r.words, r.code_blocks, r.folded_words) == (8, [2], 3)


@pytest.mark.parametrize("page", LIMITED)
def test_a_page_on_the_path_is_short_with_its_detours_folded(built, page):
    r = Reading((built.site / page / "index.html").read_text())
    long_blocks = [n for n in r.code_blocks if n > MAX_CODE_BLOCK_LINES]
    assert r.words <= MAX_PROSE_WORDS and not long_blocks, (
        f"/{page}/: {r.words} visible prose words (limit {MAX_PROSE_WORDS}); visible code "
        f"blocks over {MAX_CODE_BLOCK_LINES} lines: {long_blocks}\n{table(built.site)}")


def test_every_anchor_ever_published_still_resolves(built):
    """tests/anchors.txt lists the anchors of the site before the path was reshaped."""
    missing = []
    for line in (ROOT / "tests" / "anchors.txt").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        page, anchor = line.split("#")
        html = (built.site / page.strip("/") / "index.html").read_text()
        if f'id="{anchor}"' not in html:
            missing.append(line)
    assert not missing, "anchors that no longer resolve:\n" + "\n".join(missing)


if __name__ == "__main__":
    print(table(Path(sys.argv[1])))
