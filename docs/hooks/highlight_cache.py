"""MkDocs hook: Pygments' highlighting of code blocks, cached by its input.

Highlighting the site's code takes a fifth of a rebuild, and the code changes far less
often than the prose around it. pymdownx.highlight calls ``pygments.highlight(code,
lexer, formatter)``; this hook gives it a version that first looks the result up
under a hash of the code and the lexer's and formatter's classes and options, in a
file named for the versions of Pygments and pymdownx. The cache lives in memory
(``mkdocs serve``) and in ``.cache/code`` (see snippets/build_cache.py), so a rebuild with
no new code highlights nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pygments
import pymdownx
import pymdownx.highlight
from mkdocs.exceptions import PluginError

from snippets.build_cache import cache_dir

_highlight = pygments.highlight
_cache: dict[str, str] = {}
_new = 0  # entries not yet on disk
VERSIONS = f"pygments {pygments.__version__}, pymdownx {pymdownx.__version__}"


def _path() -> Path:
    return cache_dir("code") / f"{hashlib.sha256(VERSIONS.encode()).hexdigest()[:16]}.json"


def _key(code: str, lexer, formatter) -> str:
    parts = [code, type(lexer).__qualname__, type(formatter).__qualname__,
             sorted(lexer.options.items()), sorted(formatter.options.items())]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def cached_highlight(code: str, lexer, formatter, outfile=None):
    if outfile is not None:  # writes to a file: nothing to cache
        return _highlight(code, lexer, formatter, outfile)
    global _new
    key = _key(code, lexer, formatter)
    if key not in _cache:
        _cache[key] = _highlight(code, lexer, formatter)
        _new += 1
    return _cache[key]


cached_highlight.__wrapped__ = _highlight  # how a reloaded hook knows its own wrapper


def on_config(config):  # each build, and `mkdocs serve` loads the hook again for each
    current = getattr(pymdownx.highlight, "highlight", None)
    if _highlight not in (current, getattr(current, "__wrapped__", None)):
        raise PluginError("highlight_cache: pymdownx.highlight no longer calls "
                          "pygments.highlight by that name: update docs/hooks/highlight_cache.py")
    if not _cache and _path().exists():
        _cache.update(json.loads(_path().read_text()))
    pymdownx.highlight.highlight = cached_highlight  # the name pymdownx calls


def on_post_build(config):
    global _new
    if _new:
        _path().parent.mkdir(parents=True, exist_ok=True)
        _path().write_text(json.dumps(_cache, sort_keys=True))
        _new = 0
