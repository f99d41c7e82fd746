"""Layer 4 (snippets/bias_correction.py): why Adam divides by 1 - beta**t."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.bias_correction import moment_runs, without_correction
from snippets.second_moment import step_sizes


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
