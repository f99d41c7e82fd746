"""Figures: one registry, one house style, rendered to SVG at build time.

A figure is a function that draws on a matplotlib ``Figure`` it is given,
registered with ``@figure(name, alt=...)``. The site's build hook renders every
registered figure twice (light and dark scheme) and the pages place it with a
``[[figure: name]]`` line. matplotlib is imported only when a figure is drawn,
so importing ``snippets`` stays cheap.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import io
import re
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
    # /beyond/'s: hues spread round the circle at one luminance (3:1 contrast on both page
    # backgrounds); each shares a hue family with one above, so it has another line style.
    "lion": "#9e7517",
    "muon": "#8564e9",
    "adafactor": "#588914",
    "adopt": "#148c78",
    "ademamix": "#1d81c8",
    "lamb": "#dd4620",
    "schedule-free": "#15901f",
    "adam-atan2": "#d024e0",
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
    "lion": "--",
    "muon": "-",
    "adafactor": "--",
    "adopt": "-.",
    "ademamix": ":",
    "lamb": ":",
    "schedule-free": "-",
    "adam-atan2": (0, (6, 1.5, 1.5, 1.5)),
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


# Where the figures are read: the page's text column in CSS px on a phone (a 390 px
# screen) and on a desktop (1280 px, both sidebars shown), and the narrowest column
# a figure sits in: inside a fold, whose border and padding take 26 px. A figure
# wider than its column is shrunk to it, its text with it.
PHONE_PAGE, DESKTOP_PAGE = 358, 688
PHONE_COLUMN, DESKTOP_COLUMN = PHONE_PAGE - 26, DESKTOP_PAGE - 26
# Below this screen width the page serves each figure's phone layout.
PHONE_MEDIA = "(max-width: 44.9375em)"
# The house minimum, in CSS px as the reader sees it: any text, and titles.
MIN_TEXT_PX, MIN_TITLE_PX = 10.0, 12.0
# Sub- and superscripts are drawn at this fraction of their text (matplotlib's
# mathtext uses 0.7, which makes a legend's beta_1 subscript unreadable on a phone).
SCRIPT_SHRINK = 0.85
# The variants of each figure in the build: two layouts, each in both schemes.
LAYOUTS = {"desktop": "", "phone": "phone-"}
VARIANTS = [prefix + theme for prefix in LAYOUTS.values() for theme in ("light", "dark")]


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


def phone_figure():
    """The phone layout of a figure: the same drawing, its panels stacked in one column.

    Figures draw on what ``fig.subplots`` (or ``subplot_mosaic``) returns; here every
    panel gets the column's full width, in reading order. Once drawn, each panel is
    given its height (``fit``): a map keeps its aspect, a plot gets PANEL_HEIGHT inches.
    """
    import numpy as np
    from matplotlib.figure import Figure

    class _Phone(Figure):
        def subplots(self, nrows=1, ncols=1, *, sharex=False, sharey=False, squeeze=True,
                     width_ratios=None, height_ratios=None, subplot_kw=None,
                     gridspec_kw=None):
            gridspec_kw = dict(gridspec_kw or {})
            gridspec_kw.pop("width_ratios", None)
            height_ratios = height_ratios or gridspec_kw.pop("height_ratios", None)
            rows = height_ratios or [1] * nrows
            grid = self.add_gridspec(nrows * ncols, 1, **gridspec_kw)
            axes = np.empty((nrows, ncols), dtype=object)
            for i in range(nrows):
                for j in range(ncols):
                    shared = {}
                    for key, mode in (("sharex", sharex), ("sharey", sharey)):
                        first = {True: (0, 0), "all": (0, 0), "row": (i, 0), "col": (0, j)}
                        if mode in first and (i, j) != first[mode]:
                            shared[key] = axes[first[mode]]
                    axes[i, j] = self.add_subplot(grid[i * ncols + j, 0], **shared,
                                                  **(subplot_kw or {}))
                    self.panels.append((axes[i, j], rows[i] / np.mean(rows)))
            if sharex in (True, "all") and axes.size > 1:  # one column: ticks only below
                for ax in axes.flat[:-1]:
                    ax.xaxis.set_tick_params(labelbottom=False)
            if squeeze:
                axes = axes.squeeze()
                return axes.item() if axes.ndim == 0 else axes
            return axes

        def subplot_mosaic(self, mosaic, *, height_ratios=None, **kwargs):
            labels = list(dict.fromkeys(label for row in mosaic for label in row))
            rows = height_ratios or [1] * len(mosaic)
            grid = self.add_gridspec(len(labels), 1)
            axes = {label: self.add_subplot(grid[n, 0]) for n, label in enumerate(labels)}
            for label, ax in axes.items():
                row = next(i for i, cells in enumerate(mosaic) if label in cells)
                self.panels.append((ax, rows[row] / np.mean(rows)))
            return axes

        def fit(self) -> None:
            """Give each panel its height, and the figure the sum of them."""
            below = _legends_below(self)
            heights = [_panel_height(ax, ratio) + below.get(ax, 0) for ax, ratio in self.panels]
            grids = {}
            for (ax, _), height in zip(self.panels, heights, strict=True):
                grids.setdefault(ax.get_subplotspec().get_gridspec(), []).append(height)
            for grid, grid_heights in grids.items():
                grid.set_height_ratios(grid_heights)
            self.set_size_inches(PHONE_COLUMN / 96, round(sum(heights) or PANEL_HEIGHT, 2))

    fig = _Phone(figsize=(PHONE_COLUMN / 96, PANEL_HEIGHT), layout="constrained")
    fig.panels = []
    return fig


# A plot's height in the phone layout, in inches (230 px), and the room its title,
# tick labels and axis label take around a map.
PANEL_HEIGHT, PANEL_MARGINS = 2.4, 0.75


# Lines of text on a phone: about this many characters fit the column at 10 pt
# (x labels), beside a legend's line or over a map, or up a panel's side.
PHONE_LINE, PHONE_SHORT_LINE, PHONE_YLABEL_LINE = 38, 28, 24


def _shown_length(text: str) -> int:
    """About how many characters ``text`` shows: a TeX command is one, markup none."""
    return len(re.sub(r"[${}_^]", "", re.sub(r"\\[a-zA-Z]+", "x", text)))


def _wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters, never inside $math$."""
    lines, line = [], ""
    for word in text.split(" "):
        if (line and _shown_length(f"{line} {word}") > width
                and line.count("$") % 2 == 0):
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def _legends_below(fig) -> dict:
    """Move each panel's legend under it, in one column, so that it covers no data,
    and wrap long labels and titles. Returns the height (inches) each panel gains."""
    from matplotlib.transforms import ScaledTranslation

    for legend in list(fig.legends):  # one column (a legend lays out its columns when made)
        fig.legends.remove(legend)
        fig.legend(legend.legend_handles, [t.get_text() for t in legend.get_texts()],
                   loc="outside upper center" if getattr(legend, "_outside_loc", None)
                   else legend._loc, fontsize=max(t.get_fontsize() for t in legend.get_texts()))
    gained = {}
    for ax in fig.axes:
        ax.set_title(_wrap(ax.get_title(), PHONE_SHORT_LINE))
        ax.set_xlabel(_wrap(ax.get_xlabel(), PHONE_LINE))
        ax.set_ylabel(_wrap(ax.get_ylabel(), PHONE_YLABEL_LINE))
        legend = ax.get_legend()
        if legend is None:
            continue
        size = max(t.get_fontsize() for t in legend.get_texts())
        labels = [_wrap(t.get_text(), PHONE_SHORT_LINE) for t in legend.get_texts()]
        # Under the tick labels (a log axis's powers stand taller) and the x label.
        ticks = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        drop = 6.0
        if ax.xaxis.get_tick_params().get("labelbottom", True) and ax.get_xticks().size:
            drop += 7 + ax.xaxis.get_ticklabels()[0].get_fontsize() * (
                1.6 if ax.get_xscale() == "log" or any("^" in t.get_text() for t in ticks)
                else 1.25)
        if ax.get_xlabel():
            drop += 4 + ax.xaxis.label.get_fontsize() * 1.25 * (ax.get_xlabel().count("\n") + 1)
        ax.legend(legend.legend_handles, labels, loc="upper left", bbox_to_anchor=(0, 0),
                  bbox_transform=ax.transAxes + ScaledTranslation(0, -drop / 72,
                                                                  fig.dpi_scale_trans),
                  borderaxespad=0, fontsize=size, ncols=1, title=legend.get_title().get_text()
                  or None)
        rows = sum(label.count("\n") + 1 for label in labels)
        gained[ax] = (rows * size * 1.4 + 4) / 72
    return gained


