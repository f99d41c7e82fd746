"""Layer 4 (snippets/bias_correction.py): why Adam divides by 1 - beta**t."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import bias_correction
from snippets.adam import adam_step
from snippets.bias_correction import moment_runs, without_correction
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


# -- Claims -----------------------------------------------------------------------------


def _uncorrected_formula(t):
    """The uncorrected step of a constant gradient, in units of lr, derived by hand."""
    return (1 - 0.9**t) / np.sqrt(1 - 0.999**t)


@pytest.mark.parametrize("g", [0.05, -0.3, 40.0])
def test_claim_uncorrected_steps_start_too_large_not_too_small(says, g):
    says("bias-correction.md", "So uncorrected steps start too large, not too small: both "
         "averages are too small, but the one in the denominator far more.")
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
