"""Layer 4 (snippets/bias_correction.py): why Adam divides by 1 - beta**t."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from snippets import bias_correction
from snippets.adam import adam_step
from snippets.bias_correction import adam_lines, moment_runs, without_correction
from snippets.optimizers import adam_step_no_bias_correction
from snippets.second_moment import fast_step_sizes, step_sizes


def test_averages_of_a_constant_gradient_hold_one_minus_beta_power_t_of_it():
    m, v = moment_runs(mean=2.0, std=0.0, steps=50, runs=3)
    t = np.arange(1, 51)[:, None]
    np.testing.assert_allclose(m, 2.0 * (1 - 0.9**t) * np.ones(3), rtol=1e-12)
    np.testing.assert_allclose(v, 4.0 * (1 - 0.999**t) * np.ones(3), rtol=1e-12)


def test_random_averages_are_shrunk_by_one_minus_beta_power_t_in_expectation():
    mean, std, runs = 0.5, 1.0, 200_000
    m, v = moment_runs(mean, std, steps=10, runs=runs, seed=7)
    t = np.arange(1, 11)
    standard_error_m = m.std(axis=1) / np.sqrt(runs)
    assert np.all(np.abs(m.mean(axis=1) - (1 - 0.9**t) * mean) < 4 * standard_error_m)
    standard_error_v = v.std(axis=1) / np.sqrt(runs)
    expected_v = (1 - 0.999**t) * (mean**2 + std**2)
    assert np.all(np.abs(v.mean(axis=1) - expected_v) < 4 * standard_error_v)


@pytest.mark.parametrize("g", [0.1, -2.0, 50.0])
def test_without_correction_the_first_step_is_3_16_lr_with_it_exactly_lr(g):
    bound = (1 - 0.9) / np.sqrt(1 - 0.999)
    assert step_sizes([g], step=without_correction)[0] == pytest.approx(bound, rel=1e-4)
    assert step_sizes([g])[0] == pytest.approx(1.0, rel=1e-4)


def test_uncorrected_steps_of_a_constant_gradient_peak_at_6_57_lr_at_step_12():
    sizes = step_sizes(np.full(50, 0.3), step=without_correction)
    t = np.arange(1, 51)
    np.testing.assert_allclose(sizes, (1 - 0.9**t) / np.sqrt(1 - 0.999**t), rtol=1e-5)
    assert sizes.argmax() + 1 == 12 and sizes.max() == pytest.approx(6.5685, abs=1e-4)


def test_corrected_steps_of_a_constant_gradient_are_all_lr():
    np.testing.assert_allclose(step_sizes(np.full(300, 0.3)), 1.0, rtol=1e-6)


def test_the_step_without_correction_does_not_depend_on_t():
    args = (np.zeros(2), np.array([0.3, -1.0]), np.full(2, 0.1), np.full(2, 0.2))
    first = without_correction(*args, t=1)
    later = without_correction(*args, t=1000)
    for a, b in zip(first, later, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("t", [1, 2, 7, 1000])
def test_adam_lines_are_adam_step_and_the_uncorrected_step_bit_for_bit(t):
    """The page's short block is the reference arithmetic, with and without the two lines."""
    rng = np.random.default_rng(t)
    params, grads = rng.normal(size=5), rng.normal(size=5) * 10.0 ** rng.integers(-3, 4, 5)
    m, v = rng.normal(size=5), rng.random(5)
    for a, b in zip(adam_lines(params, grads, m, v, t, lr=0.01),
                    adam_step(params, grads, m, v, t, lr=0.01), strict=True):
        assert np.array_equal(a, b)
    for a, b in zip(adam_lines(params, grads, m, v, t, lr=0.01, bias_correction=False),
                    adam_step_no_bias_correction(params, grads, m, v, lr=0.01), strict=True):
        assert np.array_equal(a, b)


