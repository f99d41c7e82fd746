"""MkDocs hook: math rendered to HTML at build time with the vendored KaTeX.

pymdownx.arithmatex (generic mode) wraps each formula in
``<span class="arithmatex">\\(...\\)</span>`` or ``<div class="arithmatex">\\[...\\]</div>``.
This hook replaces the TeX inside by KaTeX's HTML and MathML, rendered by
``node`` from ``docs/hooks/katex/katex.min.js``: pages then need only KaTeX's
stylesheet and fonts, no script, and show math without JavaScript. A formula
KaTeX cannot parse fails the build. Renders are cached by formula, in memory and
in ``.cache/math`` (see snippets/build_cache.py) under a hash of katex.min.js, so a
rebuild with no new formula does not start ``node``.

It runs on the finished page (``on_post_page``), after the search index has
taken the page's text: the index keeps the short TeX, not KaTeX's markup.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

from mkdocs.exceptions import PluginError

from snippets.build_cache import cache_dir

KATEX = Path(__file__).parent / "katex" / "katex.min.js"
log = logging.getLogger("mkdocs.hooks.math")
FORMULA = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?:\\\(|\\\[)(?P<tex>.*?)(?:\\\)|\\\])</(?P=tag)>',
    re.DOTALL,
)
RENDER = """
const katex = require(process.argv[1]);
let input = "";
process.stdin.on("data", (d) => (input += d)).on("end", () => {
  const out = JSON.parse(input).map(([tex, display]) => {
    try {
      return katex.renderToString(tex, { displayMode: display, throwOnError: true });
    } catch (e) {
      return { error: `${e.message} in: ${tex}` };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
"""

_cache: dict[str, str] = {}
_disk_cache: Path | None = None  # this KaTeX's file of renders, once read
# Formulas of pages converted but not yet finished: the first finished page renders
# them all in one `node` run (mkdocs converts every page before it finishes any).
_pending: set[tuple[str, bool]] = set()


def _key(tex: str, display: bool) -> str:
    return hashlib.sha256(f"{display}:{tex}".encode()).hexdigest()


def _read_disk_cache() -> None:
    global _disk_cache
    if _disk_cache is None:
        version = hashlib.sha256(KATEX.read_bytes()).hexdigest()[:16]
        _disk_cache = cache_dir("math") / f"katex-{version}.json"
        if _disk_cache.exists():
            _cache.update(json.loads(_disk_cache.read_text()))


def _render(formulas: list[tuple[str, bool]]) -> None:
    """Render the formulas not yet in the cache, in one ``node`` call."""
    _read_disk_cache()
    todo = sorted({f for f in {*formulas, *_pending} if _key(*f) not in _cache})
    _pending.clear()
    if not todo:
        return
    log.info("rendering %d formulas with KaTeX", len(todo))
    node = shutil.which("node")
    if node is None:
        raise PluginError("math needs Node.js at build time (apt-get install nodejs)")
    result = subprocess.run(
        [node, "-e", RENDER, str(KATEX)],
        input=json.dumps(todo), capture_output=True, text=True, check=False,
    )
    if result.returncode:
        raise PluginError(f"KaTeX failed: {result.stderr}")
    for formula, rendered in zip(todo, json.loads(result.stdout), strict=True):
        if isinstance(rendered, dict):
            raise PluginError(f"KaTeX: {rendered['error']}")
        _cache[_key(*formula)] = rendered
    _disk_cache.parent.mkdir(parents=True, exist_ok=True)
    _disk_cache.write_text(json.dumps(_cache, sort_keys=True))


def _formulas(content: str) -> list[tuple[str, bool]]:
    return [(html.unescape(m["tex"]).strip(), m["tag"] == "div") for m in FORMULA.finditer(content)]


def on_page_content(content, page, config, files):
    _pending.update(_formulas(content))
    return content


# The fonts nearly every formula uses. Preloaded on pages with math, they arrive
# before the first paint: swapping them in later shifts the text below a formula.
PRELOAD_FONTS = ("KaTeX_Main-Regular", "KaTeX_Math-Italic")
KATEX_CSS = re.compile(
    r'<link rel="stylesheet" href="(?P<root>[^"]*)assets/vendor/katex/katex\.min\.css">'
)


def _preload_fonts(content: str) -> str:
    def links(m: re.Match) -> str:
        return "".join(
            f'<link rel="preload" href="{m["root"]}assets/vendor/katex/fonts/{name}.woff2" '
            'as="font" type="font/woff2" crossorigin>'
            for name in PRELOAD_FONTS
        ) + m[0]

    return KATEX_CSS.sub(links, content, count=1)


# A line may break after an inline formula (KaTeX's boxes are inline-blocks, and a
# word joiner does not prevent it), leaving the comma or full stop after it alone at
# the start of the next line on a phone. The punctuation is moved into the formula's
# last box, which never breaks.
FORMULA_AND_PUNCTUATION = re.compile(FORMULA.pattern + r"(?P<punctuation>[.,;:!?)]*)", re.DOTALL)
LAST_BOX_END = "</span></span></span>"  # the last .base, .katex-html, .katex
MATHML_END = "</math>"


def _attach(rendered: str, punctuation: str) -> str:
    if not rendered.endswith(LAST_BOX_END) or rendered.count(MATHML_END) != 1:
        raise PluginError(f"math: KaTeX's HTML no longer ends in {LAST_BOX_END!r} "
                          f"or has not one {MATHML_END!r}: update docs/hooks/math.py")
    # Seen in the last box (hidden from screen readers), read after the MathML (hidden
    # from the eye): the punctuation stays in the sentence for both.
    rendered = rendered.replace(MATHML_END, MATHML_END + punctuation)
    head = rendered[: -len(LAST_BOX_END)]
    return f'{head}<span class="math-punctuation">{punctuation}</span>{LAST_BOX_END}'


def on_post_page(content, page, config):
    formulas = _formulas(content)
    if not formulas:
        return content
    _render(formulas)
    content = _preload_fonts(content)

    def replace(m: re.Match) -> str:
        formula = (html.unescape(m["tex"]).strip(), m["tag"] == "div")
        rendered, after = _cache[_key(*formula)], m["punctuation"]
        if m["tag"] == "span" and after:
            rendered, after = _attach(rendered, after), ""
        return f'<{m["tag"]} class="arithmatex">{rendered}</{m["tag"]}>{after}'

    return FORMULA_AND_PUNCTUATION.sub(replace, content)
