"""Every page in headless Chromium, light and dark, served under a subpath.

Uses Debian's chromium through Playwright (no browser download). Where it is
missing these tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

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

pytestmark = pytest.mark.browser


def _chromium_or_skip() -> str:
    if shutil.which(CHROMIUM) is None:
        reason = f"no Chromium at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (required under CI=true)")
        pytest.skip(reason)
    return CHROMIUM


class _Handler(SimpleHTTPRequestHandler):
    """Serves the site under SUBPATH only, as GitHub project pages do."""

    def translate_path(self, path):
        path = urlsplit(path).path
        if not path.startswith(SUBPATH):
            return "/nonexistent"
        return super().translate_path("/" + path[len(SUBPATH):])

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built):
    handler = functools.partial(_Handler, directory=str(built.site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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


def page_urls(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix().removesuffix("index.html")
        for p in site.rglob("*.html")
        if p.name != "404.html"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_renders_offline_with_figures_and_math(built, server, browser, scheme):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 800})
    problems = []
    for path in page_urls(built.site):
        page = context.new_page()
        foreign, errors = [], []
        page.on("request", lambda r: urlsplit(r.url).hostname not in ("127.0.0.1", None)
                and foreign.append(r.url))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        response = page.goto(server + path, wait_until="networkidle")
        where = f"/{path} ({scheme})"
        if response is None or response.status != 200:
            problems.append(f"{where}: HTTP {response and response.status}")
        shown = page.evaluate("getComputedStyle(document.body).getPropertyValue('color-scheme')")
        palette = page.get_attribute("body", "data-md-color-scheme")
        expected = "slate" if scheme == "dark" else "default"
        if palette != expected:
            problems.append(f"{where}: colour scheme {palette!r} ({shown}), not {expected!r}")
        # Bring every lazy figure into view, then check it loaded.
        page.evaluate("""async () => {
            for (const img of document.querySelectorAll('.site-figure img')) {
                img.scrollIntoView(); await new Promise(r => setTimeout(r, 30)); }
        }""")
        page.wait_for_load_state("networkidle")
        broken = page.evaluate("""() => [...document.querySelectorAll('.site-figure img')]
            .filter(img => img.checkVisibility())
            .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)""")
        visible = page.evaluate("""() => [...document.querySelectorAll('.site-figure img')]
            .filter(img => img.checkVisibility()).map(img => img.src)""")
        figures = page.evaluate("document.querySelectorAll('.site-figure').length")
        if len(visible) != figures or any(f"-{scheme}.svg" not in src for src in visible):
            problems.append(f"{where}: {len(visible)} visible images for {figures} figures")
        unrendered = page.evaluate("""() => [...document.querySelectorAll('.arithmatex')]
            .filter(el => !el.querySelector('.katex')).map(el => el.textContent)""")
        problems += [f"{where}: figure not loaded: {src}" for src in broken]
        problems += [f"{where}: math not rendered: {tex}" for tex in unrendered]
        problems += [f"{where}: request to another host: {url}" for url in foreign]
        problems += [f"{where}: console error: {text}" for text in errors]
        page.close()
    context.close()
    assert not problems, "\n".join(problems)


def test_math_is_rendered_on_the_home_page(server, browser):
    page = browser.new_page()
    page.goto(server, wait_until="networkidle")
    assert page.locator(".arithmatex .katex").count() >= 4
    page.close()


def test_search_finds_a_page(server, browser):
    page = browser.new_page()
    page.goto(server, wait_until="networkidle")
    page.keyboard.press("/")
    page.keyboard.type("momentum")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    assert page.locator(".md-search-result__item").count() >= 1
    page.close()
