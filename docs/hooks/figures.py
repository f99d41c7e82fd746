"""MkDocs hook: figures drawn from ``snippets/`` at build time, and downloads.

- Every figure registered with ``snippets.figures.figure`` is rendered to
  ``figures/<name>-light.svg`` and ``figures/<name>-dark.svg`` and added to the
  build in memory (nothing is written into ``docs/``). Renders are cached in
  ``.cache/figures`` (or ``$FIGURE_CACHE_DIR``) under a hash of the figure's
  code, so a rebuild with no change draws nothing.
- A line ``[[figure: name]]`` in a page becomes the light and the dark image
  with the registered alt text; an unknown name fails the build.
- The standalone modules in ``DOWNLOADS`` are published under ``downloads/``.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

log = logging.getLogger("mkdocs.hooks.figures")

ROOT = Path(__file__).resolve().parents[2]
DOWNLOADS = ["adam.py"]
MARKER = re.compile(r"^\[\[figure:\s*([a-z0-9-]+)\s*\]\]$", re.MULTILINE)
SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')

_figures: dict = {}
_sizes: dict[str, tuple[int, int]] = {}  # CSS pixels, from the SVG's size in pt
_used: set[str] = set()


def _load_snippets():
    """(Re-)import ``snippets`` so ``mkdocs serve`` sees edits to it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for name in [m for m in sys.modules if m == "snippets" or m.startswith("snippets.")]:
        del sys.modules[name]
    from snippets import figures

    return figures


def on_config(config):
    _used.clear()
    _figures.clear()
    _figures.update(_load_snippets().load_all())
    return config


def _cache_paths(spec, figures, cache: Path) -> dict[str, Path]:
    """Where each scheme of the figure is cached, under a hash of its code."""
    key = figures.cache_key(spec)
    return {theme: cache / f"{spec.name}-{theme}-{key}.svg" for theme in figures.THEMES}


def on_files(files, config):
    figures = sys.modules["snippets.figures"]
    cache = Path(os.environ.get("FIGURE_CACHE_DIR", ROOT / ".cache" / "figures"))
    cache.mkdir(parents=True, exist_ok=True)
    paths = {name: _cache_paths(spec, figures, cache) for name, spec in _figures.items()}
    missing = [name for name, p in paths.items() if not all(f.exists() for f in p.values())]
    if missing:
        log.info("drawing %d figures: %s", len(missing), ", ".join(missing))
        for name, rendered in figures.render_many(missing).items():
            for theme, svg in rendered.items():
                for stale in cache.glob(f"{name}-{theme}-*.svg"):
                    stale.unlink()
                paths[name][theme].write_bytes(svg)
    for name, theme_paths in paths.items():
        rendered = {theme: path.read_bytes() for theme, path in theme_paths.items()}
        width, height = SVG_SIZE.search(rendered["light"][:2000]).groups()
        _sizes[name] = (round(float(width) * 4 / 3), round(float(height) * 4 / 3))
        for theme, svg in rendered.items():
            files.append(File.generated(config, f"figures/{name}-{theme}.svg", content=svg))
    for name in DOWNLOADS:
        content = (ROOT / "snippets" / name).read_bytes()
        files.append(File.generated(config, f"downloads/{name}", content=content))
    return files


def _figure_html(name: str, page) -> str:
    spec = _figures.get(name)
    if spec is None:
        raise PluginError(
            f"{page.file.src_uri}: [[figure: {name}]] names no registered figure; "
            f"known: {', '.join(sorted(_figures)) or 'none'}"
        )
    _used.add(name)
    width, height = _sizes[name]
    here = posixpath.dirname(page.file.src_uri)
    images = []
    for theme in ("light", "dark"):
        src = posixpath.relpath(f"figures/{name}-{theme}.svg", here or ".")
        images.append(
            f'![{spec.alt}]({src}#only-{theme}){{ width="{width}" height="{height}" '
            f'loading="lazy" }}'
        )
    caption = f"\n<figcaption>{spec.caption}</figcaption>" if spec.caption else ""
    return (
        f'<figure class="site-figure" id="figure-{name}" markdown="span">\n'
        + "\n".join(images) + caption + "\n</figure>"
    )


def on_page_markdown(markdown, page, config, files):
    return MARKER.sub(lambda m: _figure_html(m.group(1), page), markdown)


def on_post_build(config):
    unused = sorted(set(_figures) - _used)
    if unused:
        log.warning("figures registered but placed on no page: %s", ", ".join(unused))
