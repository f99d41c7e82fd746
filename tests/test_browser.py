"""Every page in headless Chromium, as readers get it.

The site is served from 127.0.0.1 under a subpath and gzip-compressed, as
GitHub project pages serve it. Each page is opened in the light scheme at
desktop width and in the dark scheme at phone width, every figure loaded, and
checked: no request to another host, no console error, the figures of the
scheme shown, math rendered, no sideways scrolling, no layout shift as it
loads; no axe-core violation (of any impact, minor included) in either pass
(the header, navigation and footer, the same on every page, on the home page);
at most 250 KB transferred on a first visit (phone).

Uses Debian's chromium through Playwright (no browser download). Where it is
missing these tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import functools
import gzip
import os
import shutil
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from snippets.figures import DESKTOP_COLUMN, DESKTOP_PAGE, PHONE_COLUMN, PHONE_PAGE

SUBPATH = "/adam/"  # as on project pages: https://<owner>.github.io/adam/
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # Any host but this machine fails at once, as it would offline.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
MAX_PAGE_BYTES = 250_000
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".py", ".map"}

pytestmark = pytest.mark.browser


def _chromium_or_skip() -> str:
    if shutil.which(CHROMIUM) is None:
        reason = f"no Chromium at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (required under CI=true)")
        pytest.skip(reason)
    return CHROMIUM


class _Handler(SimpleHTTPRequestHandler):
    """Serves the site under SUBPATH, gzip-compressed, as GitHub Pages does."""

    protocol_version = "HTTP/1.1"

    def translate_path(self, path):
        path = urlsplit(path).path
        if not path.startswith(SUBPATH):
            return "/nonexistent"
        return super().translate_path("/" + path[len(SUBPATH):])

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in COMPRESSED or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    # A browser opens several connections at once, and on a busy machine this
    # server may be slow to accept them: the default backlog of 5 would drop some.
    request_queue_size = 128
    daemon_threads = True


@pytest.fixture(scope="module")
def server(built):
    handler = functools.partial(_Handler, directory=str(built.site))
    httpd = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{SUBPATH}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def page_urls(site: Path) -> list[str]:
    """Every page, 404.html included (served with 200 when asked for by name)."""
    return sorted(p.relative_to(site).as_posix().removesuffix("index.html")
                  for p in site.rglob("*.html"))


@dataclass
class Visit:
    """What one page load showed and cost."""

    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    transferred: int = 0


# Layout shifts not caused by the reader, summed as Cumulative Layout Shift counts them.
MAX_LAYOUT_SHIFT = 0.05
RECORD_LAYOUT_SHIFTS = """
window.__layoutShift = 0;
window.__shifted = [];  // what moved, for the failure message
new PerformanceObserver(list => {
    for (const shift of list.getEntries()) {
        if (shift.hadRecentInput) continue;
        window.__layoutShift += shift.value;
        for (const {node, previousRect: a, currentRect: b} of shift.sources) {
            const name = node ? (node.id ? "#" + node.id : node.nodeName.toLowerCase() +
                (node.className ? "." + String(node.className).split(" ")[0] : "")) : "?";
            const box = r => [r.x, r.y, r.width, r.height].map(Math.round).join(",");
            window.__shifted.push(`${name} (x,y,w,h) ${box(a)} -> ${box(b)} ` +
                `at ${Math.round(shift.startTime)} ms`);
        }
    }
}).observe({type: "layout-shift", buffered: true});
"""


class Tab:
    """A browser tab that opens the pages one after another, as a reader following links.

    Chromium keeps the tab's renderer process from page to page, which halves the time
    a page takes to open. Each request counts for the visit that made it. With
    ``cold=True`` nothing comes from a cache: every visit weighs as a first visit.
    """

    def __init__(self, context, cold: bool = False):
        self.page = context.new_page()
        self.page.add_init_script(RECORD_LAYOUT_SHIFTS)
        if cold:
            cdp = context.new_cdp_session(self.page)  # DevTools' "Disable cache"
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.seen = Visit()
        self.in_flight: dict = {}  # request -> the visit that made it, until it ends

        def on_request(request):
            self.in_flight[request] = self.seen
            if urlsplit(request.url).hostname not in ("127.0.0.1", None):
                self.seen.foreign.append(request.url)

        def on_finished(request):
            sizes = request.sizes()
            seen = self.in_flight.pop(request)
            seen.transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]

        def on_failed(request):
            del self.in_flight[request]

        self.page.on("request", on_request)
        self.page.on("requestfinished", on_finished)
        self.page.on("requestfailed", on_failed)
        self.page.on("console", lambda m: m.type == "error" and self.seen.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.seen.errors.append(str(e)))

    def visit(self, url: str) -> Visit:
        """Open ``url``, load every figure a reader scrolling down would see, wait for them."""
        self.seen = Visit()
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, f"{url}: HTTP error"
        # Load every lazy figure of this scheme (the other scheme's are hidden and never
        # load), as scrolling to the end would, and wait for them.
        self.page.evaluate("""async () => {
            const shown = [...document.images].filter(img => img.checkVisibility());
            shown.forEach(img => { img.loading = "eager"; });
            const loading = shown.filter(img => !img.complete)
                .map(img => new Promise(done => { img.onload = img.onerror = done; }));
            await Promise.race([Promise.all(loading), new Promise(r => setTimeout(r, 10000))]);
        }""")
        return self.seen


def bytes_transferred(tab: Tab, seen: Visit) -> int:
    """What the page has loaded, once no request is in flight. Called after axe, which
    comes after scrolling through the page, it counts what a reader who reads to the
    end loads: the search index, and fonts that only far sections' math uses."""
    def loading() -> int:
        return sum(made_by is seen for made_by in tab.in_flight.values())

    for _ in range(200):
        if not loading():
            break
        tab.page.wait_for_timeout(50)  # lets Playwright deliver the requests' events
    assert not loading(), f"{tab.page.url}: {loading()} requests still loading after 10 s"
    return seen.transferred


