"""Figures: one registry, one house style, rendered to SVG at build time.

A figure is a function that draws on a matplotlib ``Figure`` it is given,
registered with ``@figure(name, alt=...)``. The site's build hook renders every
registered figure twice (light and dark scheme) and the pages place it with a
``[[figure: name]]`` line. matplotlib is imported only when a figure is drawn,
so importing ``snippets`` stays cheap.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# One colour per optimizer on every page, from the Okabe-Ito and Tol palettes
# (distinguishable with the common colour-vision deficiencies), each with at
# least 3:1 contrast on both the light and the dark page background. Adam's
# variants, drawn together, are five hue families (orange, green, olive, blue
# violet, purple); colours of one family (within 30 degrees of hue) differ in
# their line style too, so curves that overlap differ in colour and in style.
COLORS = {
    "sgd": "#8c8c8c",
    "momentum": "#0077bb",
    "rmsprop": "#009e73",
    "adam": "#d55e00",
    "adagrad": "#cc79a7",
    "adamw": "#ee3377",
    "amsgrad": "#228833",
    "adamax": "#7570b3",
    "nadam": "#7f7f00",
    "radam": "#aa4499",
}
LINESTYLES = {  # matplotlib line styles, for figures that compare optimizers
    "sgd": "-",
    "momentum": "-",
    "rmsprop": "-",
    "adam": "-",
    "adagrad": "-.",
    "adamw": "--",
    "amsgrad": "--",
    "adamax": (0, (6, 1.5, 1.5, 1.5, 1.5, 1.5)),
    "nadam": "-.",
    "radam": ":",
}


@dataclass(frozen=True)
class Theme:
    """The colours of one colour scheme of the site."""

    name: str
    text: str
    muted: str
    grid: str


THEMES = {
    "light": Theme("light", text="#1f2328", muted="#6e7781", grid="#d0d7de"),
    "dark": Theme("dark", text="#e3e6ed", muted="#9aa3b5", grid="#3b4252"),
}


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure: its drawing function and what the page needs."""

    name: str
    draw: Callable
    alt: str
    size: tuple[float, float]
    caption: str | None


REGISTRY: dict[str, FigureSpec] = {}


def figure(
    name: str,
    *,
    alt: str,
    size: tuple[float, float] = (7.0, 3.2),
    caption: str | None = None,
) -> Callable:
    """Register ``draw(fig, theme)`` as the figure ``name``, with alt text."""
    if not name or not name.replace("-", "").isalnum() or name != name.lower():
        raise ValueError(f"figure name {name!r}: use lower-case words joined by '-'")
    if not isinstance(alt, str) or len(alt.strip()) < 20:
        raise ValueError(
            f"figure {name!r}: alt text is required and must say what the figure "
            "shows (at least 20 characters)"
        )

    def register(draw: Callable) -> Callable:
        if name in REGISTRY and REGISTRY[name].draw.__qualname__ != draw.__qualname__:
            raise ValueError(f"figure {name!r} is registered twice")
        REGISTRY[name] = FigureSpec(name, draw, alt.strip(), size, caption)
        return draw

    return register


def load_all() -> dict[str, FigureSpec]:
    """Every registered figure, with every module of ``snippets`` imported."""
    import snippets

    snippets.import_all()
    return REGISTRY


def _style(theme: Theme) -> dict:
    return {
        "svg.hashsalt": "adam-layer-by-layer",
        "svg.fonttype": "path",
        "font.size": 10,
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.facecolor": "none",
        "savefig.transparent": True,
        "text.color": theme.text,
        "axes.labelcolor": theme.text,
        "axes.edgecolor": theme.muted,
        "axes.titlesize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": theme.muted,
        "ytick.color": theme.muted,
        "xtick.labelcolor": theme.text,
        "ytick.labelcolor": theme.text,
        "grid.color": theme.grid,
        "legend.frameon": False,
        "lines.linewidth": 1.8,
        "path.simplify": True,
    }


