"""The notebooks: they run as a reader downloads them, and their pages stay light and right.

Each notebook (notebooks/<name>.py, expanded from snippets/ by docs/hooks/notebooks.py)
is taken from the built site as the download button serves it and run top to bottom
by nbclient in an empty directory, where this repository cannot be imported. The
pages are checked for what the hook promises: no JupyterLab CSS or CDN script, inline
figures in the scheme's colours, a working download button; and the hook's cache for
what it promises: a changed snippet is a new run, never a stale output.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import re
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import jupytext
import matplotlib
import nbformat
import numpy as np
import pytest
import yaml
from conftest import ROOT
from matplotlib.figure import Figure
from mkdocs.exceptions import PluginError
from nbclient import NotebookClient
from test_lab import notebook_says

from snippets import figures, notebooks
from snippets.adam import Adam
from snippets.landscape import loss_along
from snippets.optimizers import SGD, EMAMomentum, RMSProp, trajectory
from snippets.surfaces import BOWL, VALLEY, bowl_grad, bowl_loss, noisy

NAMES = sorted(p.stem for p in (ROOT / "notebooks").glob("*.py"))
INCLUDE = re.compile(r'^--8<-- "snippets/[a-z_]+\.py:[A-Za-z0-9_]+"$')
MAX_PAGE_HTML_GZIP = 70_000  # bytes; the page's own HTML, before Material's assets


def load_hook():
    path = ROOT / "docs" / "hooks" / "notebooks.py"
    if str(path.parent) not in sys.path:  # as MkDocs loads a hook: its folder importable
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("hook_notebooks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def hook():
    return load_hook()


def downloaded(site: Path, name: str) -> nbformat.NotebookNode:
    return nbformat.read(site / "downloads" / "notebooks" / f"{name}.ipynb", as_version=4)


def page_html(site: Path, name: str) -> str:
    return (site / "notebooks" / name / "index.html").read_text()


def test_there_are_four_layers_and_a_lab():
    assert NAMES == ["bias-correction", "lab", "landscape", "momentum", "second-moment"]


# --- the downloaded notebooks ---------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_downloaded_notebook_runs_top_to_bottom_in_an_empty_directory(
    built, hook, name, tmp_path
):
    nb = downloaded(built.site, name)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import importlib.util\n"
        "assert importlib.util.find_spec('snippets') is None, 'this repository is importable'"
    ))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    workdir = tmp_path / "notebook"
    workdir.mkdir()
    client = NotebookClient(
        nb, km=hook.kernel_manager(str(tmp_path / "kernel")), timeout=300, allow_errors=False,
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute(env=env)  # raises CellExecutionError, naming the cell, if one fails
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.get("name") != "stderr", (
                f"{name}.ipynb, cell {i} printed to stderr:\n{output.get('text')}"
            )
    shown = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "display_data"]
    assert shown, f"{name}.ipynb drew no figure"


@pytest.mark.parametrize("name", NAMES)
def test_the_downloaded_notebook_is_clean_with_fixed_cell_ids(built, name):
    nb = downloaded(built.site, name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert "jupytext" not in nb.metadata
    assert [c.id for c in nb.cells] == [f"{name}-{i}" for i in range(len(nb.cells))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "--8<--" not in cell.source
            assert not re.search(r"^\s*(from|import)\s+snippets\b", cell.source, re.MULTILINE)


@pytest.mark.parametrize("name", NAMES)
def test_every_code_cell_of_the_source_is_an_include_of_a_section(name):
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py", fmt="py:percent")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    for cell in code:
        typed = [line for line in cell.source.splitlines() if line.strip()]
        assert typed and all(INCLUDE.match(line) for line in typed), (
            f"notebooks/{name}.py: code typed into a notebook; put it in a section of "
            f"snippets/ and include it: {cell.source[:80]!r}"
        )
    assert nb.metadata.get("description"), f"notebooks/{name}.py: no description in its header"


def test_nav_lists_every_notebook_under_its_own_title():
    nav = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)["nav"]
    assert list(nav[-1]) == ["Notebooks"], "the notebooks come last in the nav"
    entries = {path: title for item in nav[-1]["Notebooks"] for title, path in item.items()}
    assert entries.pop("notebooks/index.md")
    for name in NAMES:
        nb = jupytext.read(ROOT / "notebooks" / f"{name}.py", fmt="py:percent")
        h1 = nb.cells[0].source.splitlines()[0].removeprefix("# ")
        assert entries.pop(f"notebooks/{name}.ipynb") == h1, f"{name}: nav title is not its h1"
    assert not entries


# --- the pages --------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_the_page_has_its_outputs_and_none_of_jupyterlab_css_or_scripts(built, name):
    text = page_html(built.site, name)
    article = text[text.index("<article"):text.index("</article>")]
    assert "jp-RenderedText" in article, "no printed output: did the notebook run?"
    for gone in ("<script", "cdnjs", "mathjax", "clipboard-copy", "--jp-", "highlight-ipynb"):
        assert gone not in article.lower(), f"{name}: {gone!r} left on the page"
    styles = re.findall(r"<style>(.*?)</style>", article, re.DOTALL)
    assert len(styles) == 1 and len(styles[0]) < 3000
    assert len(gzip.compress(text.encode(), 9)) < MAX_PAGE_HTML_GZIP


@pytest.mark.parametrize("name", NAMES)
def test_figures_are_inline_svg_in_the_colours_of_the_scheme(built, name):
    text = page_html(built.site, name)
    svgs = re.findall(r"<svg role=\"img\" aria-label=\"Plot: [^\"]+\".*?</svg>", text, re.DOTALL)
    assert svgs, f"{name}: no figure"
    light = figures.THEMES["light"]
    for svg in svgs:
        assert "var(--nb-text)" in svg
        for colour in (light.text, light.muted, light.grid):
            assert colour not in svg.lower(), f"{name}: {colour} is not the scheme's colour"
    assert "data:image/png" not in text
    ids = re.findall(r' id="([^"]+)"', text)
    assert len(ids) == len(set(ids)), f"{name}: an id is used twice"
    assert "[data-md-color-scheme=\"slate\"] { --nb-text: " + figures.THEMES["dark"].text in text


@pytest.mark.parametrize("name", NAMES)
def test_the_download_button_serves_the_notebook(built, name):
    text = page_html(built.site, name)
    href = re.search(r'<p class="nb-download"><a [^>]*href="([^"]+)" download>', text)[1]
    target = (built.site / "notebooks" / name / href).resolve()
    assert target == (built.site / "downloads" / "notebooks" / f"{name}.ipynb").resolve()
    assert target.is_file()


def test_links_to_the_site_in_a_notebook_are_relative_on_its_page(built):
    text = page_html(built.site, "momentum")
    article = text[text.index("<article"):text.index("</article>")]
    assert 'href="../../momentum/"' in article  # the page the notebook belongs to
    assert 'href="../second-moment/"' in article  # the next notebook
    assert 'href="https://adam-layer-by-layer.github.io/' not in article


def test_code_and_outputs_are_kept_out_of_the_search_index(built):
    index = json.loads((built.site / "search" / "search_index.json").read_text())
    texts = [d["text"] for d in index["docs"] if d["location"].startswith("notebooks/")]
    assert any("exercise" in t.lower() for t in texts), "the notebooks' prose is searchable"
    assert not any("check_hyperparameters" in t or "np.random" in t for t in texts)


# --- the hook: expansion and the cache of runs ---------------------------------------


def _write_project(root: Path, body: str) -> tuple[Path, dict]:
    (root / "snippets").mkdir(exist_ok=True)
    (root / "snippets" / "mod.py").write_text(
        f"# --8<-- [start:answer]\n{body}\n# --8<-- [end:answer]\n"
    )
    source = root / "nb.py"
    source.write_text(
        "# %% [markdown]\n# # A notebook\n\n# %%\n--8<-- \"snippets/mod.py:answer\"\n"
    )
    return source, {"base_path": [str(root)], "check_paths": True, "dedent_subsections": True}


def test_a_changed_snippet_is_a_new_run_never_a_stale_cached_one(hook, tmp_path, monkeypatch):
    monkeypatch.setattr(hook, "ROOT", tmp_path)
    monkeypatch.setenv("BUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("NOTEBOOKS_EXECUTE", raising=False)
    runs = []
    monkeypatch.setattr(hook, "execute", lambda nb, cache, key: runs.append(key) or "ran")

    source, config = _write_project(tmp_path, "print(41)")
    first = hook.expand(source, config)
    assert first.cells[1].source == "print(41)" and first.cells[1].id == "nb-1"
    key = hook.run_key(first)
    assert hook.run_key(hook.expand(source, config)) == key  # same text, same key
    (tmp_path / "cache" / "notebooks").mkdir(parents=True)
    nbformat.write(first, tmp_path / "cache" / "notebooks" / f"nb-{key}.ipynb")  # as a finished run
    assert hook.start_run(first).result() == first and runs == []  # served from the cache

    _write_project(tmp_path, "print(42)")  # the snippet changes, the notebook file not
    second = hook.expand(source, config)
    assert second.cells[1].source == "print(42)"
    assert hook.run_key(second) != key
    assert hook.start_run(second).result() == "ran" and runs == [hook.run_key(second)]


def test_notebooks_execute_0_renders_without_running(hook, monkeypatch, tmp_path):
    monkeypatch.setenv("NOTEBOOKS_EXECUTE", "0")
    source, config = _write_project(tmp_path, "print(1)")
    monkeypatch.setattr(hook, "ROOT", tmp_path)
    assert hook.start_run(hook.expand(source, config)) is None
    page = SimpleNamespace(url="notebooks/nb/")
    button = hook._download_button(page, {"name": "nb", "download": "downloads/notebooks/nb.ipynb",
                                          "run": None})
    assert 'href="../../downloads/notebooks/nb.ipynb"' in button and "Outputs missing" in button


def test_a_cell_that_imports_the_repository_or_a_missing_section_fails_the_build(
    hook, tmp_path, monkeypatch
):
    monkeypatch.setattr(hook, "ROOT", tmp_path)
    source, config = _write_project(tmp_path, "from snippets.adam import Adam")
    with pytest.raises(PluginError, match="imports snippets"):
        hook.expand(source, config)
    source.write_text("# %%\n--8<-- \"snippets/mod.py:nowhere\"\n")
    with pytest.raises(PluginError, match="nb.py, cell 0: .*nowhere"):
        hook.expand(source, config)


def test_math_and_site_links_of_a_notebook_become_the_site_s(hook):
    marked = hook._math("<p>with $\\beta_1 = 0$ and <code>$x$</code></p>\n<p>$$m_t$$</p>")
    assert '<span class="arithmatex">\\(\\beta_1 = 0\\)</span>' in marked
    assert "<code>$x$</code>" in marked
    assert '<div class="arithmatex">\\[m_t\\]</div>' in marked
    page = SimpleNamespace(url="notebooks/lab/")
    link = re.match(r'href="(.*)"', 'href="https://x.io/adam/momentum/#ema"')
    assert hook._relative(link, page, "https://x.io/adam/") == 'href="../../momentum/#ema"'
    assert hook._plain(r"$\beta_1 = 0.9$") == "β1 = 0.9"


# --- the plotting helpers -------------------------------------------------------------


def test_the_notebooks_use_the_site_s_colours():
    assert notebooks.COLORS == {k: figures.COLORS[k] for k in notebooks.COLORS}


def test_plot_paths_draws_the_contours_the_minimum_and_each_path():
    from snippets.surfaces import VALLEY

    fig = Figure()
    ax = fig.subplots()
    path = VALLEY.start + 0.1 * np.arange(6).reshape(3, 2)
    with matplotlib.rc_context({"grid.color": "#123456", "text.color": "#654321"}):
        notebooks.plot_paths(ax, VALLEY, {"a path": (path, "#d55e00")})
    star, line = ax.lines
    assert star.get_color() == "#654321" and tuple(star.get_xydata()[0]) == VALLEY.minimum
    assert line.get_color() == "#d55e00" and line.get_label() == "a path"
    assert (line.get_xydata() == path).all()
    assert ax.get_xlim() == VALLEY.bounds[0]


def test_plot_paths_draws_a_path_until_it_leaves_the_map():
    from snippets.surfaces import VALLEY  # x in [-3, 3], y in [-1.5, 1.5]

    ax = Figure().subplots()
    path = np.array([[0.0, 1.0], [0.0, -1.2], [0.0, 1.6], [0.0, -5.0], [np.nan, np.nan]])
    notebooks.plot_paths(ax, VALLEY, {"diverges": (path, "#8c8c8c")})
    assert (ax.lines[-1].get_xydata() == path[:3]).all()


# --- what the notebooks' Markdown says, checked against independent computations ---------


def test_claim_landscape_the_fewest_steps_are_below_the_balanced_alpha():
    notebook_says("landscape", "The fewest steps are at a slightly smaller $\\alpha$")
    balanced = 2 / (1 + 25)  # both factors the same size: 1 - a = -(1 - 25 a)
    assert notebooks.nb_landscape_balanced_alpha() == pytest.approx(balanced)
    assert notebooks.nb_landscape_balanced_factor() == pytest.approx(1 - balanced)
    assert notebooks.nb_landscape_fastest_alpha() < balanced
    assert notebooks.nb_landscape_fastest_steps() < notebooks.nb_landscape_balanced_steps()
    assert notebooks.nb_landscape_balanced_steps() < notebooks.nb_landscape_steps_0078()
    assert notebooks._steps_below(0.08) is None  # "never at 0.08"


def test_claim_landscape_at_2_over_l_the_zig_zag_keeps_its_width():
    notebook_says("landscape", "at 0.08 it keeps the same width forever")
    assert notebooks.nb_valley_limit() == pytest.approx(2 / 25)
    assert notebooks.nb_landscape_loss_at_limit() == pytest.approx(0.5 * 25 * 1.0**2, rel=1e-3)
    assert notebooks.nb_landscape_y_above() == pytest.approx(1.025**50)
    assert notebooks.nb_landscape_growth_above() == pytest.approx(0.025)


def test_claim_landscape_a_smaller_step_is_more_precise_and_slower():
    notebook_says("landscape", "A smaller step is more precise and slower")
    notebook_says("landscape", "half the noise, a quarter of the loss")
    assert notebooks.nb_landscape_floor_004_half_noise() == pytest.approx(
        notebooks.nb_landscape_floor_004() / 4)
    assert notebooks.nb_landscape_floor_0005() < notebooks.nb_landscape_floor_001()
    for alpha in (0.01, 0.005):
        # Without noise the path along x shrinks by 1 - alpha per step from x = -2.5, and
        # the y part is gone long before: the loss 0.5 x^2 reaches the floor at this step.
        floor = notebooks._floor(alpha, 1.0)
        expected = np.log(floor / (0.5 * 2.5**2)) / (2 * np.log(1 - alpha))
        assert abs(notebooks._steps_to_floor(alpha) - expected) <= 2
    assert notebooks.nb_landscape_floor_steps_0005() > notebooks.nb_landscape_floor_steps_001()


def test_claim_momentum_at_a_small_alpha_does_not_settle_closer_than_gradient_descent():
    notebook_says("momentum", "with noisy gradients and a small learning rate $\\alpha$")
    notebook_says("momentum", "momentum in this averaging form jitters about the minimum "
                  "about as much as gradient descent at the same $\\alpha$")
    notebook_says("momentum", "What lowers that floor is a smaller $\\alpha$")
    def settled(make, alpha):
        path = trajectory(partial(make, lr=alpha), noisy(VALLEY, 1.0), steps=12_000, seed=0)
        return loss_along(path, VALLEY)[2000:].mean()

    sgd = settled(SGD, 0.01)
    momentum = settled(partial(EMAMomentum, beta=0.9), 0.01)
    assert 0.8 < momentum / sgd < 1.25
    assert momentum == pytest.approx(notebooks._floor(0.01, 1.0), rel=0.2)  # SGD's floor
    assert settled(partial(EMAMomentum, beta=0.9), 0.0025) < momentum / 2


def test_claim_momentum_near_the_limit_settles_much_closer_than_gradient_descent():
    from snippets.momentum import floor_drop_large, noise_floor

    notebook_says("momentum", "Near gradient descent's limit it is another matter")
    # the exact floors at alpha = 0.07 (SGD's limit on the valley is 0.08)
    assert floor_drop_large() == pytest.approx(
        1 - noise_floor(0.07, 0.9, [1, 25], 1.0) / noise_floor(0.07, 0.0, [1, 25], 1.0))
    assert floor_drop_large() > 0.5


def test_claim_momentum_at_alpha_0_3_converges_only_with_the_larger_betas():
    notebook_says("momentum", "$\\beta_1 = 0$ and $0.5$ diverge")
    notebook_says("momentum", "$0.9$ and $0.99$ converge")
    limits = {0.0: notebooks.nb_valley_limit(), 0.5: notebooks.nb_momentum_limit_05(),
              0.9: notebooks.nb_momentum_limit_09(), 0.99: notebooks.nb_momentum_limit_099()}
    for beta1, limit in limits.items():
        assert limit == pytest.approx(2 * (1 + beta1) / ((1 - beta1) * 25))
        with np.errstate(over="ignore", invalid="ignore"):
            end = trajectory(partial(EMAMomentum, lr=0.3, beta=beta1), VALLEY, steps=3000)[-1]
            converged = bool(np.all(np.abs(end) < 1e-3))
        assert converged == (limit > 0.3), beta1
    for beta1 in (0.9, 0.99):
        factor = notebooks._momentum_factor(0.3, beta1)
        assert factor == pytest.approx(np.sqrt(beta1))  # swinging: complex roots, |r| = sqrt(b)


def test_claim_second_moment_a_longer_average_brings_the_step_down_to_mean_over_rms():
    notebook_says("second-moment", "close to mean over RMS")
    notebook_says("second-moment", "at both noise levels")
    for step, ratio in ((notebooks.nb_second_moment_step_099_noise_1(),
                         notebooks.nb_second_moment_ratio_noise_1()),
                        (notebooks.nb_second_moment_step_099_noise_3(),
                         notebooks.nb_second_moment_ratio_noise_3())):
        assert abs(step - ratio) < 0.03
    low, high = notebooks._noisy_steps(0.0)
    assert abs(low - high) < 0.03 and 0.7 < low < 0.9
    # beta1 = 0.9 keeps more of the noise, so its steps are further above mean over RMS
    assert notebooks._noisy_steps(0.9)[1] > notebooks._noisy_steps(0.99)[1] + 0.05


def test_claim_second_moment_rmsprop_and_adam_draw_the_same_paths_at_any_scale():
    notebook_says("second-moment", "RMSProp and Adam draw the same paths as before")
    for make in (lambda p: RMSProp(p, lr=0.05, alpha=0.99), lambda p: Adam(p, lr=0.05)):
        paths = [trajectory(make, replace(BOWL, loss=lambda x, y, c=c: c * bowl_loss(x, y),
                                          grad=lambda x, y, c=c: c * bowl_grad(x, y)),
                            steps=60) for c in (1.0, 1000.0)]
        np.testing.assert_allclose(paths[0], paths[1], atol=1e-6)
    assert notebooks.nb_second_moment_rmsprop_first_step() == pytest.approx(0.05 / 0.1)
    assert notebooks.nb_second_moment_sgd_distance_c1000() > 1e100


def test_claim_bias_correction_the_uncorrected_step_grows_even_when_the_first_is_lr():
    notebook_says("bias-correction", "Only the corrected step is `lr` at every step")
    t = np.arange(1, 2001)
    formula = (1 - 0.9**t) / np.sqrt(1 - 0.99**t)  # the uncorrected step for a constant g
    assert notebooks.nb_bias_peak_099() == pytest.approx(formula.max(), rel=1e-4)
    assert notebooks.nb_bias_peak_step_099() == t[formula.argmax()]
    back = notebooks.nb_bias_back_to_lr_099()
    assert abs(formula[back - 1] - 1) <= 0.01 < abs(formula[back - 2] - 1)
    assert notebooks.nb_bias_first_step_beta1_0() == pytest.approx(1 / np.sqrt(0.001), rel=1e-4)
    assert notebooks.nb_bias_first_step_beta1_099() == pytest.approx(0.01 / np.sqrt(0.001),
                                                                      rel=1e-4)


# A notebook's plot is inline SVG with its text as text: sizes in the SVG's units (pt).
INLINE_SVG = re.compile(r'<svg[^>]*width="([\d.]+)pt"[^>]*viewBox="0 0 ([\d.]+) [\d.]+"(.*?)</svg>',
                        re.DOTALL)
FONT_SIZE = re.compile(r'font(?:-size)?:[^;"]*?([\d.]+)px')


def test_every_notebook_plot_reads_at_10_px_or_more_on_a_phone_and_a_desktop(built):
    """A plot wider than the page's column (358 px at 390, 688 px at 1280) is shrunk to it."""
    small, plots = [], 0
    for page in sorted((built.site / "notebooks").glob("*/index.html")):
        for width_pt, viewbox, body in INLINE_SVG.findall(page.read_text()):
            sizes = [float(size) for size in FONT_SIZE.findall(body)]
            if not sizes:  # an icon
                continue
            plots += 1
            for column in (figures.PHONE_PAGE, figures.DESKTOP_PAGE):  # never in a fold
                shown = min(sizes) * min(float(width_pt) * 4 / 3, column) / float(viewbox)
                if round(shown, 2) < figures.MIN_TEXT_PX:
                    small.append(f"{page.parent.name}: plot {plots}, {shown:.1f} px at {column}")
    assert plots >= 12, plots
    assert not small, small
