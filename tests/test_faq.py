"""The FAQ (docs/faq.md): stable, unique anchors, a link in every answer, checked numbers.

Tutorials link to single answers (``faq/#nan-loss``), so the anchors below are a
promise: renaming one breaks links elsewhere, and this test, on purpose.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from need import need

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
] + [  # In practice: /practice/ sections 1-5
    "weight-decay-exclusions", "checkpoint-lr", "skipping-bias-correction", "batch-size",
    "rotation",
] + [  # In practice: /practice/ sections 6-10
    "edge-of-stability", "generalization", "convergence-proof", "memory-precision",
    "sparse-adam",
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
        # no link targets, no ids, no values (computed by snippets/faq.py)
        prose = re.sub(r"\]\([^)]*\)|\{:? ?#[^}]*\}|\[\[value:[^\]]*\]\]", "", body)
        unknown = {n for n in _numbers(prose)
                   if n not in known and not (n.isdigit() and int(n) <= 10)}
        assert not unknown, f"{title!r}: numbers no code on the site prints: {unknown}"


@pytest.mark.frameworks
def test_pytorch_names_m_v_and_t_as_the_answer_says():
    torch = need("torch")
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=0.1, amsgrad=True)
    p.grad = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    opt.step()
    state = opt.state[p]
    assert set(state) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert torch.allclose(state["exp_avg"], 0.1 * p.grad)  # m_1, not bias-corrected
    assert torch.allclose(state["exp_avg_sq"], 0.001 * p.grad**2)  # v_1
    assert float(state["step"]) == 1.0


# Claims: each answer's sentence about what Adam does, and the numbers that show it --------

frameworks = pytest.mark.frameworks


def test_every_faq_number_is_a_value_and_a_shared_one_links_to_its_page():
    # The FAQ computes only what no other page does (snippets/faq.py); a number it
    # shares with another page is that page's value, and the answer links to the page.
    from snippets import values

    registered = values.load_all()
    names = set(values.REFERENCE.findall(FAQ.read_text()))
    assert names and names <= set(registered)
    assert {n for n in registered if n.startswith("faq-")} <= names
    pages = {page.name: page.read_text() for page in (ROOT / "docs").glob("*.md")}
    for title, body in questions():
        linked = set(re.findall(r"\]\(([a-z0-9-]+\.md)", body))
        for name in values.REFERENCE.findall(body):
            if registered[name].compute.__module__ == "snippets.faq":
                continue
            # the pages that state it, or else the page of the module that computes it
            stating = {page for page, text in pages.items()
                       if page != "faq.md" and f"[[value: {name}]]" in text} or {
                registered[name].compute.__module__.rsplit(".", 1)[-1]
                .removesuffix("_page").replace("_", "-") + ".md"}
            assert linked & stating, f"{title!r} states {name} but links none of {stating}"


def test_claim_adam_never_changes_the_learning_rate_you_set(says):
    says("faq.md", "Not the learning rate you set: Adam never changes it.")
    from snippets.adam import Adam

    w = np.ones(3)
    opt = Adam([w], lr=0.01)
    for g in ([1e-3, 1.0, 1e3], [-1e-3, 2.0, 0.0]) * 50:
        opt.step([np.array(g)])
    assert opt.lr == 0.01  # the step sizes differ per parameter, lr does not


@frameworks
def test_claim_torch_adam_keeps_param_groups_lr_and_only_a_scheduler_changes_it(says):
    says("faq.md", 'optimizer.param_groups[i]["lr"]` stays what you passed, step after step; '
         "only a scheduler (or your own code) changes it")
    torch = need("torch")
    p = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=0.01)
    for scale in (1e-3, 1.0, 1e3) * 20:  # gradients of very different sizes
        p.grad = scale * torch.sign(p.detach())
        opt.step()
    assert opt.param_groups[0]["lr"] == 0.01
    assert float(opt.state[p]["step"]) == 60
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    scheduler.step()
    assert opt.param_groups[0]["lr"] == 0.005


def test_claim_m_and_v_are_too_small_by_1_minus_beta_t_exactly_or_on_average(says):
    from snippets.adam import Adam

    says("faq.md", "too small by the factors $1-\\beta_1^t$ and $1-\\beta_2^t$: exactly if "
         "the gradients are constant, on average over runs if they are random with a "
         "distribution that does not change")
    t = np.arange(1, 51)
    # constant gradients: m_t = (1 - beta1^t) g and v_t = (1 - beta2^t) g^2, to rounding
    g = np.array([0.3, -2.0, 1e-3])
    opt = Adam([np.zeros(3)], lr=1e-3)
    for k in t:
        opt.step([g])
        np.testing.assert_allclose(opt.m[0], (1 - 0.9**k) * g, rtol=1e-12)
        np.testing.assert_allclose(opt.v[0], (1 - 0.999**k) * g**2, rtol=1e-12)
    # random gradients with a fixed distribution (mean 1, spread 2): 20,000 runs at once
    rng = np.random.default_rng(0)
    runs = 20_000
    opt = Adam([np.zeros(runs)], lr=1e-3)
    ms, vs = [], []
    for _ in t:
        opt.step([1.0 + 2.0 * rng.standard_normal(runs)])
        ms.append(opt.m[0].copy())
        vs.append(opt.v[0].copy())
    ms, vs = np.array(ms), np.array(vs)
    mean_g, mean_g2 = 1.0, 1.0 + 2.0**2
    np.testing.assert_allclose(ms.mean(1), (1 - 0.9**t) * mean_g, rtol=0.05)
    np.testing.assert_allclose(vs.mean(1), (1 - 0.999**t) * mean_g2, rtol=0.05)
    # in one run it is not the factor: the corrected m of a run is far from the mean
    assert np.abs(ms[:, 0] / (1 - 0.9**t) - mean_g).max() > 0.5


def test_claim_the_first_step_is_alpha_whatever_the_size_of_the_gradient(says):
    says("faq.md", "A gradient of $10^{-3}$ and one of $10^{3}$ move their weights equally far")
    from snippets.adam import Adam

    w = np.zeros(2)
    Adam([w], lr=0.1).step([np.array([1e-3, 1e3])])
    assert w == pytest.approx([-0.1, -0.1], rel=1e-4)  # eps / 1e-3 = 1e-5 apart


def test_claim_the_step_bound_is_not_a_theorem_and_the_ceiling_holds(says):
    from snippets import pitfalls, second_moment

    says("faq.md", "holds for a single large gradient but is not a theorem")
    assert second_moment.step_bound_paper() == pytest.approx(math.sqrt(10))
    assert second_moment.step_bound_spike() < second_moment.step_bound_paper()
    assert pitfalls.beta2_largest_0999() > second_moment.step_bound_paper()
    says("faq.md", "No gradient history can take them past")
    # the ceiling (1 - beta1) / sqrt((1 - beta2)(1 - beta1^2 / beta2)), beta1 = 0.9
    ceiling = {b2: 0.1 / math.sqrt((1 - b2) * (1 - 0.81 / b2)) for b2 in (0.999, 0.95)}
    assert second_moment.step_bound_supremum() == pytest.approx(ceiling[0.999])
    assert pitfalls.beta2_ceiling_095() == pytest.approx(ceiling[0.95])
    for beta2 in (0.999, 0.95):
        assert pitfalls.steps_after_growth(beta2).max() < ceiling[beta2]


def test_claim_beta2_095_lowers_the_ceiling_not_to_its_measured_maximum(says):
    # Review item 12: 1.10 is one experiment's largest step; the ceiling is higher.
    from snippets import pitfalls

    says("faq.md", "up to a ceiling that no gradient history can pass")
    assert pitfalls.beta2_largest_095() < pitfalls.beta2_ceiling_095()
    assert pitfalls.beta2_ceiling_095() > 1.15
    # a gradient growing geometrically gets closer to the ceiling than the jump does
    from snippets.adam import Adam

    w = np.zeros(1)
    opt = Adam([w], lr=1.0, betas=(0.9, 0.95))
    largest = 0.0
    for t in range(2000):
        before = w[0]
        opt.step([np.array([1.02**t])])
        largest = max(largest, before - w[0])
    assert pitfalls.beta2_largest_095() < largest < pitfalls.beta2_ceiling_095()


def test_claim_v_noise_and_memory_follow_beta2(says):
    from snippets import faq, pitfalls

    says("faq.md", "A long memory gives a smooth $v$ (for Gaussian gradients")
    assert (pitfalls.memory_0999(), pitfalls.memory_095()) == (1000, 20)
    assert faq.v_noise(0.95) == pytest.approx(pitfalls.beta2_noise_095())  # one formula
    noise = {0.999: faq.v_noise_default(), 0.95: pitfalls.beta2_noise_095()}

    rng = np.random.default_rng(0)
    g2 = rng.standard_normal(100_000) ** 2
    for beta2 in (0.999, 0.95):
        v, vs = 1.0, np.empty(len(g2))
        for i, x in enumerate(g2):
            v = beta2 * v + (1 - beta2) * x
            vs[i] = v
        assert vs[10_000:].std() / vs[10_000:].mean() == pytest.approx(noise[beta2], rel=0.15)
    assert noise[0.999] < noise[0.95] / 5


def test_claim_at_a_small_alpha_momentum_barely_lowers_the_loss_where_noisy_training_settles(
    says,
):
    from snippets.momentum import floor_drop_small, floor_halving_drop

    says("faq.md", "at a small learning rate, momentum barely lowers the loss at which noisy "
         "training settles")
    says("faq.md", "only close to the largest stable learning rate does it lower it a lot")
    # 400 independent runs of SGD with and without EMA momentum (beta1 = 0.9) on
    # f = (x^2 + 25 y^2) / 2 with gradient noise of spread 1, at alpha = 0.01 (an eighth
    # of SGD's limit 2/25) and at 0.07 (just under it).
    rng = np.random.default_rng(0)
    curv, runs = np.array([1.0, 25.0]), 400
    floors, direction_noise = {}, {}
    for alpha in (0.01, 0.07):
        for beta1 in (0.0, 0.9):
            theta, m, m_noise = (np.zeros((runs, 2)) for _ in range(3))
            losses, noise = [], []
            for t in range(3000):
                xi = rng.standard_normal((runs, 2))
                m = beta1 * m + (1 - beta1) * (curv * theta + xi)
                m_noise = beta1 * m_noise + (1 - beta1) * xi  # the noise part of m
                theta = theta - alpha * m
                if t >= 2000:  # settled (the slow direction's time scale is 100 steps)
                    losses.append(0.5 * (curv * theta**2).sum(1).mean())
                    noise.append(m_noise.std())
            floors[alpha, beta1], direction_noise[beta1] = np.mean(losses), np.mean(noise)
    for alpha in (0.01, 0.07):
        formula = alpha / 2 * (1 / (2 - alpha * curv)).sum()  # SGD's floor, landscape page
        assert floors[alpha, 0.0] == pytest.approx(formula, rel=0.1)
    assert direction_noise[0.9] < 0.3 * direction_noise[0.0]  # a less noisy direction
    # small alpha: barely lower, where halving alpha takes off nearly half ...
    assert 0.8 * floors[0.01, 0.0] < floors[0.01, 0.9] < 1.05 * floors[0.01, 0.0]
    assert floor_drop_small() < 0.1 and floor_halving_drop() > 0.45
    # ... close to the limit: a lot lower
    assert floors[0.07, 0.9] < 0.3 * floors[0.07, 0.0]


def test_claim_adams_steps_shrink_near_a_minimum_on_a_deterministic_problem(says):
    from snippets import faq, pitfalls
    from snippets.adam import Adam

    says("faq.md", "near a minimum Adam's steps do shrink at a constant $\\alpha$, because "
         "$\\hat v$ still remembers the larger gradients of the way down")
    losses, _, _ = faq.exact_run()
    assert faq.exact_step_early() > 0.5
    assert faq.exact_step_late() < 1e-6 * faq.exact_step_early()
    assert faq.exact_loss() < 1e-15
    # the run of the late spikes (pitfalls.train), loss for loss
    X, y, H = pitfalls.least_squares()
    assert np.array_equal(pitfalls.train(X, y, H, steps=2001, every=10**6)[0][1:],
                          losses[:2000])
    # the memory: sqrt(v_hat) is many orders of magnitude above the gradient it now sees
    w = np.zeros(X.shape[1])
    opt = Adam([w], lr=0.01)
    for _ in range(2000):
        g = X.T @ (X @ w - y) / len(y)
        opt.step([g])
    v_hat = opt.v[0] / (1 - 0.999**opt.t)
    assert np.median(np.sqrt(v_hat) / np.abs(g)) > 1e6
    # the loss reached the limit of float64 (the minimum is 0, the loss starts at ~6)
    says("faq.md", "with a constant $\\alpha$ the loss reached the limit of float64's precision")
    assert pitfalls.clip_every_exact_free() < 1e-28 * 0.5 * np.mean(y**2)


def test_claim_with_minibatch_gradients_the_steps_do_not_shrink_and_the_loss_settles(says):
    from snippets import faq, pitfalls

    says("faq.md", "With minibatch gradients the noise keeps $\\hat m/\\sqrt{\\hat v}$ from "
         "shrinking")
    excess, _, _ = faq.noisy_run()
    assert faq.noisy_step_late() > 1e6 * faq.exact_step_late()
    assert faq.noisy_step_late() > 0.05
    early, late = excess[2000:2500].mean(), excess[2500:].mean()
    assert late == pytest.approx(early, rel=0.5)  # a floor, not a slow descent
    # the clipping section's run without clipping: its value is this run's floor
    assert excess[2000:].mean() == pytest.approx(pitfalls.clip_every_noisy_free(), rel=1e-12)


def test_claim_clipping_at_every_step_does_change_adams_path(says):
    from snippets import faq, pitfalls, second_moment

    says("faq.md", "Clipping at every step does change Adam's path")
    says("faq.md", "With gradients clipped to norm 0.001 at every step")
    exact, steps, active = faq.exact_run(max_norm=1e-3)
    assert active == len(exact) == 3000  # the pitfalls page's run, clipped at every step
    # the pitfalls page's run, whose value is its loss to a power of ten
    magnitude = pitfalls.clip_every_exact_clipped()
    assert magnitude / 10 < exact[-1] < magnitude * 10
    assert faq.noisy_run(max_norm=1e-3)[2] == 3000
    assert pitfalls.clip_every_exact_clipped() > 1e20 * pitfalls.clip_every_exact_free()
    assert pitfalls.clip_every_noisy_clipped() > 2 * pitfalls.clip_every_noisy_free()
    # Adam's steps no longer shrink: late steps stay a sizeable fraction of alpha
    assert steps[-100:].mean() > 0.01
    # whereas one constant factor on every gradient changes (almost) nothing
    says("faq.md", "never differ from the unscaled one by more than")
    assert second_moment.scale_gap() < 1e-3


def test_claim_a_bad_batch_slows_adam_and_clipping_at_twice_the_norm_prevents_it(says):
    from snippets import pitfalls

    says("faq.md", "100 steps later Adam still moves only")
    assert pitfalls.clip_bad_after_100() < 0.5
    says("faq.md", "the bad batch is one slightly larger step, at most")
    clipped = pitfalls.steps_after_bad_batch(max_norm=2.0)
    assert pitfalls.clip_clipped_largest() == clipped[0]  # the bad batch's own step
    assert 1.0 < clipped[0] < 1.2
    assert clipped[1:] == pytest.approx(1.0, abs=0.1)


def test_claim_a_smaller_beta2_did_not_remove_the_late_spikes(says):
    from snippets import pitfalls

    says("faq.md", "Lowering $\\beta_2$ to $0.95$ did not help either: the loss then never "
         "settled and reached the same peaks")
    runs = pitfalls._spike_runs()  # the late spikes' runs (train, tested in test_pitfalls)
    plain, beta2 = runs["plain"][0][5000:], runs["beta2"][0][5000:]
    assert plain.max() > 1e-7  # the spikes
    assert beta2.max() > 0.1 * plain.max()  # the same peaks
    assert runs["beta2"][0].min() > 1e-10  # never settled


def test_claim_a_larger_eps_bounds_the_growth_a_decay_of_alpha_only_slows_it(says):
    from snippets import pitfalls

    limit = 2 * (1 + 0.9) / (1 - 0.9)
    says("faq.md", "a larger $\\varepsilon$, which caps $\\alpha/(\\sqrt{\\hat v} + "
         "\\varepsilon)$, removed the spikes, and it bounds the growth however long the run")
    X, y, H = pitfalls.least_squares()
    with pitfalls.lean_adam():
        losses, sharp = pitfalls.train(X, y, H, eps=1e-3, every=50)
    assert losses[5000:].max() < 1e-25
    bound = 0.01 * np.linalg.eigvalsh(H)[-1] / 1e-3  # alpha lambda_max / eps, at any step
    assert sharp.max() <= bound < limit
    says("faq.md", "A decay of $\\alpha$ only slows the growth down, and avoids the spikes only "
         "if $\\alpha$ falls fast enough compared with $\\sqrt{\\hat v}$")
    runs = pitfalls._spike_runs()
    cos, plain = runs["cosine"], runs["plain"]
    assert cos[1][399] < plain[1][399]  # slower: at step 4000
    assert cos[1][199] < cos[1][399] < cos[1][599]  # but growing, steps 2000 to 6000
    assert cos[0][5000:].max() < 1e-25  # over 10,000 steps: no spike, narrowly
    assert 0 < 1 - cos[1].max() / limit == pitfalls.spike_cosine_margin() < 0.01
    says("faq.md", "Over 15,000 steps the same cosine did not avoid them.")
    says("faq.md", "the same cosine over 15,000 steps let the loss spike back to about")
    losses, sharp = pitfalls._spike_stretched()
    assert len(losses) == 15_000 and sharp.max() > limit
    assert losses.min() < 1e-25 and losses[5000:].max() > 1e-7
    assert pitfalls.spike_stretched_peak() / 10 < losses[5000:].max() < 10 * (
        pitfalls.spike_stretched_peak())
    says("faq.md", "against the spikes a decay helps only if $\\alpha$ falls fast enough "
         "compared with $\\sqrt{\\hat v}$, and a larger $\\varepsilon$ bounds them")


def test_claim_float16_first_step_with_eps_1e4_is_g_over_eps(says):
    from snippets import pitfalls

    def first_step(grads, eps):
        return pitfalls.first_step(grads, np.float16, eps=eps)

    says("faq.md", "while $v$ rounds to 0 the first step is $\\alpha\\,|g|/\\varepsilon$ "
         "instead of $\\alpha$")
    g = pitfalls.all_float16()
    zero_v = g[g <= pitfalls.fp16_v_zero_below()]
    normal = zero_v[zero_v >= 1e-4]  # below, m = 0.1 g loses its digits in float16
    step = first_step(normal, 1e-4)
    assert step == pytest.approx(normal.astype(np.float64) / 1e-4, rel=0.03)
    assert pitfalls.fp16_eps_step() == pytest.approx(10, rel=1e-2)
    assert pitfalls.fp16_eps_worst() == first_step(g, 1e-4).max() > 50
    # just above the threshold v is no longer 0 and the step is about alpha (a coarse v)
    above = first_step(g[(g > pitfalls.fp16_v_zero_below()) & (g < 0.01)], 1e-4)
    assert above[0] < 1.0 and above.max() < 1.5
    # and with eps = 1e-8 (0 in float16): infinite up to the threshold, NaN at g = 0 and
    # where m = 0.1 g rounds to 0 as well
    says("faq.md", "the first step is infinite for every gradient up to")
    tiny = np.float16(0.1) * zero_v == 0
    with np.errstate(all="ignore"):
        step = first_step(zero_v, 1e-8)
        assert np.isinf(step[~tiny]).all() and np.isnan(step[tiny]).all()
        assert np.isnan(first_step([0.0], 1e-8)).all()
        assert np.isfinite(first_step(g[g > pitfalls.fp16_v_zero_below()][:100], 1e-8)).all()


def test_claim_a_zero_gradient_still_moves_a_weight(says):
    from snippets import pitfalls
    from snippets.adam import Adam

    says("faq.md", "a weight that got a gradient at step 1 and zeros after moved")
    rare = pitfalls.embedding_run(lazy=False)[:100, 1]  # its gradient at step 1, then 0s
    assert rare[0] == pytest.approx(1.0, rel=1e-6)
    assert pitfalls.sparse_coasting() == pytest.approx((rare[-1] - rare[0]) / rare[0])
    assert pitfalls.sparse_coasting() > 4
    w = np.zeros(1)  # the same weight alone: Adam is elementwise
    opt = Adam([w], lr=1e-3)
    for t in range(100):
        opt.step([np.array([1.0 if t == 0 else 0.0])])
    assert -w[0] / 1e-3 == pytest.approx(rare[-1], rel=1e-9)
    # momentum alone (v_hat held at step 1's) and v_hat's fall as the zeros come in
    says("faq.md", "Momentum alone, with $\\hat v$ held at its value of step 1, would give "
         "[[value: pitfalls-sparse-coasting-momentum]]; the rest comes from $\\hat v$")
    held = np.zeros(1)
    opt = Adam([held], lr=1e-3)
    opt.step([np.ones(1)])
    for t in range(2, 101):
        opt.v[0][:] = (1 - 0.999**t) / 0.999  # v_hat at step t: exactly 1, as at step 1
        opt.step([np.zeros(1)])
    momentum_alone = (-held[0] - 1e-3) / 1e-3
    assert pitfalls.sparse_coasting_momentum() == pytest.approx(momentum_alone, rel=1e-6)
    assert 1.5 < momentum_alone < 0.5 * pitfalls.sparse_coasting()
    says("faq.md", "by step 100 it is down to [[value: pitfalls-sparse-vhat-100]] of its first "
         "value")
    free = Adam([np.zeros(1)], lr=1e-3)  # v_hat_1 = g_1^2 = 1
    for t in range(1, 101):
        free.step([np.array([1.0 if t == 1 else 0.0])])
    v_hat_100 = free.v[0][0] / (1 - 0.999**100)
    assert pitfalls.sparse_vhat_100() == pytest.approx(v_hat_100, rel=1e-12)
    assert v_hat_100 < 0.02


def test_claim_l2_decays_by_alpha_over_sqrt_v_and_adamw_by_alpha_lambda(says):
    from snippets import pitfalls
    from snippets.adam import Adam

    says("faq.md", "Because L2 divides it by $\\sqrt{\\hat v}$ and AdamW does not. Both "
         "multiply $\\lambda$ by the learning rate")
    # From theta = 2 with no loss gradient: L2's step is alpha (lambda divided away by
    # sqrt(v_hat)); AdamW's is alpha * lambda * theta. Both scale with alpha.
    moves = {}
    for decoupled in (False, True):
        for lr in (0.1, 0.05):
            for wd in (0.05, 0.005):
                w = np.array([2.0])
                Adam([w], lr=lr, weight_decay=wd, decoupled_weight_decay=decoupled).step(
                    [np.zeros(1)])
                moves[decoupled, lr, wd] = 2.0 - w[0]
    assert moves[False, 0.1, 0.05] == pytest.approx(0.1, rel=1e-6)
    assert moves[False, 0.1, 0.005] == pytest.approx(0.1, rel=1e-6)  # lambda divided away
    assert moves[True, 0.1, 0.05] == pytest.approx(0.1 * 0.05 * 2, rel=1e-12)
    for decoupled in (False, True):
        assert moves[decoupled, 0.05, 0.05] == pytest.approx(moves[decoupled, 0.1, 0.05] / 2)
    # The pitfalls page's weights (gradients of size 1 and 0.001, flipping sign: no
    # pull), alpha = 0.001, lambda = 0.01, 5000 steps; AdamW's factor (1 - alpha lambda)^5000.
    says("faq.md", "a weight with small gradients is below 1% of its start by step")
    says("faq.md", "take [[value: pitfalls-decay-adamw-loss]] off a weight in 5000 steps")
    factor = (1 - 1e-3 * 0.01) ** 5000
    l2, adamw = pitfalls.decay_run(False), pitfalls.decay_run(True)
    assert np.abs(l2[pitfalls.decay_l2_gone(), 1]) < 0.01
    assert adamw[-1] == pytest.approx([factor, factor], abs=0.005)  # whatever the gradients
    assert pitfalls.decay_adamw_loss() == pytest.approx(1 - factor, abs=0.005)
    says("faq.md", "it decays a weight whose gradients are much larger than 1 far less than "
         "AdamW does")
    ends = {decoupled: 1 - pitfalls.decay_run(decoupled, scales=(100.0,))[-1, 0]
            for decoupled in (False, True)}  # how much a weight with gradients 100 lost
    assert ends[True] == pytest.approx(1 - factor, abs=0.005)
    assert ends[False] < 0.1 * ends[True]


def test_claim_with_the_state_the_resumed_run_is_the_uninterrupted_one(says):
    from snippets.adam import Adam

    says("faq.md", "with the state the resumed run is the uninterrupted one, bit for bit")
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((300, 4)) * np.array([1e-3, 1.0, 10.0, 0.1])
    w = np.zeros(4)
    opt = Adam([w], lr=0.01)
    for g in grads[:200]:
        opt.step([g])
    saved_w, saved = w.copy(), opt.state_dict()
    for g in grads[200:]:
        opt.step([g])
    resumed_w, fresh_w = saved_w.copy(), saved_w.copy()
    resumed, fresh = Adam([resumed_w], lr=0.01), Adam([fresh_w], lr=0.01)
    resumed.load_state_dict(saved)
    first = None
    for g in grads[200:]:
        resumed.step([g])
        fresh.step([g])
        first = fresh_w - saved_w if first is None else first
    assert np.array_equal(resumed_w, w)
    assert np.abs(first) == pytest.approx(0.01, rel=1e-4)  # a full step in every weight


def test_claim_the_state_is_twice_the_weights_three_times_with_amsgrad(says):
    from snippets import faq, pitfalls
    from snippets.adam import Adam

    says("faq.md", "with everything in float32, the optimizer state is twice the size of "
         "the weights, three times with AMSGrad")
    w = [np.zeros((100, 10), np.float32), np.zeros(10, np.float32)]
    for amsgrad, times in ((False, 2), (True, 3)):
        opt = Adam(w, amsgrad=amsgrad)
        state = opt.m + opt.v + (opt.v_max if amsgrad else [])
        assert sum(a.nbytes for a in state) == times * sum(p.nbytes for p in w)
    assert pitfalls.memory_bytes_per_parameter() == 2 + 2 + 4 + 2 * 4
    assert faq.memory_seven_billion() == 7 * pitfalls.memory_bytes_per_parameter() == 112
    # mixed precision: float32 state for 16-bit weights, 4 times their size
    says("faq.md", "With mixed precision, the state stays in float32 while the weights are in "
         "16 bits, so it is [[value: faq-memory-state-over-weights-mixed]] times their size")
    w16 = [np.zeros((100, 10), np.float16), np.zeros(10, np.float16)]
    opt = Adam([p.astype(np.float32) for p in w16])  # on the float32 master copy
    state = sum(a.nbytes for a in opt.m + opt.v)
    assert state == faq.memory_state_over_weights_mixed() * sum(p.nbytes for p in w16)
    assert faq.memory_state_over_weights_mixed() == 4


def _lazy_rare_steps(lr: float = 1e-3) -> np.ndarray:
    """The rare row's steps / lr under the lazy update, at its 10 gradients."""
    from snippets import pitfalls

    steps = np.diff(pitfalls.embedding_run(lazy=True, lr=lr)[:, 1], prepend=0.0)
    assert not steps.reshape(10, 100)[:, 1:].any()  # no move between its gradients
    return steps[::100]