def page_problems(page, seen: Visit, scheme: str, width: int) -> list[str]:
    problems = [f"request to another host: {u}" for u in seen.foreign]
    problems += [f"console error: {e}" for e in seen.errors]
    palette = page.get_attribute("body", "data-md-color-scheme")
    if palette != ("slate" if scheme == "dark" else "default"):
        problems.append(f"colour scheme {palette!r} instead of the system's {scheme}")
    # A figure in a closed fold is not shown until the reader opens it.
    figures = page.evaluate("""() => [...document.querySelectorAll('.site-figure')]
        .filter(f => !f.closest('details:not([open])')).map(f =>
        [...f.querySelectorAll('img')].filter(img => img.checkVisibility())
            .map(img => [img.currentSrc || img.src, img.complete && img.naturalWidth > 0]))""")
    # The phone layout of each figure below 720 px, where the desktop one would shrink.
    variant = f"-phone-{scheme}.svg" if width < 720 else f"-{scheme}.svg"
    for shown in figures:
        if len(shown) != 1 or variant not in shown[0][0] or (
                width >= 720 and "-phone-" in shown[0][0]):
            problems.append(f"a figure shows {[s for s, _ in shown]} at {width} px, {scheme}")
        problems += [f"figure not loaded: {src}" for src, ok in shown if not ok]
    column = {390: PHONE_PAGE, 1280: DESKTOP_PAGE}[width]
    shown_in = page.evaluate("() => document.querySelector('.md-content .md-typeset').clientWidth")
    if figures and shown_in != column:  # the figures' text sizes are computed for it
        problems.append(f"the text column is {shown_in} px wide, figures expect {column} px")
    unrendered = page.evaluate("""() => [...document.querySelectorAll('.arithmatex')]
        .filter(el => !el.querySelector('.katex')).map(el => el.textContent)""")
    problems += [f"math not rendered: {tex}" for tex in unrendered]
    shift = page.evaluate("window.__layoutShift")
    if shift > MAX_LAYOUT_SHIFT:
        moved = "; ".join(page.evaluate("window.__shifted.slice(0, 5)"))
        problems.append(f"content moves as the page loads: layout shift {shift:.3f} ({moved})")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    if overflow > width:
        problems.append(f"page scrolls sideways: {overflow}px wide at {width}px")
    return problems


