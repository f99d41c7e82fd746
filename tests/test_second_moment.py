"""Layer 3 (snippets/second_moment.py): per-parameter step sizes from v."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.adam import Adam, adam_step
from snippets.optimizers import SGD, trajectory
from snippets.second_moment import scaled, step_sizes
from snippets.surfaces import BOWL


@pytest.mark.parametrize("size", [1e-4, 1e-2, 1.0, 1e2, 1e4])
def test_a_steady_gradient_moves_its_parameter_lr_per_step_whatever_its_size(size):
    np.testing.assert_allclose(step_sizes(np.full(20, size)), 1.0, rtol=1e-3)


@pytest.mark.parametrize("size, expected", [(1e-8, 0.5), (1e-7, 1 / 1.1), (1e-9, 1 / 11)])
def test_epsilon_shrinks_the_step_to_g_over_g_plus_epsilon(size, expected):
    np.testing.assert_allclose(step_sizes([size]), expected, rtol=1e-9)


def test_scaled_multiplies_the_loss_and_the_gradient():
    big = scaled(BOWL, 1e3)
    assert big.loss(1.0, 2.0) == pytest.approx(1e3 * BOWL.loss(1.0, 2.0))
    np.testing.assert_allclose(big.grad(1.0, 2.0), 1e3 * BOWL.grad(1.0, 2.0))


@pytest.mark.parametrize("c", [1e-3, 1e3])
def test_adam_takes_the_same_path_when_the_loss_is_scaled_and_sgd_does_not(c):
    base = trajectory(lambda p: Adam(p, lr=0.05), BOWL, steps=60)
    other = trajectory(lambda p: Adam(p, lr=0.05), scaled(BOWL, c), steps=60)
    assert np.abs(other - base).max() < 1e-4
    sgd = trajectory(lambda p: SGD(p, lr=0.18), BOWL, steps=60)
    sgd_scaled = trajectory(lambda p: SGD(p, lr=0.18), scaled(BOWL, c), steps=60)
    assert np.abs(sgd_scaled[-1] - sgd[-1]).max() > 0.4


def _paper_bound() -> float:
    return (1 - 0.9) / np.sqrt(1 - 0.999)


def _supremum() -> float:
    # Cauchy-Schwarz on m_hat / sqrt(v_hat) as t -> infinity, derived independently.
    return _paper_bound() / np.sqrt(1 - 0.9**2 / 0.999)


def test_a_lone_spike_after_long_silence_comes_within_half_a_percent_of_the_papers_bound():
    steps = step_sizes(np.r_[np.zeros(5000), 1.0])
    assert _paper_bound() * 0.995 < steps.max() < _paper_bound()


def test_a_tenfold_jump_in_the_gradient_breaks_the_papers_bound():
    steps = step_sizes(np.r_[np.ones(5000), np.full(200, 10.0)])
    assert steps.max() == pytest.approx(5.19, abs=0.01)
    assert steps.max() > _paper_bound()


def test_a_gradient_growing_by_beta2_over_beta1_approaches_the_true_supremum():
    grads = np.r_[np.zeros(5000), (0.999 / 0.9) ** np.arange(40)]
    assert _supremum() == pytest.approx(7.27, abs=0.005)
    assert 7.2 < step_sizes(grads).max() < _supremum()


def test_the_posts_example_2_parameters_move_the_same_distance():
    params, m, v = np.array([1.0, 2.0]), np.zeros(2), np.zeros(2)
    grads, moved = np.array([0.001, 1.0]), np.zeros(2)
    for i in range(10):
        new, m, v = adam_step(params, grads, m, v, i + 1, 0.01)
        moved += np.abs(new - params)
        params = new
        grads = grads / 5 if i % 2 == 0 else grads * 5
    assert moved[1] > moved[0]  # the larger gradient moves (a hair) farther, not slower
    assert (moved[1] - moved[0]) / moved[1] < 2e-5


def test_adams_per_parameter_steps_are_equal_where_sgds_are_a_million_apart():
    g = np.array([1e-3, 1.0, 1e3])
    theta, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for t in range(1, 101):
        theta, m, v = adam_step(theta, g, m, v, t, lr=0.01)
    np.testing.assert_allclose(-theta, 1.0, rtol=1e-4)


def test_the_bowl_race_distances_quoted_on_the_page():
    from snippets.optimizers import EMAMomentum, RMSProp

    racers = {
        "SGD": (lambda p: SGD(p, lr=0.18), 0.50),
        "momentum": (lambda p: EMAMomentum(p, lr=0.5, beta=0.9), 0.07),
        "RMSProp": (lambda p: RMSProp(p, lr=0.05, alpha=0.99), 0.00),
        "Adam": (lambda p: Adam(p, lr=0.05), 0.11),
    }
    for make, quoted in racers.values():
        assert np.hypot(*trajectory(make, BOWL, steps=60)[60]) == pytest.approx(quoted, abs=0.005)


def test_rmsprop_without_bias_correction_starts_with_steps_of_ten_lr():
    from snippets.optimizers import RMSProp

    path = trajectory(lambda p: RMSProp(p, lr=0.05, alpha=0.99), BOWL, steps=1)
    np.testing.assert_allclose(np.abs(path[1] - path[0]), 10 * 0.05, rtol=1e-6)