def test_claim_a_lazy_update_lets_a_rare_rows_steps_grow(says):
    from snippets import pitfalls

    says("faq.md", "corrects their averages with the global step count, so a rare")
    steps = _lazy_rare_steps()
    assert steps[0] == pytest.approx(1.0, rel=1e-6)
    assert np.all(np.diff(steps) > 0)
    assert pitfalls.sparse_lazy_last_jump() == pytest.approx(steps.max())
    assert steps.max() > 4.5


@frameworks
@pytest.mark.filterwarnings("ignore:Sparse invariant checks")
def test_claim_the_lazy_update_is_torch_sparse_adam(says):
    torch = need("torch")
    says("faq.md", "The lazy update of `SparseAdam` touches only the rows in the batch")
    p = torch.nn.Parameter(torch.zeros(2, 1, dtype=torch.float64))
    opt = torch.optim.SparseAdam([p], lr=1.0)
    rare = []
    for t in range(1, 1001):  # row 0 in every batch, row 1 in every hundredth
        rows = [0, 1] if t % 100 == 1 else [0]
        before = float(p.detach()[1, 0])
        p.grad = torch.sparse_coo_tensor(
            torch.tensor([rows]), torch.ones(len(rows), 1, dtype=torch.float64), (2, 1))
        opt.step()
        if t % 100 == 1:
            rare.append(before - float(p.detach()[1, 0]))
        else:
            assert float(p.detach()[1, 0]) == -sum(rare)  # untouched when absent
    assert np.array(rare) == pytest.approx(_lazy_rare_steps(lr=1.0), rel=1e-12)