# Code blocks hold thousands of token spans, and axe's contrast check takes most
# of its time on them. Spans of the same token class in the same surroundings
# have the same colours: one of each is kept, the others become plain text.
ONE_SPAN_PER_TOKEN_STYLE = """() => {
    const seen = new Set();
    for (const span of document.querySelectorAll("pre code span[class]")) {
        const key = [span.className, !!span.closest(".hll"),
                     span.closest(".admonition, details, .tabbed-block")?.className].join();
        if (seen.has(key)) span.replaceWith(...span.childNodes); else seen.add(key);
    }
}"""


# The page's far sections are drawn only when a reader scrolls near them (site.css,
# content-visibility), and scripts set parts of them up then (Material's code blocks,
# mkdocs.yml content.lazy; site.js's scrolling regions): scroll through the page as a
# reader would, then draw all of it, so that axe sees every element as it is.
SCROLL_THROUGH_THEN_DRAW_ALL = """async () => {
    const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {
        scrollTo(0, y);
        await frame();
    }
    const style = document.createElement("style");
    style.textContent = ".md-content__inner > *, .jp-Cell {content-visibility: visible !important}";
    document.head.append(style);
    await frame();
}"""


# The header, the navigation, the table of contents and the footer are built from one
# template with the same styles on every page: axe checks them on the home page
# (with_frame=True), and only the page's own content elsewhere (a quarter less time).
FRAME = [".md-header", ".md-tabs", ".md-sidebar", ".md-footer"]


def axe_findings(page, axe_source: str, with_frame: bool = True) -> list[str]:
    """axe-core's violations on the page, of any impact (run last: it edits code blocks)."""
    page.evaluate(SCROLL_THROUGH_THEN_DRAW_ALL)
    page.evaluate(ONE_SPAN_PER_TOKEN_STYLE)
    page.evaluate(axe_source)
    # KaTeX's visual HTML is aria-hidden (readers get its MathML): leaving it out
    # of axe's walk keeps the run fast on formula-heavy pages.
    exclude = [".katex-html"] + ([] if with_frame else FRAME)
    # Only the violations cross back to Python, in short: axe's full
    # result (every pass, every node) takes longer to hand over than to compute.
    return page.evaluate(
        """async ([exclude, tags]) => {
            const result = await axe.run({exclude},
                {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} ${JSON.stringify(
                    v.nodes.slice(0, 3).map(n => n.target))}`);
        }""",
        [exclude, AXE_TAGS],
    )


# Tables and code blocks, measured with every fold open and every section laid out
# (so after the checks of the page as it loads): every table fits its box or scrolls
# in a frame that shows it (the edge shadow of site.css), no code in a table cell
# breaks inside a name, and no copy button covers the first line of its code or the
# code's title.
# Everything on the page laid out (far sections wait for the reader otherwise: site.css,
# content-visibility) and every fold open, then measured in one pass.
DRAW_ALL = """async () => {
    await document.fonts.ready;
    document.querySelectorAll("details").forEach((fold) => { fold.open = true; });
    const style = document.createElement("style");
    style.textContent = ".md-content__inner > *, .jp-Cell {content-visibility: visible !important}";
    document.head.append(style);
}"""

TABLES = """() => {
    const problems = [];
    for (const table of document.querySelectorAll(".md-content table")) {
        if (!table.checkVisibility()) continue;  // in a tab not chosen
        const head = table.rows[0]?.textContent.trim().replace(/\\s+/g, " ").slice(0, 30);
        const name = `table "${head}"`;
        let frame = table.parentElement;
        while (frame && !["auto", "scroll"].includes(getComputedStyle(frame).overflowX))
            frame = frame.parentElement;
        if (!frame || frame === document.documentElement || frame === document.body) {
            if (table.getBoundingClientRect().width > table.parentElement.clientWidth + 1)
                problems.push(`${name}: wider than its box, and nothing scrolls it`);
        } else if (frame.scrollWidth > frame.clientWidth + 1) {
            const style = getComputedStyle(frame);
            const cue = style.backgroundImage.includes("radial-gradient")
                && style.backgroundAttachment.includes("local");
            const see_through = getComputedStyle(table).backgroundColor === "rgba(0, 0, 0, 0)";
            if (!cue || !see_through)
                problems.push(`${name}: scrolls (${frame.scrollWidth} px in ${frame.clientWidth}) `
                              + `with no shadow at its edge${cue ? " to be seen" : ""}`);
        }
        for (const code of table.querySelectorAll("td code, th code")) {
            const lines = new Set([...code.getClientRects()].map((r) => Math.round(r.top)));
            if (lines.size > 1 && !/\\s/.test(code.textContent))
                problems.push(`${name}: \\`${code.textContent}\\` broken over ${lines.size} lines`);
        }
    }
    return problems;
}"""

