"""One colour per optimizer on every figure, notebook plot and playground lab.

Every registered figure is drawn (as draw_svg draws it, without writing the SVG) and
its legend entries and lines are read: a label that names an optimizer is drawn in
that optimizer's colour from snippets/figures.py COLORS, an optimizer's colour is used
only where the figure names that optimizer, and two optimizers whose colours share a
hue family never share a line style in one figure.
"""

from __future__ import annotations

import colorsys
import contextlib
import functools
import io
import re
import runpy
from itertools import combinations
from pathlib import Path

import pytest

from snippets import figures, values

ROOT = Path(__file__).resolve().parents[1]
COLORS = figures.COLORS
KEY_OF = {colour: key for key, colour in COLORS.items()}

# The words a label names an optimizer by ("\bAdam\b" is not in "AdamW" or "SparseAdam").
NAMES = {
    "AdamW": "adamw", "Adamax": "adamax", "AMSGrad": "amsgrad", "NAdam": "nadam",
    "RAdam": "radam", "Adagrad": "adagrad", "RMSProp": "rmsprop", "Adam": "adam",
    "SGD": "sgd", "gradient descent": "sgd", "momentum": "momentum", "heavy ball": "momentum",
    "Lion": "lion", "Muon": "muon", "Adafactor": "adafactor", "ADOPT": "adopt",
    "AdEMAMix": "ademamix", "LAMB": "lamb", "Schedule-Free": "schedule-free",
    "atan2": "adam-atan2",
}


def named(text: str, possessive: bool = False) -> set[str]:
    """The optimizers a text names; a label's "Adam's form" describes a part, not a curve."""
    end = r"\b" if possessive else r"\b(?!['’]s)"
    return {key for word, key in NAMES.items()
            if re.search(rf"\b{word}{end}", text, re.IGNORECASE)}


def hex_of(colour) -> str | None:
    from matplotlib.colors import to_hex

    try:
        return to_hex(colour)
    except (ValueError, TypeError):
        return None