@frameworks
def test_claim_torch_adam_raises_on_sparse_gradients_and_points_to_sparse_adam(says):
    torch = need("torch")
    says("faq.md", "`torch.optim.Adam` does not take sparse gradients: with "
         "`nn.Embedding(sparse=True)` its step raises an error that points to "
         "`torch.optim.SparseAdam`")
    torch.manual_seed(0)
    embedding = torch.nn.Embedding(10, 3, sparse=True)
    opt = torch.optim.Adam(embedding.parameters())
    embedding(torch.tensor([1, 2])).sum().backward()
    assert embedding.weight.grad.is_sparse
    with pytest.raises(RuntimeError, match="SparseAdam"):
        opt.step()


@frameworks
def test_claim_optax_has_no_default_learning_rate_torch_and_keras_have_0_001(says):
    import inspect
    import os

    says("faq.md", "Optax has the same betas and $\\varepsilon$ but no default learning rate")
    says("faq.md", "and `torch.optim.Adam` uses all four")
    torch = need("torch")
    optax = need("optax")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = need("keras")

    def defaults(f):
        return {k: p.default for k, p in inspect.signature(f).parameters.items()}

    o = defaults(optax.adam)
    assert o["learning_rate"] is inspect.Parameter.empty
    assert (o["b1"], o["b2"], o["eps"]) == (0.9, 0.999, 1e-8)
    t = defaults(torch.optim.Adam)
    assert (t["lr"], t["betas"], t["eps"]) == (1e-3, (0.9, 0.999), 1e-8)
    says("faq.md", "its default is 0 here and 0.01 in `torch.optim.AdamW`")
    from snippets.adam import Adam

    assert defaults(torch.optim.AdamW)["weight_decay"] == 0.01
    assert defaults(Adam)["weight_decay"] == 0.0
    k = defaults(keras.optimizers.Adam)
    assert (k["learning_rate"], k["beta_1"], k["beta_2"], k["epsilon"]) == (
        0.001, 0.9, 0.999, 1e-7)


