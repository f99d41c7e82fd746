"""Values: the numbers the pages state, computed by code and filled in at build time.

A value is a function of no arguments that returns one number, registered with
``@value(name, ...)`` and the format it is printed in. A page writes
``[[value: name]]`` where the number goes (in prose, a table, a figure's alt
text or caption, a ``description:``, a notebook's Markdown cell), so no result
is ever typed by hand and a figure cannot disagree with the sentence beside it:

    @value("first-step-uncorrected", digits=3, unit=" α")
    def first_step_uncorrected():
        return float(step_sizes(...)[0])

The Python-Markdown extension at the end of this module (``snippets.values`` in
``markdown_extensions``) fills the references. A computation is cached on disk
under a hash of the code it runs (as figures are), so a rebuild with no change
computes nothing. An unknown name, a value that raises and one that is not a
finite number each fail the build.
"""

from __future__ import annotations

import difflib
import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from markdown import Extension
from markdown.preprocessors import Preprocessor

from snippets.build_cache import cache_dir

REFERENCE = re.compile(r"\[\[value:\s*([^\]]*?)\s*\]\]")
NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class ValueReferenceError(Exception):
    """A reference that cannot be filled: the build stops with this message."""


@dataclass(frozen=True)
class Format:
    """How a value is printed: significant digits, fixed decimals or a whole number."""

    digits: int | None = 3
    decimals: int | None = None
    integer: bool = False
    percent: bool = False
    sci: bool = False
    unit: str = ""

    def __call__(self, x: float) -> str:
        if self.percent:
            x *= 100
        sign, x = ("-" if x < 0 else ""), abs(x)
        if self.integer:
            if x != round(x):
                raise ValueReferenceError(f"{x!r} is not a whole number")
            text = _grouped(f"{round(x)}")
        elif self.sci:
            mantissa, exponent = f"{x:.{self.digits - 1}e}".split("e")
            power = f"10{str(int(exponent)).translate(SUPERSCRIPT)}"
            text = power if mantissa == "1" else f"{mantissa} × {power}"
        elif self.decimals is not None:
            text = _grouped(f"{x:.{self.decimals}f}")
        else:
            text = _grouped(_significant(x, self.digits))
        return sign + text + ("%" if self.percent else "") + self.unit


def _significant(x: float, digits: int) -> str:
    """``x`` to ``digits`` significant digits, trailing zeros kept (1.10, 0.0500)."""
    if x == 0:
        return "0"
    places = digits - 1 - math.floor(math.log10(float(f"{x:.{digits - 1}e}")))
    return f"{round(x, places):.{max(places, 0)}f}"


def _grouped(text: str) -> str:
    """Thousands separated by commas from 10,000 up (1442, 39,000)."""
    whole, dot, fraction = text.partition(".")
    return (f"{int(whole):,}" if len(whole) > 4 else whole) + dot + fraction


@dataclass(frozen=True)
class ValueSpec:
    """A registered value: the function that computes it and how it is printed."""

    name: str
    compute: Callable[[], float]
    format: Format


REGISTRY: dict[str, ValueSpec] = {}


def value(
    name: str,
    *,
    digits: int = 3,
    decimals: int | None = None,
    integer: bool = False,
    percent: bool = False,
    sci: bool = False,
    unit: str = "",
) -> Callable:
    """Register ``compute()`` as the value ``name``, printed as the arguments say.

    ``digits`` significant digits (the default, 3), or ``decimals`` after the point,
    or ``integer`` (a whole number, else an error); ``percent`` prints 100 x with a
    ``%``; ``sci`` prints ``1.2 × 10⁻⁸``; ``unit`` is appended as written (" α").
    """
    if not NAME.match(name):
        raise ValueError(f"value name {name!r}: use lower-case words joined by '-'")
    if sum((decimals is not None, integer, sci)) > 1:
        raise ValueError(f"value {name!r}: choose one of decimals, integer and sci")
    fmt = Format(digits=digits, decimals=decimals, integer=integer, percent=percent,
                 sci=sci, unit=unit)

    def register(compute: Callable[[], float]) -> Callable[[], float]:
        known = REGISTRY.get(name)
        if known and known.compute.__qualname__ != compute.__qualname__:
            raise ValueError(f"value {name!r} is registered twice")
        REGISTRY[name] = ValueSpec(name, compute, fmt)
        return compute

    return register


def load_all() -> dict[str, ValueSpec]:
    """Every registered value, with every module of ``snippets`` imported."""
    import snippets

    snippets.import_all()
    return REGISTRY


_computed: dict[str, float] = {}  # name -> number, for the rest of this build
_pending: dict[str, Callable] = {}  # name -> waits for a worker computing it