COPY_BUTTONS = """() => {
    const problems = [];
    const overlap = (a, b) => a.left < b.right && a.right > b.left
        && a.top < b.bottom && a.bottom > b.top;
    for (const nav of document.querySelectorAll("pre > .md-code__nav")) {
        if (!nav.checkVisibility()) continue;  // in a tab not chosen
        const button = nav.getBoundingClientRect();
        const code = nav.parentElement.querySelector("code");
        // The first line's text: from the code's start to its first newline.
        const line = document.createRange();
        line.setStart(code, 0);
        const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
        for (let text; (text = walker.nextNode());) {
            const end = text.data.indexOf("\\n");
            line.setEnd(text, end < 0 ? text.data.length : end);
            if (end >= 0) break;
        }
        const title = nav.closest(".highlight")?.querySelector(":scope > .filename");
        const texts = [...line.getClientRects()];
        if (title) {
            const words = document.createRange();
            words.selectNodeContents(title);
            texts.push(...words.getClientRects());
        }
        if (texts.some((text) => text.width > 0 && overlap(text, button)))
            problems.push(`the copy button covers "${(title ? title.textContent + ": " : "")
                + code.textContent.split("\\n")[0].slice(0, 40)}"`);
    }
    return problems;
}"""


# The figures' text sizes are computed for a column this wide (a fold's, the
# narrowest): no figure, folds open, is shown narrower than that or its own width.
SHRUNK_FIGURES = """(column) => [...document.querySelectorAll(".site-figure picture")]
    .map((picture) => [picture.querySelector("img"), picture.querySelector("source")])
    .filter(([img]) => img.checkVisibility())
    .map(([img, source]) => {  // its width as drawn: the layout the screen's width chose
        const drawn = Number(matchMedia(source.media).matches
            ? source.getAttribute("width") : img.getAttribute("width"));
        return [img, Math.min(column, drawn), img.getBoundingClientRect().width];
    })
    .filter(([, needed, shown]) => shown + 0.5 < needed)
    .map(([img, needed, shown]) => `${img.getAttribute("src").split("/").pop()} shown ${
        shown.toFixed(0)} px wide, under the ${needed} px its text was sized for`)"""


# A display formula in a fold or a box scrolls inside its border, never across it.
FORMULAS_IN_BOXES = """() => [...document.querySelectorAll("div.arithmatex")]
    .filter((math) => math.checkVisibility() && math.closest("details, .admonition"))
    .filter((math) => {
        const box = math.closest("details, .admonition"), style = getComputedStyle(box);
        const outer = box.getBoundingClientRect(), inner = math.getBoundingClientRect();
        return inner.left < outer.left + parseFloat(style.borderLeftWidth) - 0.5
            || inner.right > outer.right - parseFloat(style.borderRightWidth) + 0.5;
    })
    .map((math) => `a formula in a fold runs across its border: ${
        math.textContent.trim().slice(0, 40)}`)"""


# Every page in both schemes and at both widths: axe runs in each (contrast depends
# on the scheme, layout on the width); the weight of a first visit is measured on
# the phone, with the cache off.
PASSES = ["light-desktop", "dark-phone"]


