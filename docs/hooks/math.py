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
taken the page's text: the index gets the TeX, not KaTeX's markup. Once the index
is written (``on_post_build``), each formula in it is replaced by the text its
MathML reads as (``m<sub>t</sub> = β<sub>1</sub> m<sub>t−1</sub> + ...``), which
search previews show.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
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


# Search previews: the search plugin reads a page before on_post_page, so its index
# holds each formula's TeX between \( \) or \[ \] (HTML-escaped). The preview shows
# the index's text as HTML and keeps <sub> and <sup>: each formula becomes the text
# of its MathML, with sub- and superscripts, a/b for fractions, √ for roots.
INDEXED_FORMULA = re.compile(r"\\\((?P<inline>.*?)\\\)|\\\[(?P<display>.*?)\\\]", re.DOTALL)
MATHML = re.compile(r"<math.*?</math>", re.DOTALL)
SPACED = set("=<>≤≥≈≠←→⟹∈≫+−±×⋅")  # relations and binary operators: spaced, outside scripts
ACCENTS = {"^": "\u0302", "~": "\u0303", "ˉ": "\u0304", "˙": "\u0307"}  # combining marks
SCRIPTS = {"msub", "msup", "msubsup", "munder", "mover", "munderover"}  # a base, then scripts


def _plain(node: ET.Element, script: bool = False, spaced: bool = True) -> str:
    tag = node.tag.rpartition("}")[2]
    kids = [child for child in node if not child.tag.endswith("annotation")]
    if tag in {"mi", "mn", "mo", "mtext"}:
        text = "".join(node.itertext()).replace("\u2061", "\0")  # function application
        if tag == "mo" and not script and (text == "," or text in SPACED and spaced):
            return f" {html.escape(text)} "  # a space before a comma goes in readable()
        return html.escape(text, quote=False)
    if tag == "mspace":
        return " "
    parts = []
    for i, kid in enumerate(kids):
        # A sign that opens a row, a bracket, or follows another sign is unary (−1).
        before = kids[i - 1] if i else None
        after_sign = before is None or (before.tag.endswith("mo")
                                        and "".join(before.itertext()) in SPACED | set("([{,"))
        part = _plain(kid, script or (tag in SCRIPTS and i > 0), not after_sign)
        part = part.strip() if tag in SCRIPTS and i > 0 else part
        after = "".join(kids[i + 1].itertext()) if i + 1 < len(kids) else "="
        if _unwrapped(kid).tag.endswith("mfrac") and after not in SPACED | set(",.;:)]"):
            part = f"({part})"  # (1/2)Lθ, not 1/2Lθ
        parts.append(part)
    if tag in {"msub", "munder"}:
        return f"{parts[0]}<sub>{parts[1]}</sub>"
    if tag == "msup":
        return f"{parts[0]}<sup>{parts[1]}</sup>"
    if tag in {"msubsup", "munderover"}:
        return f"{parts[0]}<sub>{parts[1]}</sub><sup>{parts[2]}</sup>"
    if tag == "mover":
        if len(parts[0]) == 1 and parts[1] in ACCENTS:
            return parts[0] + ACCENTS[parts[1]]
        return f"{parts[0]}<sup>{parts[1]}</sup>"
    if tag == "mfrac":
        return "/".join(_grouped(kid, part) for kid, part in zip(kids, parts, strict=True))
    if tag == "msqrt":
        return "√" + _grouped(kids[0] if len(kids) == 1 else node, "".join(parts))
    return " ".join(parts) if tag in {"mtable", "mtr"} else "".join(parts)


def _unwrapped(node: ET.Element) -> ET.Element:
    while node.tag.endswith(("mrow", "mstyle")) and len(node) == 1:
        node = node[0]
    return node


def _grouped(node: ET.Element, text: str) -> str:
    """``text`` in parentheses if ``node`` is more than one symbol (a sum, a product)."""
    node = _unwrapped(node)
    several = node.tag.endswith(("mrow", "msqrt", "mfrac")) and len(node) > 1
    return f"({text})" if several else text


def readable(rendered: str) -> str:
    """What a formula rendered by KaTeX reads as, in text with <sub> and <sup>."""
    text = _plain(ET.fromstring(MATHML.search(rendered)[0]))
    text = re.sub("\0(?=[(\\[])", "", text).replace("\0", " ")  # max(a, b), Var g
    return re.sub(r" ([,.;:)])", r"\1", re.sub(r"\s+", " ", text)).strip()


def on_post_build(config):
    path = Path(config["site_dir"], "search", "search_index.json")
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))

    def formula(m: re.Match) -> tuple[str, bool]:
        return html.unescape(m["inline"] or m["display"] or "").strip(), m["display"] is not None

    # Its text may space a formula otherwise than the page (a new formula to KaTeX).
    _render([formula(m) for doc in index["docs"] for m in INDEXED_FORMULA.finditer(doc["text"])])
    for doc in index["docs"]:
        doc["text"] = INDEXED_FORMULA.sub(lambda m: readable(_cache[_key(*formula(m))]),
                                          doc["text"])
    # As the search plugin writes it.
    path.write_text(json.dumps(index, separators=(",", ":"), default=str), encoding="utf-8")
