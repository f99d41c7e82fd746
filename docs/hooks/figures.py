"""MkDocs hook: figures drawn from ``snippets/`` at build time, and downloads.

- Every figure registered with ``snippets.figures.figure`` is rendered to
  ``figures/<name>-light.svg`` and ``figures/<name>-dark.svg``, and its phone
  layout to ``figures/<name>-phone-light.svg`` and ``-phone-dark.svg``, and added
  to the build in memory (nothing is written into ``docs/``). Renders are cached in
  ``.cache/figures`` (see snippets/build_cache.py) under a hash of the figure's
  code, so a rebuild with no change draws nothing. Figures not in the cache are
  drawn in worker processes while MkDocs renders the pages, and put in place
  before the site is written (``on_env``). The values (snippets/values.py) not
  in their cache are computed there too: one task per snippets module, with its
  figures, so that a run both use is computed once; the values extension takes
  them from the task when a page names them.
- A line ``[[figure: name]]`` in a page becomes the light and the dark picture
  (each the phone layout on a narrow screen) with the registered alt text; an
  unknown name fails the build.
- The standalone modules in ``DOWNLOADS`` are published under ``downloads/``.
"""

from __future__ import annotations

import html
import importlib
import logging
import posixpath
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from snippets.build_cache import cache_dir

log = logging.getLogger("mkdocs.hooks.figures")

ROOT = Path(__file__).resolve().parents[2]
DOWNLOADS = ["adam.py"]
MARKER = re.compile(r"^\[\[figure:\s*([a-z0-9-]+)\s*\]\]$", re.MULTILINE)
SVG_SIZE = re.compile(rb'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')

_figures: dict = {}
_used: set[str] = set()
_drawing: dict = {}  # name -> the worker's future (both schemes' SVG) while it draws
_pool = None
_paths: dict[str, dict] = {}  # name -> {scheme: its cache path}
_outputs: dict[str, dict] = {}  # name -> {variant: (the File in the build, its cache path)}
_phone_heights: dict[str, int] = {}  # name -> its phone layout's height in CSS px
PHONE_HEIGHT = re.compile(r'height="phone-height:([a-z0-9-]+)"')


def _load_snippets():
    """(Re-)import ``snippets`` so ``mkdocs serve`` sees edits to it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for name in [m for m in sys.modules if m == "snippets" or m.startswith("snippets.")]:
        del sys.modules[name]
    from snippets import figures

    return figures


def on_config(config):
    """Start computing what is not cached: each module's figures and values in one worker."""
    global _pool
    _used.clear()
    _figures.clear()
    _figures.update(_load_snippets().load_all())
    figures, values = sys.modules["snippets.figures"], importlib.import_module("snippets.values")
    cache = cache_dir("figures")
    cache.mkdir(parents=True, exist_ok=True)
    _paths.clear()
    batches: dict[str, tuple[list, list]] = {}
    for name, spec in _figures.items():
        _paths[name] = _cache_paths(spec, figures, cache)
        if not all(path.exists() for path in _paths[name].values()):
            batches.setdefault(spec.draw.__module__, ([], []))[0].append(name)
    for name in values.uncached():
        batches.setdefault(values.REGISTRY[name].compute.__module__, ([], []))[1].append(name)
    if not batches:
        return config
    _pool = figures.process_pool(len(batches))
    # First the modules whose values the notebooks state: the notebooks hook waits for them
    # before it starts running the notebooks, and runs them while the pages are built.
    # Then the largest first, so that the last to start is a short one (a figure costs more).
    notebooks = "".join(path.read_text() for path in (ROOT / "notebooks").glob("*.py"))
    for_notebooks = set(values.REFERENCE.findall(notebooks))
    for figure_names, value_names in sorted(
        batches.values(),
        key=lambda batch: (not for_notebooks & set(batch[1]), -(3 * len(batch[0]) + len(batch[1]))),
    ):
        future = _pool.submit(figures.render_module, figure_names, value_names)
        _drawing.update(dict.fromkeys(figure_names, future))
        values.computed_elsewhere(value_names, lambda future=future: future.result()[1])
    log.info("computing %d figures and %d values in %d batches", len(_drawing),
             sum(len(batch[1]) for batch in batches.values()), len(batches))
    return config


def _cache_paths(spec, figures, cache: Path) -> dict[str, Path]:
    """Where each variant of the figure is cached, under a hash of its code."""
    key = figures.cache_key(spec)
    return {variant: cache / f"{spec.name}-{variant}-{key}.svg" for variant in figures.VARIANTS}


