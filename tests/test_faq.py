"""The FAQ (docs/faq.md): stable, unique anchors, a link in every answer, checked numbers.

Tutorials link to single answers (``faq/#nan-loss``), so the anchors below are a
promise: renaming one breaks links elsewhere, and this test, on purpose.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FAQ = ROOT / "docs" / "faq.md"

ANCHORS = [
    "what-is-adam", "name", "adam-vs-rmsprop", "per-parameter-learning-rate",
    "bias-correction", "first-step", "step-bound",
    "defaults", "learning-rate", "beta2", "beta1", "epsilon", "schedule", "warmup",
    "fine-tuning",
    "nan-loss", "half-precision", "loss-spikes", "no-convergence", "clipping",
    "loss-scale", "zero-gradient", "sparse-gradients",
    "adam-vs-adamw", "weight-decay-value", "checkpoint", "pytorch-state", "memory",
    "amsgrad",
    "pytorch-vs-keras", "reference-vs-pytorch",
]

QUESTION = re.compile(r'^\?\?\? question "(?P<title>[^"]+)"\n(?P<body>(?:    .*\n|\n)*)', re.M)
ANCHOR = re.compile(r"^\s*\{:? ?#(?P<id>[a-z0-9-]+) ?\}\s*$", re.M)


def questions() -> list[tuple[str, str]]:
    """(question, answer) pairs, in the order of the page."""
    return [(m["title"], m["body"]) for m in QUESTION.finditer(FAQ.read_text())]


def test_there_are_at_least_25_questions_each_with_exactly_one_anchor():
    pairs = questions()
    assert len(pairs) >= 25
    for title, body in pairs:
        ids = ANCHOR.findall(body)
        assert len(ids) == 1, f"{title!r} needs exactly one {{ #id }} line, has {ids}"


def test_the_anchors_are_the_promised_ones_unique_and_in_page_order():
    ids = [ANCHOR.search(body)["id"] for _, body in questions()]
    assert len(set(ids)) == len(ids)
    assert ids == ANCHORS


def test_the_anchor_is_on_the_first_paragraph_so_a_link_opens_the_answer():
    # Material opens a collapsed answer when the link's target is inside it: the id must
    # end the answer's first paragraph (attr_list puts it on that <p>).
    for title, body in questions():
        first = body.strip().split("\n\n")[0].splitlines()
        assert ANCHOR.match(first[-1]), f"{title!r}: put the id on its first paragraph"


def test_every_answer_links_to_a_page_that_exists():
    for title, body in questions():
        targets = re.findall(r"\]\(([a-z0-9-]+\.md)(?:#[a-z0-9-]+)?\)", body)
        assert targets, f"{title!r} links to no page"
        for target in targets:
            assert (ROOT / "docs" / target).exists(), f"{title!r} links to missing {target}"


def _numbers(text: str) -> set[str]:
    """Number tokens of a text, normalised: 10^{-8} -> 1e-8, 1e-05 -> 1e-5, 1,000 -> 1000."""
    text = re.sub(r"10\^\{?(-?\d+)\}?", r"1e\1", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    found = re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])", text)
    return {re.sub(r"e([-+]?)0*(\d)", r"e\1\2", n) for n in found}


def _site_prints_and_code() -> set[str]:
    """Every number the site's code prints (its expected outputs) or contains."""
    corpus = ""
    for page in (ROOT / "docs").glob("*.md"):
        if page != FAQ:
            corpus += "\n".join(re.findall(
                r"<!--pytest-codeblocks:expected-output-->\s*```text\n(.*?)```",
                page.read_text(), re.S))
    for module in (ROOT / "snippets").glob("*.py"):
        corpus += module.read_text()
    return _numbers(corpus)


def test_every_number_in_the_answers_is_one_the_site_prints_or_computes():
    known = _site_prints_and_code()
    for title, body in questions():
        prose = re.sub(r"\]\([^)]*\)|\{:? ?#[^}]*\}", "", body)  # no link targets, no ids
        unknown = {n for n in _numbers(prose)
                   if n not in known and not (n.isdigit() and int(n) <= 10)}
        assert not unknown, f"{title!r}: numbers no code on the site prints: {unknown}"


@pytest.mark.frameworks
def test_pytorch_names_m_v_and_t_as_the_answer_says():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: make frameworks")
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=0.1, amsgrad=True)
    p.grad = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    opt.step()
    state = opt.state[p]
    assert set(state) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert torch.allclose(state["exp_avg"], 0.1 * p.grad)  # m_1, not bias-corrected
    assert torch.allclose(state["exp_avg_sq"], 0.001 * p.grad**2)  # v_1
    assert float(state["step"]) == 1.0