@pytest.fixture(scope="module")
def keras64():
    """Keras on JAX, computing in float64 (its learning rate included)."""
    import os

    need("jax")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = need("keras")
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend than JAX before this test")
    import jax

    jax.config.update("jax_enable_x64", True)
    return keras


def _keras_steps(keras, grads, start, **options) -> np.ndarray:
    keras.config.set_floatx("float64")
    try:
        w = keras.Variable(np.array(start, dtype=np.float64), dtype="float64")
        opt = keras.optimizers.Adam(**options)
        path = [np.array(w.value)]
        for g in grads:
            opt.apply([keras.ops.convert_to_tensor(np.asarray(g, dtype=np.float64))], [w])
            path.append(np.array(w.value))
    finally:
        keras.config.set_floatx("float32")
    return np.array(path)


@frameworks
def test_claim_keras_effective_eps_is_never_less_than_ten_times_pytorchs(says, keras64):
    torch = need("torch")
    from snippets.frameworks import keras_epsilon, keras_epsilon_ratio

    says("faq.md", "times PyTorch's $\\varepsilon$ at the first step and never less than "
         "ten times, however long the run")
    # A steady gradient g gives m_hat = g and v_hat = g^2, so a step is
    # lr * g / (g + eps_t): the step tells eps_t = g * (lr / step - 1).
    g, lr, steps = 1e-6, 1e-3, 300
    path = _keras_steps(keras64, [[g]] * steps, [0.0])
    keras_eps = g * (lr / -np.diff(path[:, 0]) - 1)
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p])
    torch_eps = []
    for _ in range(steps):
        before = p.item()
        p.grad = torch.full((1,), g, dtype=torch.float64)
        opt.step()
        torch_eps.append(g * (lr / (before - p.item()) - 1))
    assert np.array(torch_eps) == pytest.approx(1e-8, rel=1e-4)
    formula = [keras_epsilon(1e-7, t) for t in range(1, steps + 1)]
    assert keras_eps == pytest.approx(formula, rel=1e-6)
    assert keras_eps[0] / 1e-8 == pytest.approx(keras_epsilon_ratio(), rel=1e-6)
    assert np.all(np.diff(keras_eps) < 0)  # falls, towards its limit eps_hat = 1e-7
    assert min(keras_epsilon(1e-7, t) for t in np.geomspace(1, 1e7, 50).astype(int)) >= 1e-7
    assert keras_epsilon(1e-7, 10**7) == pytest.approx(10 * 1e-8)


