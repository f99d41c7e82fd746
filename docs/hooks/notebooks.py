"""MkDocs hook: the notebooks in ``notebooks/``, expanded from ``snippets/``, run and rendered.

- ``notebooks/<name>.py`` is a notebook in jupytext's percent format. Its code
  cells hold ``--8<-- "snippets/<module>.py:<section>"`` lines, expanded here by
  pymdownx.snippets with the site's settings, as the pages are, so that the
  notebook runs on its own with NumPy and matplotlib. A code cell that imports
  ``snippets`` fails the build. Cell ids are fixed (``<name>-<index>``) so that
  two builds are byte-identical.
- The expanded notebook is published without outputs as
  ``downloads/notebooks/<name>.ipynb`` and becomes the page
  ``notebooks/<name>.ipynb`` (``/notebooks/<name>/``), rendered by mkdocs-jupyter.
- The page's copy is run here, all notebooks at once in the background while
  the rest of the site builds, with one extra first cell that makes matplotlib
  draw SVG in the site's colours (dropped again after the run). A run is cached
  in ``.cache/notebooks`` (see snippets/build_cache.py) under a hash of
  everything its outputs depend on: the expanded code (so a changed snippet
  is a new key), this hook (the style cell, how the kernel runs), and the
  Python, NumPy, matplotlib, ipykernel and nbclient versions. mkdocs-jupyter's
  own cache, keyed on the text of the notebook it is given, then only ever
  sees executed notebooks, so neither cache can serve a stale output.
- The rendered HTML keeps what the page needs: mkdocs-jupyter's inlined
  JupyterLab CSS (about 600 KB) and its scripts are dropped, code cells take
  Material's code style (and copy button), ``$...$`` goes to the KaTeX hook,
  figures follow the colour scheme, and a button under the title downloads the
  notebook. A cell that prints a warning or raises fails the build.
- ``NOTEBOOKS_EXECUTE=0`` renders the notebooks without running them (fast,
  for writing); the pages then say that their outputs are missing.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import html
import logging
import os
import posixpath
import re
import shutil
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

import jupytext
import nbformat
from markdown import Markdown
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from pymdownx.snippets import SnippetMissingError

from snippets.build_cache import cache_dir

log = logging.getLogger("mkdocs.hooks.notebooks")

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "notebooks"
PAGE_DIR = "notebooks"
DOWNLOAD_DIR = "downloads/notebooks"
IMPORTS_REPO = re.compile(r"^\s*(?:from|import)\s+snippets\b", re.MULTILINE)
INCLUDE = re.compile(r"^\s*--8<--\s", re.MULTILINE)
STYLE_TAG = "site-style"
# ipykernel 7 warns on stderr that its local sockets are unencrypted; the build
# log must stay free of warnings.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
CELL_TIMEOUT = 300  # seconds

# Figures in the notebooks draw neutral colours in the light scheme's colours;
# the page swaps them for these CSS variables, which follow the scheme.
THEME_VARS = {"text": "--nb-text", "muted": "--nb-muted", "grid": "--nb-grid"}

_build_dir: Path | None = None
_executor: ThreadPoolExecutor | None = None
_notebooks: dict[str, dict] = {}  # page src_uri -> name, description, download, run
_deferred: dict[str, list[str]] = {}  # page src_uri -> its code and figures


def executing() -> bool:
    """False if $NOTEBOOKS_EXECUTE says not to run the notebooks (0, false, no, off)."""
    setting = os.environ.get("NOTEBOOKS_EXECUTE", "1").strip().lower()
    return setting not in {"0", "false", "no", "off"}


def _themes():
    from snippets.figures import THEMES  # on sys.path: the figures hook put it there

    return THEMES


# --- notebooks ------------------------------------------------------------------


def expand(path: Path, snippets_config: dict) -> nbformat.NotebookNode:
    """The notebook of a jupytext percent file, its code cells expanded from snippets/."""
    nb = jupytext.read(path, fmt="py:percent")
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata.pop("jupytext", None)
    nb.metadata.pop("typed_numbers", None)  # for tests/test_typed_numbers.py only
    nb.metadata["language_info"] = {"name": "python"}
    from snippets import values  # the module that `mkdocs serve` imported last

    if "description" in nb.metadata:
        nb.metadata["description"] = values.fill(nb.metadata["description"])
    for i, cell in enumerate(nb.cells):
        cell.id = f"{path.stem}-{i}"
        if cell.cell_type == "markdown":
            cell.source = values.fill(cell.source)
        if cell.cell_type != "code":
            continue
        where = f"{path.relative_to(ROOT)}, cell {i}"
        md = Markdown(
            extensions=["pymdownx.snippets"],
            extension_configs={"pymdownx.snippets": snippets_config},
        )
        try:
            lines = md.preprocessors["snippet"].run(cell.source.splitlines())
        except SnippetMissingError as error:
            raise PluginError(f"{where}: {error}") from None
        cell.source = "\n".join(lines).strip("\n")
        cell.outputs, cell.execution_count = [], None
        if INCLUDE.search(cell.source):
            raise PluginError(f"{where}: an --8<-- line was not expanded")
        if IMPORTS_REPO.search(cell.source):
            raise PluginError(
                f"{where} imports snippets, which a downloaded notebook cannot: include "
                "the sections it needs instead"
            )
    nbformat.validate(nb)
    return nb


def style_cell() -> str:
    """The source of the first cell of a page's run: SVG figures in the site's colours."""
    light = _themes()["light"]
    rc = {
        "svg.hashsalt": "adam-layer-by-layer",
        "svg.fonttype": "none",  # text as text: the page's font, a third of the bytes
        "figure.facecolor": "none",
        "axes.facecolor": "none",
        "savefig.transparent": True,
        "text.color": light.text,
        "axes.labelcolor": light.text,
        "axes.edgecolor": light.muted,
        "xtick.color": light.muted,
        "ytick.color": light.muted,
        "xtick.labelcolor": light.text,
        "ytick.labelcolor": light.text,
        "grid.color": light.grid,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
        "path.simplify": True,
        # With figures 4.5 inches wide, the text reads at 10 px or more on a phone.
        "font.size": 11,
    }
    from snippets.figures import SCRIPT_SHRINK

    return "\n".join([
        '%config InlineBackend.figure_formats = ["svg"]',
        '%config InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", '
        '"metadata": {"Date": None}}',
        "import matplotlib",
        f"matplotlib.rcParams.update({rc!r})",
        # As the site's figures draw them (snippets/figures.py): scripts readable.
        "import matplotlib._mathtext",
        f"matplotlib._mathtext.SHRINK_FACTOR = {SCRIPT_SHRINK}",
    ])


def run_key(nb: nbformat.NotebookNode) -> str:
    """A hash of everything the outputs of a run depend on."""
    digest = hashlib.sha256(nbformat.writes(nb).encode())
    digest.update(style_cell().encode())
    digest.update(Path(__file__).read_bytes())  # how it runs: kernel, options
    digest.update(sys.version.encode())
    for lib in ("numpy", "matplotlib", "ipykernel", "nbclient"):
        digest.update(f"{lib}={version(lib)}".encode())
    return digest.hexdigest()[:16]


def kernel_manager(sockets: str):
    """A manager for a kernel of this very Python (not a python3 kernel found elsewhere).

    The kernel listens on Unix sockets named ``<sockets>-<n>``: the TCP ports that
    kernels starting at the same moment pick for themselves can collide.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    specs = KernelSpecManager(kernel_dirs=[])  # only the native kernel: sys.executable
    return KernelManager(
        kernel_name="python3", kernel_spec_manager=specs, transport="ipc", ip=sockets
    )