@pytest.mark.parametrize("name", PASSES)
def test_every_page_offline_figures_math_tables_code_no_sideways_scroll_axe_and_weight(
    built, server, browser, axe_source, name
):
    scheme, viewport = name.split("-")
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(
        color_scheme=scheme, viewport={"width": width, "height": height},
        is_mobile=viewport == "phone", has_touch=viewport == "phone",
    )
    weigh = viewport == "phone"
    tab = Tab(context, cold=weigh)
    problems = []
    for path in page_urls(built.site):
        seen = tab.visit(server + path)
        found = page_problems(tab.page, seen, scheme, width)
        found += axe_findings(tab.page, axe_source, with_frame=path == "")
        if weigh and (weight := bytes_transferred(tab, seen)) > MAX_PAGE_BYTES:
            found.append(f"{weight / 1000:.0f} KB transferred (gzip), over 250 KB")
        tab.page.evaluate(DRAW_ALL)  # last: it opens the folds
        found += tab.page.evaluate(TABLES) + tab.page.evaluate(COPY_BUTTONS)
        found += tab.page.evaluate(SHRUNK_FIGURES, {390: PHONE_COLUMN, 1280: DESKTOP_COLUMN}[width])
        found += tab.page.evaluate(FORMULAS_IN_BOXES)
        problems += [f"/{path} ({name}): {p}" for p in found]
    context.close()
    assert not problems, "\n".join(problems)


