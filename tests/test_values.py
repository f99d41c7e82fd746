"""Values (snippets/values.py): numbers in prose come from code, formatted one way."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from snippets import figures, values

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*sorted((ROOT / "docs").glob("**/*.md")), *sorted((ROOT / "notebooks").glob("*.py"))]


@pytest.fixture
def registered(monkeypatch, tmp_path):
    """Register throw-away values in an empty cache; the registry is restored after."""
    monkeypatch.setenv("BUILD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(values, "REGISTRY", dict(values.load_all()))
    monkeypatch.setattr(values, "_computed", {})
    values.cache_path.cache_clear()
    return values.value


@pytest.mark.parametrize(
    ("x", "fmt", "text"),
    [
        (5.19093, {}, "5.19"),  # three significant digits by default
        (1.1, {}, "1.10"),  # trailing zeros are significant
        (0.005454, {"digits": 2}, "0.0055"),
        (1442.3, {}, "1440"),
        (0.651, {"decimals": 3}, "0.651"),
        (39000, {"integer": True}, "39,000"),
        (1442, {"integer": True}, "1442"),
        (0.0374, {"percent": True, "digits": 2}, "3.7%"),
        (1.2e-8, {"sci": True, "digits": 2}, "1.2 × 10⁻⁸"),
        (1e-8, {"sci": True, "digits": 1}, "10⁻⁸"),
        (-2.5, {"unit": " α"}, "-2.50 α"),
    ],
)
def test_a_value_is_printed_as_its_registration_says(x, fmt, text):
    assert values.Format(**{"digits": 3, **fmt})(x) == text


def test_a_whole_number_format_refuses_a_fraction():
    with pytest.raises(values.ValueReferenceError, match="not a whole number"):
        values.Format(integer=True)(2.5)


def test_a_reference_is_filled_in_prose_and_markdown(registered):
    registered("test-ratio", digits=2, unit=" α")(lambda: 3.16227766)
    assert values.fill("steps of [[value: test-ratio]] at first") == "steps of 3.2 α at first"
    html = markdown.markdown("Steps of [[value:  test-ratio ]].", extensions=["snippets.values"])
    assert html == "<p>Steps of 3.2 α.</p>"


def test_an_unknown_name_fails_with_the_names_it_may_mean(registered):
    registered("test-first-step", digits=3)(lambda: 1.0)
    with pytest.raises(values.ValueReferenceError, match="did you mean test-first-step"):
        values.fill("[[value: test-first-stpe]]")


def test_a_value_that_raises_or_is_not_finite_fails(registered):
    registered("test-raises")(lambda: 1 / 0)
    registered("test-nan")(lambda: math.nan)
    with pytest.raises(values.ValueReferenceError, match="'test-raises' raised ZeroDivision"):
        values.fill("[[value: test-raises]]")
    with pytest.raises(values.ValueReferenceError, match="'test-nan' is nan, not a finite"):
        values.fill("[[value: test-nan]]")


def _count_calls() -> float:
    _count_calls.calls += 1
    return 2.0


def test_a_value_is_computed_once_then_read_from_the_cache(registered):
    _count_calls.calls = 0
    registered("test-cached")(_count_calls)
    assert values.number("test-cached") == 2.0
    values._computed.clear()  # a new build: only the disk cache is left
    assert values.number("test-cached") == 2.0
    assert _count_calls.calls == 1


def _a_table() -> str:
    _a_table.calls += 1
    return "| a |\n| --- |\n| 1 |"


def test_a_table_is_rendered_once_then_read_from_the_cache(registered, monkeypatch):
    # A table may run an experiment (the race on /beyond/): a rebuild must not run it again.
    monkeypatch.setattr(values, "TABLES", {**values.TABLES})
    _a_table.calls = 0
    values.table("test-table")(_a_table)
    assert values.fill("[[table: test-table]]") == values.fill("[[table: test-table]]")
    assert values.fill("[[table: test-table]]").endswith("| 1 |")
    assert _a_table.calls == 1


def test_the_cache_key_follows_the_code_of_the_snippets_a_value_uses():
    # step_sizes(grads, step=adam_step): snippets.adam is reached through a default.
    spec = values.load_all()["step-bound-tenfold"]
    used = figures._modules_used(spec.compute)
    assert {"snippets.second_moment", "snippets.adam"} <= used


def test_a_build_fails_on_an_unknown_value(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nIt reaches [[value: no-such]].\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nmarkdown_extensions:\n  - snippets.values\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q"], cwd=tmp_path,
        capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "[[value: no-such]] names no registered value" in result.stderr


def _references() -> dict[str, set[str]]:
    """Every value named by a page, a notebook or a figure, with where."""
    found: dict[str, set[str]] = {}
    for path in SOURCES:
        for name in values.REFERENCE.findall(path.read_text()):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    for spec in figures.load_all().values():
        for name in values.REFERENCE.findall(f"{spec.alt} {spec.caption or ''}"):
            found.setdefault(name, set()).add(f"figure {spec.name}")
    return found


def test_every_reference_names_a_registered_value():
    unknown = {n: w for n, w in _references().items() if n not in values.load_all()}
    assert not unknown, f"references to no registered value: {unknown}"


def test_every_registered_value_is_stated_somewhere():
    # A value that no page states any more was renamed or dropped from its page.
    unused = sorted(set(values.load_all()) - set(_references()))
    assert not unused, f"values no page, notebook or figure states: {unused}"


def test_the_built_site_shows_numbers_never_markers(built):
    marker = re.compile(r"\[\[\s*value:")
    for path in built.site.rglob("*"):
        if path.suffix in {".html", ".json", ".ipynb", ".xml"}:
            assert not marker.search(path.read_text()), f"{path}: an unfilled [[value: ...]]"
    bias_correction = (built.site / "bias-correction" / "index.html").read_text()
    first_step = values.text("bias-correction-first-step")
    for meta in ('name="description"', 'property="og:description"', 'name="twitter:description"'):
        assert re.search(rf'<meta {meta} content="[^"]*first step {first_step}\s+times',
                         bias_correction), f"{meta} is not filled"
    second_moment = (built.site / "second-moment" / "index.html").read_text()
    reaches = values.text("step-bound-tenfold")
    assert f"the step reaches {reaches}, above the bound" in second_moment  # the alt text


def test_a_rebuild_computes_no_value(built):
    # number() computes only what is not in the cache under the key of its code: the
    # clean build left every value it filled there, so a rebuild computes none.
    cached = {p.name for p in (built.cache / "values").glob("*.json")}
    for name in _references():
        assert values.cache_path(name).name in cached, f"{name}: not cached by the build"


def test_caching_a_value_keeps_the_cache_of_a_name_it_begins(registered):
    registered("test-memory-0999")(lambda: 1000.0)
    registered("test-memory")(lambda: 20.0)
    values.number("test-memory-0999")
    values.number("test-memory")  # replaces its own older files only
    assert values.cache_path("test-memory-0999").exists()
