"""Numbers typed into prose are choices, never results.

A result (a step size, a loss, a ratio, a count) is written ``[[value: name]]`` and
computed by ``snippets/`` (see snippets/values.py). A number that stays typed in a
page's prose, tables, math, ``description:`` or the alt text and captions of its
figures must be a choice or a definition, and the page says which in its front
matter (a notebook in its jupytext header), grouped by why it is typed:

    typed_numbers:
      Adam's defaults (Algorithm 1): [0.001, 0.9, 0.999, 1e-8]
      the experiment's settings (steps, learning rate): [5000, 0.05]
      citations (years, sections): [2015, 2.1]

Whole numbers from 0 to 10 need no entry: they are the counts, indices, exponents
and constants of formulas (step 1, g², 1 − β₁) that fill any text about algebra.
Code blocks and what they print are checked by the page tests instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
import yaml

from snippets import figures

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("**/*.md"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
FIGURE = re.compile(r"^\[\[figure:\s*([a-z0-9-]+)\s*\]\]$", re.MULTILINE)

# What is not prose: code (fenced, indented in admonitions, or inline), HTML
# comments and tags, link targets, attribute lists and the build's markers.
NOT_PROSE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>```|~~~).*?^(?P=indent)(?P=fence)[ \t]*$"
    r"|`[^`\n]*`|<!--.*?-->|<[^>\n]+>|\]\([^)\n]*\)|\{[:#.][^}\n]*\}|\{ [^}\n]* \}"
    r"|\[\[(?:value|figure):[^\]]*\]\]|^\s*\[[^\]\n]+\]:\s*\S+.*$",
    re.DOTALL | re.MULTILINE,
)
# 10^{-8} and 10⁻⁸ are one number; a version or section like 0.2.8 stays as written.
POWER_OF_TEN = re.compile(r"(?:(\d+(?:\.\d+)?)\s*(?:\\times|×|\\cdot)\s*)?10\^\{?([-−]?\d+)\}?")
UNICODE_POWER = re.compile(r"(?:(\d+(?:\.\d+)?)\s*×\s*)?10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)")
NUMBER = re.compile(
    r"(?<![\w.\\])[-−]?\d[\d,]*(?:\.\d+)*(?:[eE][-+]?\d+)?(?![\w]|\.\d)"
)
FROM_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def canonical(token) -> str:
    """One spelling per number: 0.10 and 0.1, 1e-8 and 10^{-8} are the same entry."""
    text = str(token).replace(",", "").replace("−", "-")
    if text.count(".") > 1:
        return text  # a version or a section number
    number = float(text)
    return repr(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def numbers_in(prose: str) -> list[str]:
    """The numbers a reader sees in ``prose`` (Markdown with math), canonical."""
    found = []

    def power(m: re.Match, exponent: str) -> str:
        found.append(canonical(f"{m.group(1) or 1}e{exponent}"))
        return " "

    prose = POWER_OF_TEN.sub(lambda m: power(m, m.group(2).replace("−", "-")), prose)
    prose = UNICODE_POWER.sub(lambda m: power(m, m.group(2).translate(FROM_SUPERSCRIPT)), prose)
    found += [canonical(t.rstrip(",")) for t in NUMBER.findall(prose)]
    return found


def declared(meta: dict, where: str) -> dict[str, str]:
    """The page's typed numbers, canonical, each with the reason it gives."""
    groups = meta.get("typed_numbers") or {}
    assert isinstance(groups, dict), f"{where}: typed_numbers maps a reason to a list"
    reasons = {}
    for reason, numbers in groups.items():
        assert isinstance(numbers, list), f"{where}: {reason!r} must list numbers"
        for number in numbers:
            reasons[canonical(number)] = reason
    return reasons


def figure_text(markdown: str) -> str:
    """The alt text and captions of the figures a page places."""
    registry = figures.load_all()
    specs = [registry[name] for name in FIGURE.findall(markdown) if name in registry]
    return "\n".join(f"{spec.alt}\n{spec.caption or ''}" for spec in specs)


def page_prose(path: Path) -> tuple[dict, str]:
    """A page's or notebook's front matter and every text of it a reader sees."""
    if path.suffix == ".md":
        text = path.read_text()
        match = FRONT_MATTER.match(text)
        meta = yaml.safe_load(match.group(1)) if match else {}
        body = text[match.end():] if match else text
    else:
        nb = jupytext.read(path, fmt="py:percent")
        meta = nb.metadata.get("jupyter", nb.metadata)
        body = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    description = meta.get("description") or ""
    prose = NOT_PROSE.sub(" ", f"{description}\n{body}\n{figure_text(body)}")
    return meta, prose


SOURCES = PAGES + NOTEBOOKS


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_typed_number_is_a_declared_choice(path: Path):
    where = path.relative_to(ROOT)
    meta, prose = page_prose(path)
    reasons = declared(meta, str(where))
    seen = numbers_in(prose)
    typed = {n for n in seen if not (re.fullmatch(r"-?\d+", n) and abs(int(n)) <= 10)}
    results = sorted(typed - set(reasons), key=lambda n: (len(n), n))
    assert not results, (
        f"{where}: typed numbers that are neither a value nor a declared choice: "
        f"{', '.join(results)}. A result is written [[value: name]] (snippets/values.py); "
        "a choice or definition is listed under typed_numbers in the front matter, "
        "with the reason it is typed."
    )
    stale = sorted(set(reasons) - set(seen))
    assert not stale, f"{where}: typed_numbers lists numbers the page no longer has: {stale}"


def test_a_result_typed_by_hand_is_found():
    page = "With $\\beta_1 = 0.9$ the step reaches 5.19 `x = 7.5` [[value: a-b]]."
    prose = NOT_PROSE.sub(" ", page)
    assert numbers_in(prose) == ["0.9", "5.19"]  # not the 1 of beta_1: a subscript


def test_powers_of_ten_and_separators_are_one_number():
    assert numbers_in(r"$\varepsilon = 10^{-8}$, 1.2 × 10⁻⁸ and 39,000 steps") == [
        "1e-08", "1.2e-08", "39000",
    ]
    assert numbers_in("optax 0.2.8, section 8.5.3") == ["0.2.8", "8.5.3"]