def _spec(name: str) -> ValueSpec:
    spec = REGISTRY.get(name) or load_all().get(name)
    if spec is None:
        close = difflib.get_close_matches(name, REGISTRY, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueReferenceError(f"[[value: {name}]] names no registered value{hint}")
    return spec


@functools.cache
def cache_path(name: str) -> Path:
    """Where the value is cached: under a hash of the code it runs."""
    from snippets.figures import code_key  # imports nothing heavy

    return cache_dir("values") / f"{name}-{code_key(_spec(name).compute, name)}.json"


def _compute_and_cache(name: str) -> float:
    try:
        x = float(_spec(name).compute())
    except Exception as error:
        raise ValueReferenceError(
            f"value {name!r} raised {type(error).__name__}: {error}"
        ) from error
    if not math.isfinite(x):
        raise ValueReferenceError(f"value {name!r} is {x}, not a finite number")
    _write_cache(cache_path(name), name, json.dumps(x))
    return x


def _write_cache(path: Path, name: str, content: str) -> None:
    """Write ``content`` to ``path`` (``<name>-<hash><suffix>``) and remove name's older files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f"{name}-*{path.suffix}"):
        # only this name's older files, not those of a name it is the start of (x-09, x-099)
        if re.fullmatch(rf"{re.escape(name)}-[0-9a-f]{{16}}{re.escape(path.suffix)}", stale.name):
            stale.unlink()
    path.write_text(content)


def compute_and_cache(names: list[str]) -> dict[str, float | str]:
    """Compute and cache ``names`` (in a worker process): each number, or why it failed."""
    results: dict[str, float | str] = {}
    for name in names:
        try:
            results[name] = _compute_and_cache(name)
        except ValueReferenceError as error:
            results[name] = str(error)
    return results


def uncached() -> list[str]:
    """The registered values that a build would have to compute."""
    return [name for name in load_all() if not cache_path(name).exists()]


def computed_elsewhere(names: list[str], wait: Callable[[], dict[str, float | str]]) -> None:
    """Take ``names``' numbers from ``wait()`` (what ``compute_and_cache`` returned)."""
    _pending.update(dict.fromkeys(names, wait))


def number(name: str) -> float:
    """The value ``name``, computed once per change of its code (cached on disk)."""
    if name in _computed:
        return _computed[name]
    path = cache_path(name)
    if name in _pending:
        result = _pending.pop(name)()[name]
        if isinstance(result, str):
            raise ValueReferenceError(result)
        x = result
    elif path.exists():
        x = json.loads(path.read_text())
    else:
        x = _compute_and_cache(name)
    _computed[name] = x
    return x


def text(name: str) -> str:
    """The value ``name`` as the pages print it."""
    x = number(name)  # fails first on an unknown name
    return REGISTRY[name].format(x)


TABLE = re.compile(r"^\[\[table:\s*([a-z0-9-]+)\s*\]\]$", re.MULTILINE)
TABLES: dict[str, Callable[[], str]] = {}


def table(name: str) -> Callable:
    """Register ``render()``, which returns a Markdown table read from a data file, as the
    table ``name``: a page writes ``[[table: name]]`` on a line of its own."""

    def register(render: Callable[[], str]) -> Callable[[], str]:
        TABLES[name] = render
        return render

    return register


def _table(name: str) -> str:
    """The table, cached on disk as a value is: under a hash of its code and of the data
    files in snippets/ (a table may read one, and may run experiments)."""
    render = TABLES.get(name) or (load_all() and TABLES.get(name))
    if render is None:
        raise ValueReferenceError(f"[[table: {name}]] names no registered table")
    from snippets.figures import code_key

    data = [path.read_text() for path in sorted(Path(__file__).parent.glob("*.json"))]
    path = cache_dir("tables") / f"{name}-{code_key(render, name, *data)}.md"
    if path.exists():
        return path.read_text()
    markdown = render()
    _write_cache(path, name, markdown)
    return markdown


def fill(markdown: str) -> str:
    """``markdown`` with every ``[[table: name]]`` and ``[[value: name]]`` filled in."""
    markdown = TABLE.sub(lambda m: _table(m.group(1)), markdown)
    return REFERENCE.sub(lambda m: text(m.group(1)), markdown)


class ValuesPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return fill("\n".join(lines)).split("\n")


class ValuesExtension(Extension):
    """Fills ``[[value: name]]`` before any other extension reads the page."""

    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        # Above pymdownx.snippets (32): the code it includes is shown as written.
        md.preprocessors.register(ValuesPreprocessor(md), "values", 40)


def makeExtension(**kwargs) -> ValuesExtension:  # noqa: N802 (Python-Markdown's name)
    return ValuesExtension(**kwargs)