def _panel_height(ax, ratio: float) -> float:
    """A panel's height: a map (fixed aspect) as tall as its data at the column's width."""
    aspect = ax.get_aspect()
    if aspect == "auto":
        return min(3.2, max(1.8, PANEL_HEIGHT * ratio))
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    inner = PHONE_COLUMN / 96 - PANEL_MARGINS
    return min(4.0, inner * abs(y1 - y0) / abs(x1 - x0) * float(aspect) + PANEL_MARGINS)


def _script_depth(text: str) -> int:
    """How deep the text's sub- and superscripts nest (m_t: 1; e^{-\\beta_2 t}: 2)."""
    if "$" not in text:
        return 0
    depth = deepest = 0
    opened, pending = [], False
    for char in text:
        if char in "_^":
            pending = True
        elif char == "{":
            opened.append(pending)
            depth += pending
            pending = False
        elif char == "}":
            depth -= opened.pop() if opened else 0
        elif pending:
            deepest, pending = max(deepest, depth + 1), False
        deepest = max(deepest, depth)
    return deepest


def _lift_small_text(fig, scale: float) -> None:
    """Raise any text that would show under the house minimum when the figure is
    shrunk by ``scale``: sizes are in points (4/3 px), scripts drawn SCRIPT_SHRINK smaller."""
    from matplotlib.text import Text

    def floor(px: float, text: str) -> float:
        return px * 0.75 / scale / SCRIPT_SHRINK ** _script_depth(text)

    titles = {id(t) for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title)}
    for ax in fig.axes:
        for axis, which in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            labels = axis.get_ticklabels(which="both")
            if labels:
                smallest = max(floor(MIN_TEXT_PX, t.get_text()) for t in labels)
                size = max(labels[0].get_fontsize(), smallest)
                ax.tick_params(axis=which, which="both", labelsize=size)
    for text in fig.findobj(Text):
        limit = MIN_TITLE_PX if id(text) in titles else MIN_TEXT_PX
        text.set_fontsize(max(text.get_fontsize(), floor(limit, text.get_text())))


