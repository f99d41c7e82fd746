"""The figure registry and house style (snippets/figures.py)."""

from __future__ import annotations

import functools
import io
import re

import matplotlib
import pytest

from snippets import figures


def test_every_registered_figure_is_built_in_both_schemes_and_layouts_without_a_date(built):
    # That the bytes are the same from build to build: test_site.py compares two builds.
    for name in figures.load_all():
        for layout in figures.LAYOUTS.values():
            light = (built.site / "figures" / f"{name}-{layout}light.svg").read_bytes()
            dark = (built.site / "figures" / f"{name}-{layout}dark.svg").read_bytes()
            assert light.startswith(b"<?xml") and b"<svg" in light
            assert light != dark, f"{name}: the dark variant must differ (text colour)"
            assert b"<dc:date>" not in light, f"{name}: carries a build date"
        phone = (built.site / "figures" / f"{name}-phone-light.svg").read_bytes()
        width_pt = float(re.search(rb'<svg[^>]*? width="([\d.]+)pt"', phone).group(1))
        assert width_pt * 4 / 3 == pytest.approx(figures.PHONE_COLUMN), name


def test_figures_drawn_in_parallel_are_the_figures_drawn_one_by_one():
    names = ["bias-factors", "ema-weights"]
    with figures.process_pool(len(names)) as pool:  # as the build hook draws them
        drawn = dict(zip(names, pool.map(figures.render_variants, names), strict=True))
    assert drawn == {name: figures.render_variants(name) for name in names}


def test_figures_use_the_scheme_text_colour():
    variants = _variants("layer-map")
    for variant, svg in variants.items():
        assert figures.THEMES[variant.split("-")[-1]].text.encode() in svg


# matplotlib names markers and clip paths by a hash that includes their colour.
HASHED_ID = re.compile(rb'(?<=["#])[mp][0-9a-f]{10}(?=[")])')


@functools.cache
def _variants(name: str) -> dict[str, bytes]:
    return figures.render_variants(name)


@pytest.mark.parametrize("name", ["layer-map", "bias-factors"])
def test_drawing_once_and_recolouring_is_drawing_in_each_scheme(name):
    spec = figures.load_all()[name]
    variants = _variants(name)
    for layout, prefix in figures.LAYOUTS.items():
        for theme_name, theme in figures.THEMES.items():
            direct = figures.draw_svg(spec, theme, layout)
            assert HASHED_ID.sub(b"id", variants[prefix + theme_name]) == HASHED_ID.sub(
                b"id", direct)


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


# Text drawn as paths (svg.fonttype "path"): a group scaled to the font size / 100,
# each glyph in it scaled again when it is a sub- or superscript.
TEXT_GROUP = re.compile(
    rb'<g id="([^"]+)">\s*<!-- ((?:(?!-->).)*) -->\s*<g (?:style="[^"]*" )?'
    rb'transform="translate\([^)]*\)(?: rotate\([^)]*\))? scale\(([\d.]+) -[\d.]+\)">(.*?)</g>',
    re.DOTALL,
)
# Radical signs and big delimiters come from the STIXSize fonts, scaled to fit: not text.
GLYPH_SCALE = re.compile(
    rb'<use xlink:href="#(?!STIXSize)[^"]*"(?: transform="[^"]*?(?:scale\(([\d.]+)\))?")?')
VIEWBOX_WIDTH = re.compile(rb'<svg [^>]*viewBox="0 0 ([\d.]+) [\d.]+"')


def smallest_text(svg: bytes, column: int) -> tuple[float, str, float, str]:
    """The smallest text and the smallest title in CSS px, as the figure shows in a
    text column ``column`` px wide (a wider figure is shrunk to it): (px, text) twice."""
    width_pt = float(VIEWBOX_WIDTH.search(svg).group(1))
    px_per_pt = min(width_pt * 4 / 3, column) / width_pt
    text, title = (float("inf"), ""), (float("inf"), "")
    groups = TEXT_GROUP.findall(svg)
    assert len(groups) == len(re.findall(rb'<g id="(?:text_\d+|title-\d+)">', svg)), "unread text"
    for group_id, label, scale, body in groups:
        glyphs = [float(k or 1) for k in GLYPH_SCALE.findall(body)] or [1.0]
        size = (float(scale) * 100 * min(glyphs) * px_per_pt, label.decode())
        text = min(text, size)
        if group_id.startswith(b"title-"):
            title = min(title, size)
    return (*text, *title)


def test_the_text_size_reader_reads_what_matplotlib_was_asked_to_draw():
    from matplotlib.figure import Figure

    def svg(**text) -> bytes:
        fig = Figure(figsize=(3, 2))
        ax = fig.subplots()
        ax.set_title("a title", fontsize=12, gid="title-0")
        ax.text(0.5, 0.5, **text)
        buffer = io.BytesIO()
        with matplotlib.rc_context({"svg.fonttype": "path"}):
            fig.savefig(buffer, format="svg")
        return buffer.getvalue()

    # 3 inches = 288 px, shown in a 144 px column: half size. 9 pt = 12 px.
    assert smallest_text(svg(s="plain", fontsize=9), 288)[:2] == pytest.approx((12, "plain"))
    assert smallest_text(svg(s="plain", fontsize=9), 144)[:2] == pytest.approx((6, "plain"))
    # A subscript: matplotlib's mathtext draws it at 0.7 of its text.
    px, label, title_px, title = smallest_text(svg(s="$m_t$", fontsize=9), 288)
    assert (px, label) == (pytest.approx(12 * 0.7), "$m_t$")
    assert (title_px, title) == (pytest.approx(16), "a title")


def test_every_figure_text_is_readable_on_a_phone_and_a_desktop(built):
    """At 390 px a figure shows its phone layout in a 358 px column; at 1280 px its
    desktop layout in a 688 px column (measured by tests/test_browser.py)."""
    small = []
    for name in figures.load_all():
        for variant, column in (("light", figures.DESKTOP_COLUMN),
                                ("phone-light", figures.PHONE_COLUMN)):
            svg = (built.site / "figures" / f"{name}-{variant}.svg").read_bytes()
            px, text, title_px, title = smallest_text(svg, column)
            if round(px, 2) < figures.MIN_TEXT_PX:
                small.append(f"{name} ({variant}): {text!r} at {px:.1f} px")
            if round(title_px, 2) < figures.MIN_TITLE_PX:
                small.append(f"{name} ({variant}): title {title!r} at {title_px:.1f} px")
    assert not small, "text under the house minimum:\n" + "\n".join(small)