@frameworks
def test_claim_weight_decay_is_l2_in_torch_adam_and_decoupled_in_keras(says, keras64):
    torch = need("torch")
    says("faq.md", "in `torch.optim.Adam` it is an L2 penalty, added to the gradient and "
         "divided by $\\sqrt{\\hat v}$, while in `keras.optimizers.Adam` it is decoupled "
         "weight decay, as in AdamW")
    # From w = 2 with a zero loss gradient, lr = 0.1, weight_decay = 0.05:
    # L2 normalises the decay gradient 0.05 * 2 to a whole step of lr; decoupled decay
    # moves w by lr * 0.05 * 2 = 0.01, as torch.optim.AdamW does.
    w = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1, weight_decay=0.05)
    w.grad = torch.zeros(1, dtype=torch.float64)
    opt.step()
    assert 2.0 - w.item() == pytest.approx(0.1, rel=1e-7)
    keras_path = _keras_steps(keras64, [[0.0]], [2.0], learning_rate=0.1, weight_decay=0.05)
    assert 2.0 - keras_path[1, 0] == pytest.approx(0.01, rel=1e-12)
    w = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=0.1, weight_decay=0.05)
    w.grad = torch.zeros(1, dtype=torch.float64)
    opt.step()
    assert w.item() == pytest.approx(keras_path[1, 0], rel=1e-12)


def test_claim_adams_noise_floor_falls_with_a_smaller_alpha_or_less_noise(says):
    from functools import partial

    from snippets.adam import Adam
    from snippets.landscape import loss_along
    from snippets.optimizers import trajectory
    from snippets.surfaces import VALLEY, noisy

    says("faq.md", "only a smaller\n    $\\alpha$ or less noise (larger minibatches) lowers it")

    def floor(lr, sigma):
        path = trajectory(partial(Adam, lr=lr), noisy(VALLEY, sigma), steps=8000)
        return loss_along(path, VALLEY)[3000:].mean()

    base = floor(0.01, 1.0)
    assert floor(0.005, 1.0) < 0.7 * base  # a smaller alpha
    assert floor(0.01, 0.5) < 0.7 * base  # less noise, as a 4x larger minibatch gives
