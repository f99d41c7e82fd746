"""The build hooks (docs/hooks/): math and figure placement fail loudly."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

HOOKS = Path(__file__).resolve().parents[1] / "docs" / "hooks"


def load_hook(name: str):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