def _size(spec) -> tuple[int, int]:
    """The figure's size in CSS pixels: matplotlib writes its size in inches as pt (x 72)."""
    return round(spec.size[0] * 96), round(spec.size[1] * 96)


def _svg_size(svg: bytes) -> tuple[int, int]:
    width, height = SVG_SIZE.search(svg[:2000]).groups()
    return round(float(width) * 4 / 3), round(float(height) * 4 / 3)


def on_files(files, config):
    _outputs.clear()
    for name, paths in _paths.items():
        cached = name not in _drawing
        _outputs[name] = {
            variant: (
                File.generated(config, f"figures/{name}-{variant}.svg",
                               content=path.read_bytes() if cached else b""),
                path,
            )
            for variant, path in paths.items()
        }
        if cached:
            _phone_heights[name] = _svg_size(_outputs[name]["phone-light"][0].content_bytes)[1]
        for file, _ in _outputs[name].values():
            files.append(file)
    for name in DOWNLOADS:
        content = (ROOT / "snippets" / name).read_bytes()
        files.append(File.generated(config, f"downloads/{name}", content=content))
    return files


def _stop_drawing() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)
    _pool = None
    _drawing.clear()


def on_env(env, config, files):
    """Wait for the figures being drawn; cache them and put them in the build."""
    try:
        for name, future in _drawing.items():
            for variant, svg in future.result()[0][name].items():
                if variant in ("light", "dark") and _size(_figures[name]) != _svg_size(svg):
                    raise PluginError(f"figure {name!r}: drawn at another size than registered")
                file, path = _outputs[name][variant]
                _phone_heights[name] = _svg_size(svg)[1]  # all variants: the same figure
                for stale in path.parent.glob(f"{name}-{variant}-*.svg"):
                    stale.unlink()
                path.write_bytes(svg)
                file.content_bytes = svg
    finally:
        _stop_drawing()
    return env


def on_build_error(error):
    _stop_drawing()


def _figure_html(name: str, page) -> str:
    spec = _figures.get(name)
    if spec is None:
        raise PluginError(
            f"{page.file.src_uri}: [[figure: {name}]] names no registered figure; "
            f"known: {', '.join(sorted(_figures)) or 'none'}"
        )
    _used.add(name)
    width, height = _size(spec)
    figures = sys.modules["snippets.figures"]
    # Raw HTML: MkDocs does not rewrite its links, so they are relative to the page's URL.
    here = page.url if page.url.endswith("/") or not page.url else posixpath.dirname(page.url)
    pictures = []
    for theme in ("light", "dark"):
        src = posixpath.relpath(f"figures/{name}-{theme}.svg", here or ".")
        phone = posixpath.relpath(f"figures/{name}-phone-{theme}.svg", here or ".")
        pictures.append(
            f'<picture><source media="{figures.PHONE_MEDIA}" srcset="{phone}" '
            f'width="{figures.PHONE_COLUMN}" height="phone-height:{name}">'
            f'<img src="{src}#only-{theme}" alt="{html.escape(spec.alt)}" width="{width}" '
            f'height="{height}" loading="lazy"></picture>'
        )
    caption = f"\n<figcaption>{spec.caption}</figcaption>" if spec.caption else ""
    return (
        f'<figure class="site-figure" id="figure-{name}" markdown="span">\n'
        + "\n".join(pictures) + caption + "\n</figure>"
    )


# A marker not at the start of its line (indented in a fold) would be printed as it is.
MISPLACED = re.compile(r"^[ \t]+\[\[figure:.*$", re.MULTILINE)


def on_page_markdown(markdown, page, config, files):
    misplaced = MISPLACED.search(markdown)
    if misplaced:
        raise PluginError(
            f"{page.file.src_uri}: {misplaced.group(0).strip()} must start its line; inside "
            "a fold, use <details markdown> with the marker unindented"
        )
    return MARKER.sub(lambda m: _figure_html(m.group(1), page), markdown)


def on_post_page(output, page, config):
    """The phone layouts' heights, known once every figure is drawn (``on_env``)."""
    return PHONE_HEIGHT.sub(lambda m: f'height="{_phone_heights[m.group(1)]}"', output)


def on_post_build(config):
    unused = sorted(set(_figures) - _used)
    if unused:
        log.warning("figures registered but placed on no page: %s", ", ".join(unused))