def test_the_highlighted_lines_of_the_short_block_are_the_two_corrections():
    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "bias-correction.md").read_text()
    fence = re.search(
        r'hl_lines="([\d ]+)"\n\s*--8<-- "snippets/bias_correction.py:the_difference"', page)
    assert fence, "the short block no longer highlights its lines"
    source = (root / "snippets" / "bias_correction.py").read_text()
    section = source.split("# --8<-- [start:the_difference]\n")[1].split("# --8<-- [end:")[0]
    lines = section.strip("\n").splitlines()
    assert len(lines) <= 15
    shown = [lines[int(n) - 1].strip() for n in fence.group(1).split()]
    assert [line.split("#")[0].strip() for line in shown] == [
        "m_hat = m / (1 - beta1**t)", "v_hat = v / (1 - beta2**t)"]
    # The text quotes the same two lines inline.
    for line in shown:
        assert f"`{line.split('#')[0].strip()}`" in page


# -- Claims -----------------------------------------------------------------------------


def _uncorrected_formula(t):
    """The uncorrected step of a constant gradient, in units of lr, derived by hand."""
    return (1 - 0.9**t) / np.sqrt(1 - 0.999**t)


@pytest.mark.parametrize("g", [0.05, -0.3, 40.0])
def test_claim_uncorrected_steps_start_too_large_not_too_small(says, g):
    says("bias-correction.md", "that is [[value: bias-correction-first-step]] $\\alpha$ with the "
         "defaults: too large, not too small.")
    says("bias-correction.md", "Both averages are too small, but the step divides one by the "
         "other, and the one in the denominator, $\\sqrt{v_t}$, is further from full")
    first = step_sizes([g], step=without_correction)[0]
    assert first == pytest.approx(1 / np.sqrt(1 - 0.999) * (1 - 0.9), rel=1e-5)  # eps aside
    assert first > 3  # too large, not too small
    assert bias_correction.first_step() == pytest.approx(first, rel=1e-5)
    # Both averages are too small: m_1 by 1 - beta1, sqrt(v_1) by sqrt(1 - beta2), much less.
    m, v = moment_runs(abs(g), 0.0, steps=1, runs=1)
    assert m[0, 0] / abs(g) == pytest.approx(0.1) and np.sqrt(v[0, 0]) / abs(g) < 0.1 / 3


def test_claim_the_first_step_is_not_the_worst(says):
    says("bias-correction.md", "The first step is not the worst.")
    t = np.arange(1, 51)
    sizes = step_sizes(np.full(50, 0.3), step=without_correction)
    np.testing.assert_allclose(sizes, _uncorrected_formula(t), rtol=1e-5)  # eps aside
    assert sizes.max() > 2 * sizes[0]
    assert bias_correction.peak_t() == t[np.argmax(_uncorrected_formula(t))] == 12
    assert bias_correction.peak_step() == pytest.approx(_uncorrected_formula(12), rel=1e-5)


def test_claim_from_there_on_the_correction_changes_the_step_by_less_than_1_percent(says):
    says("bias-correction.md", "and comes within 1 % of it only from step "
         "[[value: bias-correction-step-within-1-percent]]. From there on the correction "
         "changes the step by less than 1 %.")
    start = bias_correction.step_within_1_percent()
    t = np.arange(1, 100_001)
    ratio = _uncorrected_formula(t)
    assert ratio[start - 2] >= 1.01 and np.all(ratio[start - 1:] < 1.01)
    # Not "indistinguishable from 1" at step 3000: 2.6 % too long there.
    assert bias_correction.step_3000() == pytest.approx(_uncorrected_formula(3000), rel=1e-6)
    assert _uncorrected_formula(3000) > 1.02
    # v_t is within 1 % of full later still; m_t within a few dozen steps.
    assert bias_correction.v_within_1_percent() == np.argmax(1 - 0.999**t >= 0.99) + 1
    assert bias_correction.m_within_1_percent() == np.argmax(1 - 0.9**t >= 0.99) + 1
    assert bias_correction.m_within_1_percent() < 50 < start < bias_correction.v_within_1_percent()


