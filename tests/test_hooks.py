"""The build hooks (docs/hooks/): math and figure placement fail loudly."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

HOOKS = Path(__file__).resolve().parents[1] / "docs" / "hooks"


def load_hook(name: str):
    if str(HOOKS) not in sys.path:  # as MkDocs loads a hook: its folder importable
        sys.path.insert(0, str(HOOKS))
    spec = importlib.util.spec_from_file_location(f"hook_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BUILD_CACHE_DIR", str(tmp_path / "cache"))


def test_math_is_rendered_to_katex_html_with_mathml():
    math = load_hook("math")
    html = math.on_post_page(
        '<p><span class="arithmatex">\\(\\hat m_t &lt; 1\\)</span></p>', None, None
    )
    assert 'class="katex"' in html and "<math" in html
    assert "\\(" not in html
    assert "<mo>&lt;</mo>" in html  # the escaped '<' reached KaTeX as '<'


def test_display_math_is_rendered_in_display_mode():
    math = load_hook("math")
    html = math.on_post_page(
        '<div class="arithmatex">\\[\\sqrt{\\hat v_t}\\]</div>', None, None
    )
    assert 'class="katex-display"' in html


def test_punctuation_after_inline_math_moves_into_the_formula_s_last_box():
    math = load_hook("math")
    html = math.on_post_page(
        '<p>a rate <span class="arithmatex">\\(\\alpha\\)</span>, or '
        '<span class="arithmatex">\\(\\beta_2\\)</span>).</p>'
        '<div class="arithmatex">\\[x\\]</div>.', None, None
    )
    assert html.count('class="math-punctuation"') == 2
    assert '<span class="math-punctuation">,</span></span></span></span></span>' in html
    assert '<span class="math-punctuation">).</span>' in html
    # and a screen reader, which reads the MathML (the boxes are aria-hidden), reads it too
    assert html.count("</math>,") == 1 and html.count("</math>).") == 1
    assert re.search(r"</span>[.,;:)]", html.split("<div")[0]) is None  # none left outside
    assert html.endswith("</div>.")  # display math keeps what follows


def test_math_that_katex_cannot_parse_fails_the_build():
    math = load_hook("math")
    with pytest.raises(PluginError, match=r"\\frac\{1"):
        math.on_post_page('<span class="arithmatex">\\(\\frac{1\\)</span>', None, None)


@pytest.fixture
def fresh_snippets():
    """The hook re-imports snippets/; give the other tests their modules back after."""
    saved = {name: m for name, m in sys.modules.items() if name.split(".")[0] == "snippets"}
    yield
    for name in [n for n in sys.modules if n.split(".")[0] == "snippets"]:
        del sys.modules[name]
    sys.modules.update(saved)


def test_unknown_figure_name_fails_the_build(fresh_snippets):
    figures = load_hook("figures")
    figures.on_config({})
    page = SimpleNamespace(file=SimpleNamespace(src_uri="momentum.md"))
    with pytest.raises(PluginError, match="names no registered figure"):
        figures.on_page_markdown("Text\n\n[[figure: no-such-figure]]\n", page, None, None)
    assert "snippets.figures" in sys.modules


def test_a_figure_marker_indented_in_a_fold_fails_the_build_instead_of_showing_as_text():
    figures = load_hook("figures")
    page = SimpleNamespace(file=SimpleNamespace(src_uri="momentum.md"))
    with pytest.raises(PluginError, match="must start its line"):
        figures.on_page_markdown('??? info "Detour"\n    [[figure: layer-map]]\n', page, None, None)


def test_highlighting_is_cached_per_code_and_settings_and_read_back():
    import markdown
    import pygments
    import pymdownx.highlight

    page = '```python title="a.py"\nx = 1\n```\n\n```python title="b.py"\nx = 1\n```\n'

    def convert() -> str:
        return markdown.Markdown(extensions=["pymdownx.highlight", "pymdownx.superfences"]
                                 ).convert(page)

    try:
        first = load_hook("highlight_cache")
        first.on_config(None)
        html = convert()
        assert "a.py" in html and "b.py" in html  # the same code, each with its own title
        assert len(first._cache) == 2
        first.on_post_build(None)
        again = load_hook("highlight_cache")  # as `mkdocs serve` does for each rebuild
        again.on_config(None)
        assert again._cache == first._cache  # read back from disk
        assert convert() == html and again._new == 0
    finally:
        pymdownx.highlight.highlight = pygments.highlight
