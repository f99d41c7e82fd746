"""MkDocs hook: the search index keeps the names a code block uses, not the block.

Material's search index holds every page's text, code blocks included, and every page
loads it on a first visit: the code was half of its text (the same adam.py in several
folds). A code block becomes the names it uses (``torch.optim.AdamW``, ``exp_avg_sq``,
``check_finite``, ``Lion``), so searching for one still finds the section that shows it;
its comments and strings are prose the page says in words anyway.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

BLOCK = re.compile(r"<pre>.*?</pre>", re.S)
TAG = re.compile(r"<[^>]+>")
DEFINED = re.compile(r"\b(?:def|class)\s+([A-Za-z_]\w*)")
NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
NOT_CODE = re.compile(r'#.*|"""[\s\S]*?"""|"[^"\n]*"|\'[^\'\n]*\'')


def code_names(block: str) -> str:
    """The names a code block defines, and those it uses that look like code (with _ or .,
    or capitalised): not ``x``, ``for`` or ``print``."""
    code = NOT_CODE.sub(" ", html.unescape(TAG.sub("", block)))
    names = DEFINED.findall(code) + [n for n in NAME.findall(code)
                                     if n.strip("_") and ("_" in n or "." in n or n[0].isupper())]
    return f"<p>{' '.join(dict.fromkeys(names))}</p>" if names else ""


def on_post_build(config):
    path = Path(config["site_dir"], "search", "search_index.json")
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    for doc in index["docs"]:
        doc["text"] = BLOCK.sub(lambda m: code_names(m[0]), doc["text"])
    # As the search plugin writes it.
    path.write_text(json.dumps(index, separators=(",", ":"), default=str), encoding="utf-8")