def test_claim_divided_by_one_minus_beta_power_t_both_averages_are_right_from_the_first_step(
        says):
    says("bias-correction.md", "both\naverages are right from the first step")
    mean, std, runs = 0.5, 1.0, 200_000
    m, v = moment_runs(mean, std, steps=10, runs=runs, seed=11)
    t = np.arange(1, 11)[:, None]
    m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
    assert np.all(np.abs(m_hat.mean(axis=1) - mean) < 4 * m_hat.std(axis=1) / np.sqrt(runs))
    second = mean**2 + std**2
    assert np.all(np.abs(v_hat.mean(axis=1) - second) < 4 * v_hat.std(axis=1) / np.sqrt(runs))


def test_claim_the_correction_does_not_make_the_averages_reliable(says):
    from math import erf, sqrt

    says("bias-correction.md", "Bias correction makes the averages right *on average*. It "
         "does not make them reliable")
    says("bias-correction.md", "Every parameter moves a full $\\alpha$ on the evidence of one\n"
         "sample")
    # First steps of 20,000 parameters whose gradients have mean 0.5 and spread 1: each moves
    # a full lr, and a wrong-signed gradient sends it the wrong way, P(g < 0) of them.
    g = np.random.default_rng(3).normal(0.5, 1.0, 20_000)
    first, _, _ = adam_step(np.zeros_like(g), g, np.zeros_like(g), np.zeros_like(g), t=1, lr=1.0)
    assert np.all((np.abs(first) > 0.99) & (np.abs(first) <= 1.0))  # g / (|g| + eps)
    wrong = np.mean(first > 0)  # moved up, against the mean gradient's descent direction
    assert wrong == pytest.approx(0.5 * (1 + erf(-0.5 / sqrt(2))), abs=0.01)  # about 31 %


def test_the_fast_runs_are_step_sizes_and_moment_runs_bit_for_bit():
    """The figures' runs give what the page's step_sizes and moment_runs give, to the bit."""
    grads = np.full(3000, 0.3)
    assert np.array_equal(bias_correction._uncorrected_steps(3000),
                          step_sizes(grads, step=without_correction))
    assert np.array_equal(bias_correction._corrected_steps(3000), step_sizes(grads))
    noisy = 0.3 + np.random.default_rng(2).standard_normal(500)
    assert np.array_equal(
        fast_step_sizes(noisy, step=without_correction, bias_correction=False),
        step_sizes(noisy, step=without_correction))
    for mean, std, steps, runs, seed in ((0.5, 1.0, 2000, 20, 2), (2.0, 0.0, 50, 3, 0)):
        assert np.array_equal(bias_correction._v_runs(mean, std, steps, runs, seed),
                              moment_runs(mean, std, steps, runs, seed)[1])


def test_claim_too_small_averages_make_too_large_steps(says):
    says("bias-correction.md", "Averages that are too small suggest timid first steps. That "
         "prediction is backwards. Both averages are too small")
    says("bias-correction.md", "after one step $m_1$ holds [[value: bias-correction-m-fill]] of "
         "the gradient, $\\sqrt{v_1}$ only [[value: bias-correction-sqrt-v-fill]] of its size")
    m, v = moment_runs(1.0, 0.0, steps=1, runs=1)
    assert m[0, 0] == pytest.approx(0.1) and np.sqrt(v[0, 0]) == pytest.approx(0.0316, abs=1e-4)
    assert bias_correction.sqrt_v_fill() == pytest.approx(np.sqrt(1 - 0.999))
    assert bias_correction.m_fill() == pytest.approx(1 - 0.9)
    # Too large: every step of the first 50 exceeds lr, and they grow before they shrink.
    t = np.arange(1, 51)
    sizes = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)
    assert np.all(sizes > 3) and sizes.max() > sizes[0]
    assert bias_correction.peak_step() == pytest.approx(sizes.max(), rel=1e-6)


def _valley_run(correct: bool, lr: float = 0.07, steps: int = 40, start=(-2.5, 1.0)):
    """Adam on the valley 0.5 * (x^2 + 25 y^2), written out here: the points it visits."""
    p = np.array(start, dtype=float)
    m, v, points = np.zeros(2), np.zeros(2), [p.copy()]
    for t in range(1, steps + 1):
        g = np.array([p[0], 25.0 * p[1]])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        m_hat, v_hat = (m / (1 - 0.9**t), v / (1 - 0.999**t)) if correct else (m, v)
        p = p - lr * m_hat / (np.sqrt(v_hat) + 1e-8)
        points.append(p.copy())
    return np.array(points)