def execute(nb: nbformat.NotebookNode, cache: Path, key: str) -> nbformat.NotebookNode:
    """Run the notebook (with the style cell first) in an empty directory; cache the result."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    name = nb.cells[0].id.rsplit("-", 1)[0]
    run = nbformat.from_dict(nb)
    style = nbformat.v4.new_code_cell(style_cell(), id=f"{name}-style")
    style.metadata["tags"] = [STYLE_TAG]
    run.cells.insert(0, style)
    with (
        tempfile.TemporaryDirectory(prefix=f"notebook-{name}-") as workdir,
        tempfile.TemporaryDirectory(prefix="kernel-") as sockets,
    ):
        client = NotebookClient(
            run, km=kernel_manager(os.path.join(sockets, "kernel")), timeout=CELL_TIMEOUT,
            extra_arguments=KERNEL_ARGS,
            record_timing=False, allow_errors=False, coalesce_streams=True,
            resources={"metadata": {"path": workdir}},
        )
        try:
            client.execute()
        except CellExecutionError as error:
            raise PluginError(f"notebooks/{name}.py failed to run:\n{error}") from None
    run.cells = [c for c in run.cells if STYLE_TAG not in c.metadata.get("tags", [])]
    run.metadata = nb.metadata  # not the kernel's: the same on every machine
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob(f"{name}-*.ipynb"):
        stale.unlink(missing_ok=True)
    partial = cache / f".{name}-{key}.{os.getpid()}"
    partial.write_text(nbformat.writes(run))
    partial.replace(cache / f"{name}-{key}.ipynb")  # atomic: no half-written entry
    log.info("ran notebook %s", name)
    return run


def start_run(nb: nbformat.NotebookNode) -> Future | None:
    """The executed notebook, from the cache or from a run started in the background."""
    if not executing():
        return None
    name, key, cache = nb.cells[0].id.rsplit("-", 1)[0], run_key(nb), cache_dir("notebooks")
    cached = cache / f"{name}-{key}.ipynb"
    future: Future = Future()
    if cached.exists():
        future.set_result(nbformat.read(cached, as_version=4))
        return future
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="notebook")
    return _executor.submit(execute, nb, cache, key)


def on_config(config):
    # mkdocs-jupyter's cache of rendered HTML goes with the runs: one place, one variable.
    plugin = config["plugins"].get("mkdocs-jupyter")
    if plugin is not None:
        plugin.config["cache_dir"] = str(cache_dir("notebooks") / "html")
    return config


def _fresh_build_dir() -> Path:
    global _build_dir
    if _build_dir is not None:
        shutil.rmtree(_build_dir, ignore_errors=True)
    _build_dir = Path(tempfile.mkdtemp(prefix="site-notebooks-"))
    atexit.register(shutil.rmtree, _build_dir, ignore_errors=True)
    return _build_dir


@event_priority(50)  # before mkdocs-jupyter's on_files, which makes pages of .ipynb files
def on_files(files, config):
    _notebooks.clear()
    build = _fresh_build_dir()
    snippets_config = config["mdx_configs"]["pymdownx.snippets"]
    for source in sorted(SOURCES.glob("*.py")):
        nb = expand(source, snippets_config)
        description = nb.metadata.pop("description", None)
        if not description:
            raise PluginError(f"{source.relative_to(ROOT)}: its header has no description")
        download = f"{DOWNLOAD_DIR}/{source.stem}.ipynb"
        files.append(File.generated(config, download, content=nbformat.writes(nb) + "\n"))
        page_uri = f"{PAGE_DIR}/{source.stem}.ipynb"
        (build / page_uri).parent.mkdir(parents=True, exist_ok=True)
        (build / page_uri).write_text(nbformat.writes(nb) + "\n")
        files.append(File(page_uri, str(build), config["site_dir"], config["use_directory_urls"]))
        _notebooks[page_uri] = {
            "name": source.stem, "description": description, "download": download,
            "run": start_run(nb),
        }
    return files


@event_priority(50)  # before mkdocs-jupyter's on_pre_page, which hashes the file for its cache
def on_pre_page(page, config, files):
    info = _notebooks.get(page.file.src_uri)
    if info and info["run"] is not None:
        executed = info["run"].result()
        Path(page.file.abs_src_path).write_text(nbformat.writes(executed) + "\n")
    return page


def on_page_context(context, page, config, nav):
    info = _notebooks.get(page.file.src_uri)
    if info:
        page.meta["description"] = info["description"]
        page.edit_url = f"{config['repo_url']}/edit/main/notebooks/{info['name']}.py"
    return context


# --- HTML -----------------------------------------------------------------------

# mkdocs-jupyter's scripts (a copy button; MathJax and mermaid loaders from a
# CDN) and stylesheets (JupyterLab's, 600 KB): the page needs none of them.
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1>\s*", re.DOTALL)
COPY_BUTTON = re.compile(
    r'<div class="zeroclipboard-container">.*?</clipboard-copy>\s*</div>\s*'
    r'|<div class="clipboard-copy-txt"[^>]*>[^<]*</div>\s*',
    re.DOTALL,
)
COLLAPSER = re.compile(r'<div class="jp-Collapser[^"]*">\s*</div>\s*')
CODE = re.compile(
    r'<div class="highlight-ipynb hl-(\w+)\s*"><pre><span></span>(.*?)</pre></div>', re.DOTALL
)
MARKDOWN_CELL = re.compile(
    r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^>]*>)(.*?)(</div>)', re.DOTALL
)
SVG_IMAGE = re.compile(r'<img alt="[^"]*" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"\s*/?>')
SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
DEFERRED = re.compile(r"<!--nb-deferred-(\d+)-->")
STDERR = re.compile(r'data-mime-type="application/vnd\.jupyter\.(?:stderr|error)"')
NOT_TEXT = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.DOTALL)
DISPLAY_MATH = re.compile(r"<p>\s*\$\$(.+?)\$\$\s*</p>", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$")
# The text of a figure: plain text elements, and the comment before each math text.
TEXT = re.compile(r"<!-- (.*?) -->|<text\b[^>]*>([^<]+)</text>")
COORDINATES = re.compile(r'( d="[^"]*"| [xy]="[^"]*")')
DECIMALS = re.compile(r"(\d\.\d)\d+")
TICK_LABEL = re.compile(r"^[\s\d.,+\-\u2212%^]*$|mathdefault")  # and empty
GREEK = {r"\alpha": "α", r"\beta": "β", r"\varepsilon": "ε", r"\theta": "θ", r"\lambda": "λ"}
DOWNLOAD_ICON = (  # Material's material/download icon
    '<svg aria-hidden="true" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">'
    '<path d="M5 20h14v-2H5m14-9h-4V3H9v6H5l7 7z"/></svg>'
)
CSS = """
.jupyter-wrapper .jp-OutputArea { margin: -0.4em 0 1.2em; }
.jupyter-wrapper .jp-RenderedText { overflow-x: auto; }
.jupyter-wrapper .jp-RenderedText pre {
  margin: 0; padding: 0.6em 1em; font-size: 0.85em;
  border-left: 0.2rem solid var(--md-default-fg-color--lightest);
}
.jupyter-wrapper .jp-RenderedSVG svg { display: block; max-width: 100%; height: auto; }
.jupyter-wrapper .jp-RenderedSVG svg * { stroke-linejoin: round; stroke-linecap: butt; }
.nb-download { display: flex; flex-wrap: wrap; align-items: center; gap: 0.6em 1em; }
.nb-download .md-button svg {
  width: 1.1em; height: 1.1em; vertical-align: -0.2em; fill: currentColor;
}
.nb-download span { color: var(--md-default-fg-color--light); font-size: 0.8em; }
"""


def _math(markdown_html: str) -> str:
    """``$...$`` and ``$$...$$`` marked up as pymdownx.arithmatex does, for the KaTeX hook."""
    display = DISPLAY_MATH.sub(lambda m: f'<div class="arithmatex">\\[{m[1]}\\]</div>',
                               markdown_html)
    parts = NOT_TEXT.split(display)
    for i in range(0, len(parts), 2):  # the text between <pre> and <code> elements
        parts[i] = INLINE_MATH.sub(
            lambda m: f'<span class="arithmatex">\\({m[1]}\\)</span>', parts[i]
        )
    return "".join(parts)


def _plain(tex: str) -> str:
    """A text label of matplotlib, its $math$ as plain text: $\\beta_1 = 0.9$ -> β1 = 0.9."""
    for command, letter in GREEK.items():
        tex = tex.replace(command, letter)
    return re.sub(r"[$\\{}_]", "", tex)


def _figure(svg: str, number: int) -> str:
    """matplotlib's SVG, inline: ids unique on the page, the scheme's colours, a label."""
    svg = SVG.search(svg)[0]  # without the XML declaration and doctype
    words = [_plain(html.unescape(a or b).strip()) for a, b in TEXT.findall(svg)]
    label = "Plot: " + "; ".join(dict.fromkeys(w for w in words if not TICK_LABEL.search(w)))
    svg = SCRIPT_OR_STYLE.sub("", svg)  # matplotlib's `*{stroke-linejoin: round}`
    svg = re.sub(r"<metadata>.*?</metadata>|<!--.*?-->", "", svg, flags=re.DOTALL)
    # Coordinates in pt to 0.1 pt (a seventh of a pixel), and no line breaks: a third of
    # the bytes. Glyph outlines are integers, transforms keep their digits.
    svg = COORDINATES.sub(lambda m: DECIMALS.sub(r"\1", m[1]), svg)
    svg = re.sub(r"\s*\n\s*", " ", svg)
    used = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))
    svg = re.sub(r' id="([^"]+)"', lambda m: f' id="nb{number}-{m[1]}"' if m[1] in used else "",
                 svg)  # ids only where referenced, and unique on the page
    svg = re.sub(r'(href="#|url\(#)', rf"\1nb{number}-", svg)
    light = _themes()["light"]
    for key, var in THEME_VARS.items():
        svg = re.sub(re.escape(getattr(light, key)), f"var({var})", svg, flags=re.IGNORECASE)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label)}" ', 1)


def _download_button(page, info: dict) -> str:
    base = page.url if page.url.endswith("/") else posixpath.dirname(page.url)
    href = posixpath.relpath(info["download"], base or ".")
    missing = "" if info["run"] is not None else (
        '<div class="admonition warning"><p class="admonition-title">Outputs missing</p>'
        "<p>This build did not run the notebooks (NOTEBOOKS_EXECUTE=0).</p></div>"
    )
    return (
        f'<p class="nb-download"><a class="md-button md-button--primary" href="{href}" '
        f'download>{DOWNLOAD_ICON} Download the notebook</a> <span>{info["name"]}.ipynb, '
        "for Jupyter: runs with NumPy and matplotlib, nothing else.</span></p>" + missing
    )


def notebook_css() -> str:
    """The few rules a notebook page needs, with the figure colours of both schemes."""
    themes = _themes()
    light, dark = (
        "; ".join(f"{var}: {getattr(themes[t], key)}" for key, var in THEME_VARS.items())
        for t in ("light", "dark")
    )
    return f':root {{ {light} }}\n[data-md-color-scheme="slate"] {{ {dark} }}' + CSS


def _relative(link: re.Match, page, site_url: str) -> str:
    """A link to a page of this site (as a notebook has it) made relative to the page."""
    target, _, fragment = html.unescape(link[1])[len(site_url):].partition("#")
    base = page.url if page.url.endswith("/") else posixpath.dirname(page.url)
    href = posixpath.relpath(target or ".", base or ".") + ("/" if target.endswith("/") else "")
    return f'href="{html.escape(href + ("#" + fragment if fragment else ""))}"'


def _defer(deferred: list[str], block: str) -> str:
    """A marker for a block of code or a figure, put back by on_post_page."""
    deferred.append(block)
    return f"<!--nb-deferred-{len(deferred) - 1}-->"


def rewrite(content: str, page, info: dict, site_url: str) -> str:
    """mkdocs-jupyter's HTML of a notebook, reduced to what the page needs."""
    content = SCRIPT_OR_STYLE.sub("", content)
    content = content[content.index('<div class="jupyter-wrapper">'):]  # no loader comments
    if STDERR.search(content):
        raise PluginError(
            f"{page.file.src_uri}: a cell wrote to stderr or raised, and the page would show "
            "it: fix the notebook"
        )
    content = COPY_BUTTON.sub("", content)
    content = COLLAPSER.sub("", content)
    # Only what scrolls (printed text) stays in the tab order.
    content = content.replace('<div class="jp-Cell-inputWrapper" tabindex="0">',
                              '<div class="jp-Cell-inputWrapper">')
    content = content.replace('data-mime-type="image/svg+xml" tabindex="0"',
                              'data-mime-type="image/svg+xml"')
    # Code and outputs stay out of the search index: the pages show the same code.
    content = content.replace('<div class="jp-Cell jp-CodeCell',
                              '<div data-search-exclude class="jp-Cell jp-CodeCell')
    deferred = _deferred[page.file.src_uri] = []
    content = CODE.sub(
        lambda m: _defer(deferred, f'<div class="language-{m[1]} highlight"><pre><span></span>'
                         f"<code>{m[2]}</code></pre></div>"),
        content,
    )
    content = MARKDOWN_CELL.sub(lambda m: m[1] + _math(m[2]) + m[3], content)
    content = content.replace('<a class="anchor-link" ',
                              '<a class="headerlink" title="Link to this section" ')
    figures = iter(range(1, 10_000))
    site_link = re.compile(r'href="(' + re.escape(site_url) + r'[^"]*)"')
    content = site_link.sub(lambda m: _relative(m, page, site_url), content)
    content = SVG_IMAGE.sub(
        lambda m: _defer(deferred, _figure(base64.b64decode(m[1]).decode(), next(figures))),
        content,
    )
    content = content.replace("</h1>", "</h1>\n" + _download_button(page, info), 1)
    return f"<style>{notebook_css()}</style>\n{content}"


@event_priority(50)  # before the math hook, which renders the spans made here
def on_page_content(content, page, config, files):
    info = _notebooks.get(page.file.src_uri)
    return rewrite(content, page, info, config["site_url"]) if info else content


def on_post_page(output, page, config):
    # Code and figures are put in after the search plugin has read the page: they are
    # not indexed anyway, and reading their thousands of tags took most of its time.
    deferred = _deferred.pop(page.file.src_uri, None)
    if deferred is None:
        return output
    return DEFERRED.sub(lambda m: deferred[int(m[1])], output)