def draw_svg(spec: FigureSpec, theme: Theme, layout: str = "desktop") -> bytes:
    """Draw one figure in the colours of ``theme`` and return the SVG bytes (deterministic)."""
    import matplotlib
    from matplotlib.figure import Figure

    with _script_shrink(SCRIPT_SHRINK), matplotlib.rc_context(_style(theme)):
        if layout == "phone":
            fig = phone_figure()
            spec.draw(fig, theme)
            _lift_small_text(fig, 1.0)
            fig.fit()
        else:
            fig = Figure(figsize=spec.size, layout="constrained")
            spec.draw(fig, theme)
            _lift_small_text(fig, min(1.0, DESKTOP_COLUMN / (spec.size[0] * 96)))
        for n, ax in enumerate(fig.axes):  # titles are findable in the SVG
            ax.title.set_gid(f"title-{n}")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


_PARSES: dict = {}  # script size -> {parse's arguments: matplotlib's mathtext parse}


@contextlib.contextmanager
def _script_shrink(factor: float):
    """Draw sub- and superscripts at ``factor`` of their text. matplotlib has no setting
    for it: its module constant is swapped, and its cache of parsed formulas with it.
    That cache is keyed on the parser too, and each SVG renderer makes its own, so a
    tick label such as 10^-3 was parsed again in every figure: this one is shared."""
    import matplotlib._mathtext as mathtext
    from matplotlib.mathtext import MathTextParser

    cached = MathTextParser.__dict__["_parse_cached"]
    parses = _PARSES.setdefault(factor, {})

    def parse(parser, *arguments):
        key = (parser._output_type, *arguments)
        if key not in parses:
            parses[key] = cached.__wrapped__(parser, *arguments)
        return parses[key]

    before = mathtext.SHRINK_FACTOR
    mathtext.SHRINK_FACTOR, MathTextParser._parse_cached = factor, parse
    try:
        yield
    finally:
        mathtext.SHRINK_FACTOR, MathTextParser._parse_cached = before, cached


# Figures are drawn once per layout, in these stand-in colours, and each scheme's SVG
# is that drawing with the stand-ins replaced: half the work of drawing twice. It gives
# the same bytes as drawing in each scheme, because figures use a theme's colours
# only as colours (no colour maps or blends computed from them).
_STAND_IN = Theme("stand-in", text="#fe0001", muted="#fe0002", grid="#fe0003")


def render_variants(name: str) -> dict[str, bytes]:
    """Every variant of the registered figure ``name`` (a separate process can call this)."""
    rendered = {}
    for layout, prefix in LAYOUTS.items():
        svg = draw_svg(load_all()[name], _STAND_IN, layout)
        for theme_name, theme in THEMES.items():
            out = svg
            for role in ("text", "muted", "grid"):
                out = out.replace(getattr(_STAND_IN, role).encode(),
                                  getattr(theme, role).encode())
            rendered[prefix + theme_name] = out
    return rendered


def render_module(figure_names: list[str], value_names: list[str]) -> tuple[dict, dict]:
    """Values and figures of one snippets module, in one process: they share its cached runs.

    Returns every variant of each figure, and each value's number (or why it failed);
    the values are cached on disk as they are computed (see snippets/values.py).
    """
    from snippets import values

    computed = values.compute_and_cache(value_names)
    return {name: render_variants(name) for name in figure_names}, computed


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