def test_the_valley_runs_are_adam_with_and_without_the_correction():
    for correct in (False, True):
        np.testing.assert_allclose(bias_correction.valley_path(correct), _valley_run(correct),
                                   rtol=1e-12, atol=1e-12)
    steps = np.abs(np.diff(_valley_run(False), axis=0)) / 0.07
    assert bias_correction.path_largest_step() == pytest.approx(steps.max(), rel=1e-9)
    assert bias_correction.path_largest_t() == np.argmax(steps.max(axis=1)) + 1
    assert steps[0] == pytest.approx([(1 - 0.9) / np.sqrt(1 - 0.999)] * 2, rel=1e-6)
    assert bias_correction.path_overshoot() == pytest.approx(_valley_run(False)[:, 0].max())
    assert bias_correction.path_adam_largest_step() <= 1.0


def test_claim_the_uncorrected_runs_lower_loss_after_40_steps_is_the_settings_not_a_merit(says):
    says("bias-correction.md", "that is the\nsetting, not a merit of the missing correction: "
         "Adam's steps along the valley\nshrink as its slope flattens")
    says("bias-correction.md", "Run\n    100 steps and Adam is ahead")
    says("bias-correction.md", "though over longer\n    runs the two keep trading the lead.")
    loss_ = lambda p: 0.5 * (p[:, 0] ** 2 + 25 * p[:, 1] ** 2)  # noqa: E731
    adam_ahead = loss_(_valley_run(True, steps=300)) < loss_(_valley_run(False, steps=300))
    assert adam_ahead[100] and adam_ahead[100:].any() and not adam_ahead[100:].all()
    says("bias-correction.md", "runs\n[[value: bias-correction-path-overshoot]] past the "
         "minimum along the valley\nand loops back")
    loss = lambda p: 0.5 * (p[0] ** 2 + 25 * p[1] ** 2)  # noqa: E731
    uncorrected, adam = _valley_run(False), _valley_run(True)
    assert loss(uncorrected[-1]) < loss(adam[-1])
    assert bias_correction.path_loss_uncorrected() == pytest.approx(loss(uncorrected[-1]))
    assert bias_correction.path_loss_adam() == pytest.approx(loss(adam[-1]))
    # Adam's 40 steps fall short of the start's distance along the valley; and with 100
    # steps the ranking flips.
    # (40 steps of lr = 0.07 would cover 2.5: the steps shrink, from lr to under half of it.)
    assert 40 * 0.07 >= bias_correction.path_start_distance() > np.abs(adam[-1, 0] - adam[0, 0])
    assert bias_correction.path_adam_covered() == pytest.approx(adam[-1, 0] - adam[0, 0])
    last = abs(adam[-1, 0] - adam[-2, 0]) / 0.07
    assert bias_correction.path_adam_last_step() == pytest.approx(last) and last < 0.5
    longer_uncorrected, longer_adam = _valley_run(False, steps=100), _valley_run(True, steps=100)
    assert loss(longer_adam[-1]) < loss(longer_uncorrected[-1])
    assert bias_correction.path_loss_adam_longer() == pytest.approx(loss(longer_adam[-1]))
    assert bias_correction.path_loss_uncorrected_longer() == pytest.approx(
        loss(longer_uncorrected[-1]))
    # It overshoots the minimum along the valley (x > 0) and comes back.
    assert uncorrected[:, 0].max() > 0.5 and uncorrected[-1, 0] < uncorrected[:, 0].max()


