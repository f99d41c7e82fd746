"""The built site: strict build, links, privacy, reproducibility, metadata."""

from __future__ import annotations

import filecmp
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from conftest import ROOT, build_site

# The path the site is published under (project pages): the 404 page, served
# at any depth, links by absolute path under it.
SITE_PATH = urlsplit(
    yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)["site_url"]
).path

# Attributes that make the browser fetch something when the page loads.
RESOURCE_ATTRS = {
    ("link", "href"), ("script", "src"), ("img", "src"), ("img", "srcset"),
    ("source", "src"), ("source", "srcset"), ("iframe", "src"), ("video", "src"),
    ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href"),
}
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")
# Hyperlinks a reader follows on purpose (not fetched on load).
NAVIGATION_LINK_RELS = {"canonical", "alternate", "author", "license"}


class Page(HTMLParser):
    """The ids, links and loaded resources of one HTML file."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[tuple[str, str]] = []
        self.images: list[dict] = []
        self.meta: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "img":
            self.images.append(a)
        if tag == "meta":
            self.meta[a.get("property") or a.get("name") or ""] = a.get("content", "")
        for t, attr in RESOURCE_ATTRS:
            if tag == t and a.get(attr):
                if tag == "link" and set((a.get("rel") or "").split()) & NAVIGATION_LINK_RELS:
                    self.links.append(a[attr])
                    continue
                for url in a[attr].split(",") if attr == "srcset" else [a[attr]]:
                    self.resources.append((tag, url.strip().split(" ")[0]))


def html_pages(site: Path) -> dict[Path, Page]:
    return {p: Page(p.read_text()) for p in sorted(site.rglob("*.html"))}


@pytest.fixture(scope="module")
def pages(built) -> dict[Path, Page]:
    return html_pages(built.site)


def resolve(site: Path, page: Path, url: str) -> tuple[Path, str]:
    """The file and fragment an internal URL on ``page`` points to."""
    base = SITE_PATH + page.relative_to(site).as_posix()
    parts = urlsplit(urljoin(base, url))
    assert parts.path.startswith(SITE_PATH), f"{url} on {page} leaves the site"
    parts = parts._replace(path="/" + parts.path[len(SITE_PATH):])
    target = site / unquote(parts.path).lstrip("/")
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def test_strict_build_has_no_warnings(built):
    warnings = [line for line in built.log.splitlines() if "WARNING" in line]
    assert not warnings


def test_every_internal_link_and_anchor_resolves(built, pages):
    broken = []
    for page, parsed in pages.items():
        for url in parsed.links:
            if EXTERNAL.match(url) or url.startswith(("mailto:", "data:", "javascript:")):
                continue
            target, fragment = resolve(built.site, page, url)
            if not target.exists():
                broken.append(f"{page.relative_to(built.site)}: {url} (no file)")
            elif fragment and target.suffix == ".html":
                parsed_target = pages[target] if target in pages else Page(target.read_text())
                if fragment not in parsed_target.ids:
                    broken.append(f"{page.relative_to(built.site)}: {url} (no #{fragment})")
    assert not broken, "\n".join(broken)


def test_every_resource_a_page_loads_exists_on_this_site(built, pages):
    missing, foreign = [], []
    for page, parsed in pages.items():
        for tag, url in parsed.resources:
            if EXTERNAL.match(url):
                foreign.append(f"{page.relative_to(built.site)}: <{tag}> {url}")
            elif not url.startswith("data:"):
                target, _ = resolve(built.site, page, url)
                if not target.exists():
                    missing.append(f"{page.relative_to(built.site)}: <{tag}> {url}")
    assert not foreign, "resources from another host:\n" + "\n".join(foreign)
    assert not missing, "missing resources:\n" + "\n".join(missing)


def test_no_stylesheet_loads_from_another_host(built):
    foreign = []
    for css in built.site.rglob("*.css"):
        for match in CSS_URL.finditer(css.read_text()):
            url = match.group(1) or match.group(2)
            if EXTERNAL.match(url):
                foreign.append(f"{css.relative_to(built.site)}: {url}")
    assert not foreign, "\n".join(foreign)


def test_no_page_links_by_absolute_path_so_the_site_works_under_a_subpath(built, pages):
    absolute = [
        f"{page.relative_to(built.site)}: {url}"
        for page, parsed in pages.items()
        for url in parsed.links + [u for _, u in parsed.resources]
        if url.startswith("/") and not url.startswith(("//", SITE_PATH))
    ]
    assert not absolute, "\n".join(absolute)


def test_two_clean_builds_are_byte_identical(built, built_again):
    compared = 0
    for first in sorted(built.site.rglob("*")):
        if first.is_dir() or first.name.startswith("sitemap.xml"):
            continue
        second = built_again.site / first.relative_to(built.site)
        assert second.exists(), f"{first.relative_to(built.site)} missing in the second build"
        assert filecmp.cmp(first, second, shallow=False), (
            f"{first.relative_to(built.site)} differs between two clean builds"
        )
        compared += 1
    assert compared > 50


def test_rebuild_with_no_change_computes_no_figure_or_value_runs_no_notebook_renders_no_formula(
    built, tmp_path
):
    assert "computing " in built.log, "a clean build draws the figures and computes the values"
    assert "ran notebook" in built.log, "a clean build runs the notebooks"
    assert "formulas with KaTeX" in built.log, "a clean build renders the math"
    again = build_site(tmp_path / "site", built.cache)
    assert "computing " not in again.log
    assert "ran notebook" not in again.log
    assert "formulas with KaTeX" not in again.log
    assert filecmp.cmp(built.site / "momentum/index.html", again.site / "momentum/index.html",
                       shallow=False)


def test_every_figure_has_alt_text_size_and_both_schemes(built, pages):
    figures = [
        (page, img) for page, parsed in pages.items() for img in parsed.images
        if "/figures/" in "/" + img.get("src", "")
    ]
    assert figures, "no figure on the site"
    by_page: dict[Path, list[str]] = {}
    for page, img in figures:
        where = f"{page.relative_to(built.site)}: {img['src']}"
        assert len(img.get("alt", "").strip()) >= 20, f"{where}: alt text missing"
        assert img.get("width") and img.get("height"), f"{where}: width/height missing"
        by_page.setdefault(page, []).append(img["src"])
    for page, srcs in by_page.items():
        light = sorted(s.replace("-light.svg#only-light", "") for s in srcs if "#only-light" in s)
        dark = sorted(s.replace("-dark.svg#only-dark", "") for s in srcs if "#only-dark" in s)
        assert light and light == dark, f"{page}: every figure needs a light and a dark variant"


def test_every_page_has_its_own_description_and_open_graph_tags(built, pages):
    seen = {}
    for page, parsed in pages.items():
        if page.name == "404.html":
            continue
        name = page.relative_to(built.site)
        assert parsed.meta.get("description"), f"{name}: no description"
        for tag in ("og:title", "og:description", "og:url", "og:type"):
            assert parsed.meta.get(tag), f"{name}: no {tag}"
        assert parsed.meta["description"] not in seen, (
            f"{name} shares its description with {seen.get(parsed.meta['description'])}"
        )
        seen[parsed.meta["description"]] = name


def test_not_found_page_exists_and_offers_a_way_back(built, pages):
    assert "404" in (built.site / "404.html").read_text()
    links = set(pages[built.site / "404.html"].links)
    for page in ("", "landscape/", "momentum/", "second-moment/", "bias-correction/", "adam/"):
        assert SITE_PATH + page in links, f"the 404 page does not link {SITE_PATH + page}"


CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def test_every_page_forbids_requests_to_other_hosts_and_allows_its_own_inline_scripts(
    built, pages
):
    """A Content-Security-Policy (docs/hooks/csp.py) before the first script of each page:
    nothing but the site itself in any source list, and every inline script by its hash."""
    import base64
    import hashlib

    for page in pages:
        html = page.read_text()
        found = CSP_META.findall(html)
        assert len(found) == 1, f"{page.name}: {len(found)} policies"
        assert html.index("Content-Security-Policy") < html.index("<script"), page
        directives = dict(d.strip().split(" ", 1) for d in found[0].split(";"))
        assert directives["default-src"] == "'none'" and directives["object-src"] == "'none'"
        for name, sources in directives.items():
            for source in sources.split():
                assert source in ("'self'", "'none'", "data:", "'unsafe-inline'") or (
                    name == "script-src" and source.startswith("'sha256-")
                ), f"{page.name}: {name} allows {source}"
        assert "'unsafe-inline'" not in directives["script-src"]
        for script in INLINE_SCRIPT.findall(html):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in directives["script-src"], (page.name, script[:60])


def test_every_page_names_the_search_dialog_404_included(built, pages):
    for page in pages:
        html = page.read_text()
        assert 'role="dialog" aria-label="Search"' in html, f"{page.name}: unnamed search dialog"


def test_nothing_restyles_the_whole_page_as_it_loads(built):
    """Two costs a phone paid on every page load, 0.2 to 0.4 s each on long pages:
    Material's script switching <html> from no-js to js at the end of the page, and
    its palette stylesheet's rule on data-md-color-switching, an attribute the script
    sets and removes at each load."""
    head = (built.site / "adam" / "index.html").read_text().split("<body", 1)[0]
    assert 'document.documentElement.className = "js js-focus-visible"' in head
    palette = next((built.site / "assets" / "stylesheets").glob("palette.*.min.css"))
    assert "data-md-color-switching" not in palette.read_text()


def test_code_has_no_span_that_changes_nothing_on_screen(built, pages):
    """Names and whitespace lose their spans (a seventh of a code-heavy page's elements).
    That is invisible only while Material colours names as plain code text."""
    for css in (built.site / "assets" / "stylesheets").glob("*.min.css"):
        names = re.findall(r"--md-code-hl-name-color:([^;}]*)", css.read_text())
        assert set(names) <= {"var(--md-code-fg-color)"}, f"{css.name} colours names: {names}"
    for page in pages:
        html = page.read_text()
        assert '<span class="n">' not in html and '<span class="w">' not in html, page.name
        assert "__codelineno" not in html, f"{page.name}: an anchor per line of code"


def test_reference_adam_is_downloadable_as_one_file(built):
    assert (built.site / "downloads" / "adam.py").read_bytes() == (
        ROOT / "snippets" / "adam.py"
    ).read_bytes()


def test_footer_states_the_licences(built):
    footer = (built.site / "index.html").read_text()
    assert "MIT" in footer and "CC BY 4.0" in footer


def test_pages_with_math_preload_the_fonts_of_their_formulas_and_only_they(built):
    # Fonts that arrive after the first paint would move the text below each formula.
    for page in sorted(built.site.rglob("*.html")):
        text = page.read_text()
        preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font"', text)
        if 'class="katex"' in text:
            assert [Path(p).name for p in preloads] == [
                "KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2"
            ], page
            for href in preloads:
                assert (page.parent / href).resolve().is_file(), href
        else:
            assert not preloads, page


def test_search_finds_code_by_its_names_but_the_index_holds_no_code_block(built):
    """Every page loads the search index on a first visit: code blocks are half its text,
    so each is kept as the names it uses (docs/hooks/search_code.py)."""
    index = json.loads((built.site / "search" / "search_index.json").read_text())
    texts = " ".join(doc["text"] for doc in index["docs"])
    assert "<pre>" not in texts
    # every function and class a page's code block defines is findable (the notebooks'
    # code cells are not in the index: mkdocs-jupyter indexes their text only)
    pages = [p for p in built.site.glob("**/index.html") if "notebooks" not in p.parts[-3:]]
    defined = set()
    for page in pages:
        for block in re.findall(r"<pre.*?</pre>", page.read_text(), re.S):
            code = re.sub(r"<[^>]+>", "", block)
            defined |= set(re.findall(r"^\s*(?:def|class) ([A-Za-z_]\w*)", code, re.M))
    assert len(defined) > 50
    assert not {name for name in defined if name not in texts}
    assert "torch.optim.AdamW" in texts and "param_groups" in texts


def test_search_previews_show_formulas_as_text_with_scripts_not_tex(built):
    """A search preview shows the index's text as HTML: each formula is there as the text
    it reads as, sub- and superscripts kept (docs/hooks/math.py), never as TeX."""
    index = json.loads((built.site / "search" / "search_index.json").read_text())
    texts = {doc["location"]: doc["text"] for doc in index["docs"]}
    code = re.compile(r"<pre>.*?</pre>|<code>.*?</code>", re.DOTALL)
    tex = [where for where, text in texts.items() if re.search(r"\\[(\[]", code.sub("", text))]
    assert tex == [], f"TeX delimiters left in {len(tex)} search entries: {tex[:5]}"
    # \(m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t\) and \(\hat m_t = \frac{m_t}{1-\beta_1^t}\)
    assert ("m<sub>t</sub> = β<sub>1</sub>m<sub>t−1</sub> + (1 − β<sub>1</sub>)g<sub>t</sub>"
            in texts["bias-correction/"])
    assert "m̂<sub>t</sub> = m<sub>t</sub>/(1 − β<sub>1</sub><sup>t</sup>)" in texts[
        "bias-correction/#the-math"]
    # A relation stays escaped in the preview's HTML: \(0 < \alpha < 2/L\)
    assert "0 &lt; α &lt; 2/L" in texts["landscape/#the-math-the-limit-is-2l"]