def hue_family(colour: str) -> str | float:
    """'grey' for an unsaturated colour, else its hue in degrees."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, _, saturation = colorsys.rgb_to_hls(r, g, b)
    return "grey" if saturation < 0.15 else hue * 360


def same_family(a: str, b: str) -> bool:
    """Two colours a reader can mistake for each other on neighbouring curves."""
    fa, fb = hue_family(a), hue_family(b)
    if "grey" in (fa, fb):
        return fa == fb
    return min(abs(fa - fb), 360 - abs(fa - fb)) < 30


def _style(line) -> str:
    style = line.get_linestyle()
    return "marker" if style in ("None", "", " ", "none") else style


def _handle_colour(handle) -> str | None:
    for getter in ("get_color", "get_facecolor", "get_edgecolor"):
        if hasattr(handle, getter):
            colour = getattr(handle, getter)()
            if hasattr(colour, "ndim") and colour.ndim == 2:
                colour = colour[0] if len(colour) else None
            found = hex_of(colour) if colour is not None else None
            if found:
                return found
    return None


def read_plot(fig) -> dict:
    """The labelled entries, the optimizer curves and all the text of a drawn figure."""
    entries, curves, colours, texts = [], [], set(), []
    for ax in fig.axes:
        texts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        texts += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
                entries.append((text.get_text(), _handle_colour(handle)))
                texts.append(text.get_text())
        for line in ax.get_lines():
            colour = hex_of(line.get_color())
            if not line.get_label().startswith("_"):
                entries.append((line.get_label(), colour))
            if colour in KEY_OF:
                colours.add(colour)
                if len(line.get_xdata()):
                    curves.append((KEY_OF[colour], _style(line)))
        for artist in [*ax.patches, *ax.collections]:
            colour = _handle_colour(artist)
            if colour in KEY_OF:
                colours.add(colour)
    return {"entries": entries, "curves": curves, "colours": colours, "text": " ".join(texts)}


def wrong_colours(plot: dict, words: str = "") -> list[str]:
    """What the plot draws in a colour that says the wrong optimizer."""
    problems = []
    for label, colour in plot["entries"]:
        keys = named(label)
        if not keys or colour is None:
            continue
        if KEY_OF.get(colour) not in keys:
            expected = " or ".join(COLORS[k] for k in sorted(keys))
            problems.append(f"label {label!r}: colour {colour}"
                            f" ({KEY_OF.get(colour, 'no optimizer')}), expected {expected}")
    told = named(plot["text"] + " " + words, possessive=True)
    if not told and len(plot["colours"]) == 1:
        told = {KEY_OF[c] for c in plot["colours"]}  # one optimizer: its page's (bias-moments)
    for colour in sorted(plot["colours"]):
        if KEY_OF[colour] not in told:
            problems.append(f"{KEY_OF[colour]}'s colour {colour} is drawn but the figure "
                            f"names only {sorted(told)}")
    styles: dict[str, set[str]] = {}
    for key, style in plot["curves"]:
        styles.setdefault(key, set()).add(style)
    for a, b in combinations(sorted(styles), 2):
        if same_family(COLORS[a], COLORS[b]) and styles[a] & styles[b]:
            problems.append(f"{a} ({COLORS[a]}) and {b} ({COLORS[b]}) share a hue family "
                            f"and the line style {sorted(styles[a] & styles[b])}")
    return list(dict.fromkeys(problems))  # a legend entry repeats its line's


@functools.cache
def drawn_figures() -> dict[str, dict]:
    """Every registered figure drawn once on a Figure of its size, without saving it.

    The house style sets no colour of a curve, so the light theme alone is enough.
    """
    from matplotlib.figure import Figure

    plots = {}
    for name, spec in figures.load_all().items():
        fig = Figure(figsize=spec.size, layout="constrained")
        spec.draw(fig, figures.THEMES["light"])
        plots[name] = read_plot(fig)
    return plots


def test_every_figure_draws_each_optimizer_in_its_own_colour():
    problems = []
    for name, plot in drawn_figures().items():
        spec = figures.REGISTRY[name]
        problems += [f"{name}: {p}" for p in wrong_colours(plot, spec.alt + (spec.caption or ""))]
    assert not problems, "\n".join(problems)


def test_the_check_reads_the_legends_and_the_lines():
    plots = drawn_figures()
    assert len(plots) == len(figures.REGISTRY) > 40
    legend = dict(plots["bowl-sweep"]["entries"])
    assert legend["Adam"] == COLORS["adam"] and legend["SGD"] == COLORS["sgd"]
    assert {k for k, _ in plots["variants-valley"]["curves"]} == {
        "adam", "amsgrad", "adamax", "nadam", "radam"}


def test_a_label_naming_another_optimizer_fails():
    swapped = {"entries": [("AMSGrad (Optax)", COLORS["adam"]), ("Adam", "#6e7781")],
               "curves": [], "colours": set(), "text": ""}
    assert len(wrong_colours(swapped)) == 2
    unnamed = {"entries": [("PyTorch", COLORS["momentum"])], "curves": [],
               "colours": {COLORS["momentum"]}, "text": "PyTorch"}
    assert wrong_colours(unnamed, "Adam's step in two frameworks")
    assert named("EMA (Adam's form), heavy ball; AdamW, not SparseAdam") == {"momentum", "adamw"}


def test_every_optimizer_has_a_line_style_and_neighbouring_hues_differ_in_it():
    assert set(figures.LINESTYLES) == set(COLORS)
    for a, b in combinations(COLORS, 2):
        if same_family(COLORS[a], COLORS[b]):
            assert figures.LINESTYLES[a] != figures.LINESTYLES[b], (a, b)


def test_the_variants_are_five_hue_families_and_five_line_styles():
    variants = ["adam", "amsgrad", "adamax", "nadam", "radam"]
    for a, b in combinations(variants, 2):
        assert not same_family(COLORS[a], COLORS[b]), (a, COLORS[a], b, COLORS[b])
    assert len({figures.LINESTYLES[k] for k in variants}) == len(variants)


def test_the_notebooks_plots_draw_each_optimizer_in_its_own_colour(monkeypatch):
    # The notebooks' plotting cells are the sections of snippets/notebooks.py's main block.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda *a, **k: shown.append(plt.gcf()) or plt.figure())
    # Run as a script, the module registers its values and figures again, under
    # "__main__": the registries (and the cache keys of this worker) are restored after.
    monkeypatch.setattr(values, "REGISTRY", dict(values.load_all()))
    monkeypatch.setattr(figures, "REGISTRY", dict(figures.load_all()))
    with contextlib.redirect_stdout(io.StringIO()):
        runpy.run_path(str(ROOT / "snippets" / "notebooks.py"), run_name="__main__")
    try:
        assert len(shown) >= 9
        problems = [p for fig in shown for p in wrong_colours(read_plot(fig), "")
                    if "is drawn but" not in p]  # a notebook names them in its prose
        assert not problems, "\n".join(problems)
    finally:
        plt.close("all")
        values.cache_path.cache_clear()


def test_the_playground_racers_and_labs_use_the_table():
    core = (ROOT / "docs/assets/playground/core.js").read_text()
    racers = re.findall(r'key: "(\w+)", label: "([^"]+)", color: "(#[0-9a-f]{6})"', core)
    assert [k for k, _, _ in racers] == ["sgd", "momentum", "rmsprop", "adam"]
    for key, label, colour in racers:
        assert colour == COLORS[key] and named(label) == {key}, (key, label, colour)
    # A lab's curves are optimizers in their own colour (one for both schemes: the table's
    # colours stand out on both backgrounds), or the page's text colour.
    for css in sorted((ROOT / "docs/assets/playground").glob("*.css")):
        for name, colour in re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})\b", css.read_text()):
            assert colour.lower() in KEY_OF, f"{css.name}: {name} is {colour}, not in COLORS"


@pytest.mark.parametrize("css, variable, key", [
    ("epsilon.css", "--eps-algorithm1", "adam"),
    ("first-steps.css", "--fs-corrected", "adam"),
    ("weight-decay.css", "--wd-l2", "adam"),
    ("weight-decay.css", "--wd-adamw", "adamw"),
])
def test_a_lab_draws_an_optimizer_in_its_colour_in_both_schemes(css, variable, key):
    text = (ROOT / "docs/assets/playground" / css).read_text()
    assert re.findall(rf"{variable}:\s*([^;]+);", text) == [COLORS[key]]