def test_claim_without_the_correction_the_first_steps_are_set_by_the_betas_not_by_alpha(says):
    says("bias-correction.md", "Without the correction the first steps are a multiple of "
         "$\\alpha$ fixed by\n$\\beta_1$ and $\\beta_2$, not $\\alpha$ itself, and a start "
         "close to a good\npoint is thrown several $\\alpha$ away from it.")
    # Close to the minimum, with a tiny gradient, the first uncorrected step is 3.16 lr per
    # coordinate at any lr, and the run gets several lr away from its start; Adam's is lr.
    near = np.array([0.01, -0.002])
    for lr in (1e-4, 1e-3):
        uncorrected = _valley_run(False, lr=lr, steps=5, start=near)
        first = np.abs(uncorrected[1] - near) / lr
        assert first == pytest.approx([(1 - 0.9) / np.sqrt(1 - 0.999)] * 2, rel=1e-4)
        assert np.abs(uncorrected - near).max() / lr > 3
        adam = np.abs(_valley_run(True, lr=lr, steps=1, start=near)[1] - near) / lr
        assert adam == pytest.approx([1.0, 1.0], rel=1e-4)
    assert (1 - 0.99) / np.sqrt(1 - 0.999) < 1 < (1 - 0.9) / np.sqrt(1 - 0.999)  # the betas


# -- Exercises ---------------------------------------------------------------------------


def _uncorrected_closed_form(beta1, beta2, steps=2000):
    t = np.arange(1, steps + 1)
    return (1 - beta1**t) / np.sqrt(1 - beta2**t)


def test_exercise_with_beta1_099_the_first_step_is_too_small():
    sizes = _uncorrected_closed_form(0.99, 0.999)
    assert sizes[0] == pytest.approx(0.01 / np.sqrt(0.001)) and sizes[0] < 1
    assert bias_correction.exercise_first_step_beta1_099() == pytest.approx(sizes[0], rel=1e-5)
    assert bias_correction.exercise_peak_beta1_099() == pytest.approx(sizes.max(), rel=1e-5)
    assert bias_correction.exercise_peak_t_beta1_099() == sizes.argmax() + 1
    # m_1 holds 1 %, sqrt(v_1) 3.16 %: m is the emptier one this time.
    assert bias_correction.exercise_m_fill_beta1_099() == pytest.approx(1 - 0.99)
    assert bias_correction.exercise_m_fill_beta1_099() < bias_correction.sqrt_v_fill()


def test_exercise_with_beta2_099_the_first_step_is_lr_and_the_next_ones_are_not():
    sizes = _uncorrected_closed_form(0.9, 0.99)
    assert sizes[0] == pytest.approx(1.0)
    assert bias_correction.exercise_first_step_beta2_099() == pytest.approx(1.0, rel=1e-5)
    assert bias_correction.exercise_peak_beta2_099() == pytest.approx(sizes.max(), rel=1e-5)
    assert bias_correction.exercise_peak_t_beta2_099() == sizes.argmax() + 1
    assert sizes.max() > 2


def test_exercise_the_transformers_v_is_full_long_before_its_warmup_ends():
    full = int(np.ceil(np.log(0.01) / np.log(0.98)))
    assert 0.98**full <= 0.01 < 0.98 ** (full - 1)
    assert bias_correction.exercise_transformer_full() == full
    assert bias_correction.exercise_transformer_ratio() == round(4000 / full)


def test_the_playground_link_under_the_valley_figure_reproduces_it():
    """The preset's settings, run by the playground's race, give the figure's two paths."""
    from urllib.parse import parse_qs, urlsplit

    from snippets.playground import race
    from snippets.surfaces import SURFACES

    page = (Path(__file__).resolve().parents[1] / "docs" / "bias-correction.md").read_text()
    link = re.search(r"\[Try it in the playground\]\((playground\.md\?[^)]+)\)", page).group(1)
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert query["bias_correction"] == "off"
    settings = {"alpha": float(query["alpha"]), "steps": int(query["steps"])}
    surface = SURFACES[query["surface"]]
    off = race(surface, {**settings, "bias_correction": False})["adam"]
    on = race(surface, {**settings, "bias_correction": True})["adam"]
    assert np.array_equal(off, bias_correction.valley_path(False))
    assert np.array_equal(on, bias_correction.valley_path(True))
