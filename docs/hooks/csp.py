"""MkDocs hook: a Content-Security-Policy on every page, so that the browser itself
refuses any request to another host.

A static host sets no headers, so the policy is a ``<meta http-equiv>``, put first in
``<head>`` (a policy applies only to what is parsed after it). Scripts, styles, fonts,
images, the search index and its worker come from the site itself; an inline script
runs only if its SHA-256 hash, computed here from the finished page, is listed.
Inline styles stay allowed ('unsafe-inline' for styles: KaTeX sizes every glyph with a
style attribute): they cannot make a request that the other directives allow.
Figures and Material's icons in CSS include ``data:`` images.

It runs last (priority -100), after every hook that adds or changes an inline script.
"""

import base64
import hashlib
import re

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

POLICY = (
    "default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
    "manifest-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
)

# An inline script: a <script> without src (JSON data blocks are hashed too; harmless).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
CHARSET = '<meta charset="utf-8">'


def script_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def policy(html: str) -> str:
    """The policy for one page: its own inline scripts by hash, in order, each once."""
    hashes = dict.fromkeys(script_hash(m[1]) for m in INLINE_SCRIPT.finditer(html))
    return POLICY.format(hashes=" ".join(hashes)).replace(" ;", ";")


def add_policy(html: str) -> str:
    if CHARSET not in html:
        raise PluginError(f"csp: no {CHARSET} to put the policy after: update docs/hooks/csp.py")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    return html.replace(CHARSET, CHARSET + meta, 1)


@event_priority(-100)
def on_post_page(output, page, config):
    return add_policy(output)


@event_priority(-100)
def on_post_template(output_content, template_name, config):  # 404.html, sitemap.xml
    return add_policy(output_content) if template_name.endswith(".html") else output_content
