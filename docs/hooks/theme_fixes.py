"""MkDocs hook: fixes to Material's output that its options lack."""

import logging
import re
from pathlib import Path

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
INVISIBLE_TOKEN = re.compile(r'<span class="[nw]">([^<]*)</span>')


def name_search_dialog(html: str) -> str:
    return html.replace(SEARCH_DIALOG, NAMED_DIALOG)


def on_post_page(output, page, config):
    return INVISIBLE_TOKEN.sub(r"\1", name_search_dialog(output))


def on_post_template(output_content, template_name, config):  # 404.html
    return name_search_dialog(output_content)


def on_post_build(config):
    stylesheets = Path(config["site_dir"], "assets", "stylesheets")
    for css in stylesheets.glob("palette.*.min.css"):
        text, found = SWITCHING_RULE.subn("", css.read_text(encoding="utf-8"))
        if found:
            css.write_text(text, encoding="utf-8")
            return
    log.warning("Material's palette stylesheet no longer has the colour-switching rule: "
                "update docs/hooks/theme_fixes.py")
