"""MkDocs hook: fixes to Material's output that its options lack."""

import itertools
import json
import logging
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.theme_fixes")

# axe "aria-dialog-name": Material's search dialog has no accessible name.
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMED_DIALOG = SEARCH_DIALOG.replace('role="dialog"', 'role="dialog" aria-label="Search"')

# On every page load Material's script sets data-md-color-switching on <body> and
# removes it a frame later. Its palette stylesheet has a rule
# `[data-md-color-switching] * {transition-duration: 0s}`, so each of the two changes
# makes the browser restyle every element of the page: about 0.4 s of a phone's main
# thread on a long page, spent before the page answers a tap. Without the rule, the
# only difference is that colours may fade for a moment when a reader toggles the scheme.
SWITCHING_RULE = re.compile(
    r"\[data-md-color-switching\] \*,\[data-md-color-switching\] :after,"
    r"\[data-md-color-switching\] :before\{transition-duration:0s!important\}"
)


# Pygments wraps every name and every run of whitespace in code in a span of its own,
# but Material colours names as plain code text (--md-code-hl-name-color is
# --md-code-fg-color) and whitespace has no colour: the spans change nothing on screen
# and are a seventh of the elements of a page with much code, each of which a phone
# has to style and lay out.
# Operators and punctuation lose their spans too, and take the code's text colour
# (Material's is a lighter grey): together with names and whitespace, more than half
# the elements of a code block.
INVISIBLE_TOKEN = re.compile(r'<span class="[nwop]">([^<]*)</span>')

# Material's script adds each code block's copy button as the page loads and measures
# the block right after: one layout of the whole page per code block (42 on
# /pitfalls/, about 0.6 s of a phone's main thread). The buttons are written into the
# HTML here instead, and mkdocs.yml leaves `content.code.copy` off so that the script
# adds no second one. Material's clipboard handler serves every button with a
# data-clipboard-target. The bar is a <nav> to Material's CSS, but not a landmark
# a reader navigates by (axe "landmark-unique"): role="none".
CODE_BLOCK = re.compile(r'(<pre[^>]*>(?:<span></span>)?)<code>')
COPY_BUTTON = (
    '<nav class="md-code__nav" role="none"><button class="md-code__button" '
    'title="Copy to clipboard" data-clipboard-target="#{id}" data-md-type="copy">'
    '</button></nav><code id="{id}">'
)

# Material's script is the last element of the body but not deferred: a phone that
# has parsed the page waits for it before showing anything. Deferred, it still runs
# before site.js and the pages' own scripts, which are deferred too.
BUNDLE_SCRIPT = re.compile(r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)">')


# On a first visit nothing is stored yet, and Material's script at the top of <body>
# leaves the first scheme on until its bundle has run, after the page is parsed: a
# reader whose system is dark sees the page flash light, and their browser fetches the
# light version of the figures near the top. A script run right after Material's takes
# the scheme of the palette entry (mkdocs.yml) whose media query the system matches.
PALETTE_SCRIPT = re.compile(r'<script>var palette=__md_get\("__palette"\);.*?</script>', re.S)


def scheme_from_the_start(html: str, config) -> str:
    schemes = [[p["media"], p["scheme"]] for p in config["theme"]["palette"] if "scheme" in p]
    script = (
        f'<script>if(!__md_get("__palette"))for(const[media,scheme]of {json.dumps(schemes)})'
        'if(matchMedia(media).matches){'
        'document.body.setAttribute("data-md-color-scheme",scheme);break}</script>'
    )
    html, found = PALETTE_SCRIPT.subn(lambda m: m[0] + script, html, count=1)
    if not found:
        raise PluginError("theme_fixes: Material's palette script not found: update PALETTE_SCRIPT")
    return html


def name_search_dialog(html: str) -> str:
    return html.replace(SEARCH_DIALOG, NAMED_DIALOG)


def defer_bundle(html: str) -> str:
    html, found = BUNDLE_SCRIPT.subn(r'<script src="\1" defer>', html)
    if found != 1:
        raise PluginError(
            f"theme_fixes: {found} script tags of Material's bundle in a page, not 1: "
            "update BUNDLE_SCRIPT"
        )
    return html


def add_copy_buttons(html: str) -> str:
    numbers = itertools.count(1)
    return CODE_BLOCK.sub(
        lambda m: m[1] + COPY_BUTTON.format(id=f"__copy_{next(numbers)}"), html
    )


def on_page_content(html, page, config, files):
    # Before the search plugin parses the page: a third fewer tags for it to read.
    return INVISIBLE_TOKEN.sub(r"\1", html)


def on_post_page(output, page, config):  # again for code put back late (notebooks)
    html = defer_bundle(name_search_dialog(scheme_from_the_start(output, config)))
    return add_copy_buttons(INVISIBLE_TOKEN.sub(r"\1", html))


def on_post_template(output_content, template_name, config):  # 404.html, sitemap.xml
    if template_name != "404.html":
        return output_content
    return defer_bundle(name_search_dialog(scheme_from_the_start(output_content, config)))


def on_post_build(config):
    stylesheets = Path(config["site_dir"], "assets", "stylesheets")
    for css in stylesheets.glob("palette.*.min.css"):
        text, found = SWITCHING_RULE.subn("", css.read_text(encoding="utf-8"))
        if found:
            css.write_text(text, encoding="utf-8")
            return
    log.warning("Material's palette stylesheet no longer has the colour-switching rule: "
                "update docs/hooks/theme_fixes.py")
