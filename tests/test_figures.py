"""The figure registry and house style (snippets/figures.py)."""

from __future__ import annotations

import re

import pytest

from snippets import figures


def test_every_registered_figure_is_built_in_both_schemes_without_a_date(built):
    # That the bytes are the same from build to build: test_site.py compares two builds.
    for name in figures.load_all():
        light = (built.site / "figures" / f"{name}-light.svg").read_bytes()
        dark = (built.site / "figures" / f"{name}-dark.svg").read_bytes()
        assert light.startswith(b"<?xml") and b"<svg" in light
        assert light != dark, f"{name}: the dark variant must differ (text colour)"
        assert b"<dc:date>" not in light, f"{name}: carries a build date"


def test_figures_drawn_in_parallel_are_the_figures_drawn_one_by_one():
    names = ["layer-map", "bias-factors"]
    with figures.process_pool(len(names)) as pool:  # as the build hook draws them
        drawn = dict(zip(names, pool.map(figures.render_pair, names), strict=True))
    assert drawn == {name: figures.render_pair(name) for name in names}


def test_figures_use_the_scheme_text_colour():
    pair = figures.render_pair("layer-map")
    assert figures.THEMES["dark"].text.encode() in pair["dark"]
    assert figures.THEMES["light"].text.encode() in pair["light"]


# matplotlib names markers and clip paths by a hash that includes their colour.
HASHED_ID = re.compile(rb'(?<=["#])[mp][0-9a-f]{10}(?=[")])')


@pytest.mark.parametrize("name", ["layer-map", "bias-factors", "momentum-valley"])
def test_drawing_once_and_recolouring_is_drawing_in_each_scheme(name):
    spec = figures.load_all()[name]
    pair = figures.render_pair(name)
    for theme_name, theme in figures.THEMES.items():
        direct = figures.draw_svg(spec, theme)
        assert HASHED_ID.sub(b"id", pair[theme_name]) == HASHED_ID.sub(b"id", direct)


def test_registering_a_figure_without_alt_text_is_an_error():
    with pytest.raises(TypeError):
        figures.figure("no-alt")  # alt is a required keyword
    with pytest.raises(ValueError, match="alt text is required"):
        figures.figure("short-alt", alt="a plot")


def test_figure_names_are_url_safe():
    with pytest.raises(ValueError, match="lower-case words"):
        figures.figure("Bad Name", alt="A figure whose name has a space in it.")


def test_optimizer_colours_are_distinct_hex_colours():
    assert len(set(figures.COLORS.values())) == len(figures.COLORS)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in figures.COLORS.values())


def _contrast(a: str, b: str) -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("background", ["#ffffff", "#1e2129"])  # Material's default and slate
def test_optimizer_colours_stand_out_on_both_page_backgrounds(background):
    # WCAG 1.4.11: graphical objects need 3:1 against what is next to them.
    weak = {k: round(_contrast(c, background), 2) for k, c in figures.COLORS.items()
            if _contrast(c, background) < 3}
    assert not weak


def test_cache_key_changes_with_the_snippets_a_figure_uses(monkeypatch, tmp_path):
    spec = figures.load_all()["layer-map"]
    before = figures.cache_key(spec)
    assert figures.cache_key(spec) == before
    used = figures._modules_used(spec.draw)
    assert "snippets.home" in used
    original = figures.Path.read_bytes

    def edited(path):
        data = original(path)
        return data + b"# edited\n" if path.name == "home.py" else data

    monkeypatch.setattr(figures.Path, "read_bytes", edited)
    figures._module_digest.cache_clear()  # read once per build: a new build reads the edit
    assert figures.cache_key(spec) != before
    figures._module_digest.cache_clear()


def test_importing_every_snippets_module_prints_nothing():
    # The build imports every module to find its figures: a page's printing
    # examples belong under `if __name__ == "__main__":` (sections may sit
    # there; pymdownx.snippets dedents them), or every build would run them.
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "from snippets import figures; figures.load_all()"],
        capture_output=True, text=True, cwd=figures.Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
