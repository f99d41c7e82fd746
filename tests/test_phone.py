"""Every page on a phone (390 x 844) in headless Chromium: tables and code blocks.

One load per page: every table fits its box or scrolls in a frame that shows it (the
edge shadow of site.css), no code in a table cell breaks inside a name, and no copy
button covers the first line of its code or the code's title, on the phone nor,
the page widened, at desktop width.
"""

from __future__ import annotations

import pytest
from test_browser import browser, page_urls, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

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


def test_on_a_phone_tables_fit_or_show_they_scroll_and_no_copy_button_covers_code(
    built, server, browser  # noqa: F811 (fixtures)
):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    problems, with_code = [], 0
    for path in page_urls(built.site):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(server + path, wait_until="domcontentloaded")
        page.evaluate(DRAW_ALL)
        found = page.evaluate(TABLES) + page.evaluate(COPY_BUTTONS)
        problems += [f"/{path} (390 px): {p}" for p in found]
        if page.locator("pre > .md-code__nav").count():
            with_code += 1
            page.set_viewport_size({"width": 1280, "height": 800})
            problems += [f"/{path} (1280 px): {p}" for p in page.evaluate(COPY_BUTTONS)]
    page.close()
    assert with_code, "no page with a code block was found"
    assert not problems, "\n".join(problems)