def draw_svg(spec: FigureSpec, theme: Theme) -> bytes:
    """Draw one figure in the colours of ``theme`` and return the SVG bytes (deterministic)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_style(theme)):
        fig = Figure(figsize=spec.size, layout="constrained")
        spec.draw(fig, theme)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


# Figures are drawn once, in these stand-in colours, and each scheme's SVG is that
# drawing with the stand-ins replaced: half the work of drawing twice. It gives
# the same bytes as drawing in each scheme, because figures use a theme's colours
# only as colours (no colour maps or blends computed from them).
_STAND_IN = Theme("stand-in", text="#fe0001", muted="#fe0002", grid="#fe0003")


def render_pair(name: str) -> dict[str, bytes]:
    """Both schemes of the registered figure ``name`` (a separate process can call this)."""
    svg = draw_svg(load_all()[name], _STAND_IN)
    rendered = {}
    for theme_name, theme in THEMES.items():
        out = svg
        for role in ("text", "muted", "grid"):
            out = out.replace(getattr(_STAND_IN, role).encode(), getattr(theme, role).encode())
        rendered[theme_name] = out
    return rendered


def render_module(figure_names: list[str], value_names: list[str]) -> tuple[dict, dict]:
    """Values and figures of one snippets module, in one process: they share its cached runs.

    Returns both schemes of each figure, and each value's number (or why it failed);
    the values are cached on disk as they are computed (see snippets/values.py).
    """
    from snippets import values

    computed = values.compute_and_cache(value_names)
    return {name: render_pair(name) for name in figure_names}, computed


def process_pool(tasks: int):
    """Fresh interpreters to draw in, one per core (and no more than there are tasks)."""
    import os
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    workers = max(1, min(tasks, os.cpu_count() or 1))
    # spawn: a fresh interpreter per worker, safe beside the threads of `mkdocs serve`.
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"))



def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


@functools.cache
def _uses(func: Callable) -> tuple[frozenset[str], tuple[Callable, ...]]:
    """The snippets modules that ``func``'s own code names, and their functions it may call."""
    modules, calls = {func.__module__}, []
    names = {n for code in _code_objects(func.__code__) for n in code.co_names}
    defaults = [*(func.__defaults__ or ()), *(func.__kwdefaults__ or {}).values()]
    for value in [*(func.__globals__.get(n) for n in names), *defaults]:
        if isinstance(value, types.ModuleType):
            owner, members = value.__name__, vars(value).values()
        elif inspect.isclass(value):
            owner, members = value.__module__, list(vars(value).values())
        else:
            owner = getattr(value, "__module__", None)
            members = [getattr(value, "__wrapped__", value)]  # through functools.cache
        if not (isinstance(owner, str) and owner.startswith("snippets")):
            continue
        modules.add(owner)
        calls += [m for m in members if inspect.isfunction(m) and m.__module__ == owner]
    return frozenset(modules), tuple(calls)


def _modules_used(draw: Callable) -> set[str]:
    """Names of the snippets modules whose code ``draw`` uses, transitively."""
    modules: set[str] = set()
    visited: set[Callable] = set()
    todo = [draw]
    while todo:
        func = todo.pop()
        if func in visited:
            continue
        visited.add(func)
        used, calls = _uses(func)
        modules |= used
        todo.extend(calls)
    return {m for m in modules if m.startswith("snippets")}


def code_key(func: Callable, *parts: str) -> str:
    """A hash of the snippets modules ``func`` uses (its own included), NumPy's version
    and ``parts``."""
    import numpy

    digest = hashlib.sha256()
    for part in (*parts, numpy.__version__, *map(_module_digest, sorted(_modules_used(func)))):
        digest.update(part.encode())
    return digest.hexdigest()[:16]


@functools.cache
def _module_digest(module: str) -> str:
    return hashlib.sha256(Path(sys.modules[module].__file__).read_bytes()).hexdigest()


def cache_key(spec: FigureSpec) -> str:
    """A hash of everything the figure's bytes depend on."""
    return code_key(
        spec.draw, spec.name, repr((spec.size, spec.alt)), Path(__file__).read_text(),
        _matplotlib_version(),
    )


@functools.cache
def _matplotlib_version() -> str:
    from importlib.metadata import version

    return version("matplotlib")