def test_a_first_visit_in_the_dark_scheme_is_dark_from_the_start(server, browser):
    # Nothing stored yet: the page must not start light and switch once Material's
    # script has run (docs/hooks/theme_fixes.py). These pages have a figure in their
    # first screens, whose light version the browser would fetch meanwhile.
    for path in ["", "landscape/", "frameworks/"]:
        context = browser.new_context(color_scheme="dark", viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.add_init_script("""new MutationObserver((_, observer) => {
            const content = document.querySelector(".md-main");  // parsed, not yet drawn
            if (!content) return;
            window.__schemeAtParse = document.body.dataset.mdColorScheme;
            observer.disconnect();
        }).observe(document, {childList: true, subtree: true})""")
        requested = []
        page.on("request", lambda r, requested=requested: requested.append(r.url))
        page.goto(server + path, wait_until="load")
        light = [url for url in requested if url.endswith("-light.svg")]
        scheme = page.evaluate("window.__schemeAtParse")
        assert scheme == "slate", f"/{path}: the page starts in the {scheme!r} scheme"
        assert not light, f"/{path}: a reader in the dark scheme fetched {light}"
        context.close()


def test_search_finds_a_page(server, browser):
    page = browser.new_page()
    page.goto(server, wait_until="networkidle")
    page.keyboard.press("/")
    page.keyboard.type("momentum")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    assert page.locator(".md-search-result__item").count() >= 1
    page.close()


def test_on_a_phone_no_punctuation_after_a_formula_starts_a_line(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    for path in ("variants/", "frameworks/", "bias-correction/", "second-moment/"):
        page.goto(server + path, wait_until="load")
        alone = page.evaluate("""() => {
            const out = [], line = (a, b) => Math.abs(a.bottom - b.bottom) < 12;
            const shown = (e) => !e.closest('details:not([open])');
            for (const s of document.querySelectorAll('span.arithmatex')) {
                const t = s.nextSibling;  // punctuation left in the text after a formula
                if (!shown(s) || !t || t.nodeType !== 3 || !/^[.,;:)]/.test(t.data)) continue;
                const r = document.createRange(); r.setStart(t, 0); r.setEnd(t, 1);
                if (!line(r.getBoundingClientRect(), s.getBoundingClientRect()))
                    out.push(s.textContent.slice(0, 20) + t.data[0]);
            }
            for (const p of document.querySelectorAll('.math-punctuation')) {
                if (shown(p) && !line(p.getBoundingClientRect(),
                                      p.previousElementSibling.getBoundingClientRect()))
                    out.push(p.parentElement.textContent.slice(0, 20));
            }
            return out;
        }""")
        assert alone == [], f"/{path}: punctuation alone at a line's start after {alone}"
    page.close()


def test_the_browser_refuses_a_request_to_another_host(server, browser):
    page = browser.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(server, wait_until="networkidle")
    assert errors == []  # the page's own scripts all ran
    refused = page.evaluate("""async () => {
        const seen = [];
        document.addEventListener("securitypolicyviolation", e => seen.push(e.effectiveDirective));
        const img = new Image();
        const loaded = new Promise(r => { img.onload = img.onerror = r; });
        img.src = "http://127.0.0.2:9/pixel.png";
        await loaded;
        const fetched = await fetch("http://127.0.0.2:9/data").then(() => "sent", e => String(e));
        await new Promise(r => setTimeout(r, 100));
        return {seen, fetched};
    }""")
    assert set(refused["seen"]) == {"img-src", "connect-src"}, refused
    assert refused["fetched"] != "sent"
    page.close()


def test_the_site_is_served_from_a_subpath_and_gzip(server, browser):
    page = browser.new_page()
    response = page.goto(server, wait_until="networkidle")
    assert urlsplit(response.url).path == SUBPATH
    assert response.header_value("content-encoding") == "gzip"
    page.close()


def test_every_code_block_has_one_copy_button_and_it_copies_the_code(server, browser):
    # The buttons are written at build time (docs/hooks/theme_fixes.py), not by Material's
    # script: after the script has run there must still be exactly one per block.
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(server + "pitfalls/", wait_until="load")
    targets = page.evaluate("""() => [...document.querySelectorAll("pre > code")].map(code =>
        [...code.parentElement.querySelectorAll(".md-code__button")]
            .map(b => document.querySelector(b.dataset.clipboardTarget) === code))""")
    assert len(targets) > 10
    assert all(buttons == [True] for buttons in targets), targets
    block = page.locator("pre > code").nth(2)
    block.hover()
    page.locator(".md-code__button").nth(2).click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == block.text_content().rstrip() and "print(" in copied
    context.close()


def test_a_link_to_a_section_far_down_a_page_shows_that_section(server, browser):
    # Sections far down are drawn only when near the screen (content-visibility): a
    # tutorial's link to one must still land on its heading, and the heading stay put.
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(server + "variants/", wait_until="load")
    headings = page.evaluate(
        "[...document.querySelectorAll('.md-content__inner > h2')].map(h => h.id)"
    )
    target = headings[-2]
    page.goto(server + f"variants/#{target}", wait_until="load")
    tops = []
    for _ in range(3):
        page.wait_for_timeout(500)
        tops.append(page.evaluate(f"document.getElementById('{target}').getBoundingClientRect().top"))
    assert all(0 <= top < 150 for top in tops), f"#{target} at {tops} px from the top of the screen"
    page.close()


@pytest.mark.parametrize("target", [
    "second-moment/#how-big-a-step", "momentum/#betas", "adam/#why-t-starts-at-1",
    "adam/#efficient-form",
])
def test_a_link_to_a_section_moved_into_a_fold_opens_the_fold_and_shows_it(
    server, browser, target
):
    # The learner's path keeps detours in closed folds; tutorials link to their old ids.
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(server + target, wait_until="load")
    page.wait_for_timeout(500)
    found = page.evaluate("""(id) => { const e = document.getElementById(id);
        const fold = e.closest('details');
        return {inFold: fold !== null, open: fold ? fold.open : null,
                top: e.getBoundingClientRect().top}; }""", target.split("#")[1])
    assert found["inFold"] and found["open"], f"{target}: {found}"
    assert 0 <= found["top"] < 200, f"{target}: {found}"
    page.close()


# How far the element's fold moves in 150 ms: 0 once a scroll to it has ended.
SETTLED = """(selector) => new Promise((done) => {
    const at = () => document.querySelector(selector).closest("details")
        .getBoundingClientRect().top;
    const before = at();
    setTimeout(() => done(Math.abs(at() - before)), 150);
})"""


def test_a_link_to_one_faq_answer_shows_its_question_below_the_back_to_top_button(
        server, browser):
    """On a phone, a link up the page to an answer scrolls up, which brings out Material's
    "Back to top" button: the question must land below it, not under it."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(server + "faq/", wait_until="networkidle")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_timeout(300)
    page.evaluate("location.hash = '#nan-loss'")
    page.wait_for_function("() => document.getElementById('nan-loss').closest('details').open")
    for _ in range(50):  # the scroll (longer as the page grows) until the question stays
        moved = page.evaluate(SETTLED, "#nan-loss")
        if moved < 0.5:
            break
    page.wait_for_timeout(300)  # the button's appearance
    button, question = page.evaluate("""() => [
        document.querySelector('.md-top').getBoundingClientRect().bottom,
        document.getElementById('nan-loss').closest('details').querySelector('summary')
            .getBoundingClientRect().top]""")
    visible = page.evaluate("!document.querySelector('.md-top').hidden")
    context.close()
    assert not visible or question >= button, (
        f"the question starts at {question}px, under the back-to-top button (to {button}px)")
