"""snippets/momentum.py: the EMA, heavy ball vs EMA form, momentum on the valley (/momentum/)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from snippets.momentum import (
    best_gd,
    best_momentum,
    ema,
    ema_weights,
    rate,
    steps_per_decade,
    steps_to,
)
from snippets.optimizers import SGD, EMAMomentum, HeavyBall, trajectory
from snippets.surfaces import BOWL, VALLEY

RNG = np.random.default_rng(42)


def spectral_radius(alpha: float, beta1: float, lam: float) -> float:
    """Long-run factor of EMA momentum, from the 2x2 matrix acting on (theta, m)."""
    # m' = beta1*m + (1-beta1)*lam*theta;  theta' = theta - alpha*m'
    step = np.array([
        [1 - alpha * (1 - beta1) * lam, -alpha * beta1],
        [(1 - beta1) * lam, beta1],
    ])
    return float(np.abs(np.linalg.eigvals(step)).max())


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_ema_of_a_constant_gradient_is_one_minus_beta_to_the_t(beta):
    t = np.arange(1, 51)
    assert np.allclose(ema(np.ones(50), beta), 1 - beta**t)


def test_ema_of_three_ones_is_0_271_as_the_page_prints():
    assert ema([1.0, 1.0, 1.0], 0.9).round(3).tolist() == [0.1, 0.19, 0.271]


def test_ema_weights_give_the_same_average_as_the_recursion():
    g = RNG.normal(size=30)
    w = ema_weights(30, 0.9)  # newest first
    assert np.sum(w * g[::-1]) == pytest.approx(ema(g, 0.9)[-1])
    assert w.sum() == pytest.approx(1 - 0.9**30)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_mean_age_of_the_ema_is_one_over_one_minus_beta(beta):
    w = ema_weights(20_000, beta)
    age = np.arange(1, w.size + 1)
    assert np.sum(w * age) / np.sum(w) == pytest.approx(1 / (1 - beta), rel=1e-9)


def test_ema_divides_the_noise_variance_by_one_plus_beta_over_one_minus_beta():
    noise = ema(np.random.default_rng(0).normal(size=200_000), 0.9)[1000:]
    assert noise.var() == pytest.approx((1 - 0.9) / (1 + 0.9), rel=0.05)


def test_ema_lags_a_steady_trend_by_beta_over_one_minus_beta_steps():
    t = np.arange(1, 2001)
    assert (t[-1] - ema(t.astype(float), 0.9)[-1]) == pytest.approx(9.0)


def test_heavy_ball_sum_is_the_ema_divided_by_one_minus_beta():
    beta = 0.9
    heavy = HeavyBall([np.zeros(3)], lr=0.0, momentum=beta)
    average = EMAMomentum([np.zeros(3)], lr=0.0, beta=beta)
    for _ in range(25):
        g = RNG.normal(size=3)
        heavy.step([g])
        average.step([g])
        assert np.allclose(heavy.b[0] * (1 - beta), average.m[0])


def test_heavy_ball_with_alpha_is_the_ema_form_with_alpha_over_one_minus_beta():
    a = trajectory(partial(HeavyBall, lr=0.01, momentum=0.9), VALLEY, steps=200)
    b = trajectory(partial(EMAMomentum, lr=0.1, beta=0.9), VALLEY, steps=200)
    assert np.allclose(a, b, rtol=0, atol=1e-12)


def test_ema_momentum_with_beta_zero_is_gradient_descent_exactly():
    a = trajectory(partial(EMAMomentum, lr=0.07, beta=0.0), VALLEY, steps=100)
    b = trajectory(partial(SGD, lr=0.07), VALLEY, steps=100)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("alpha, beta1, lam", [
    (0.075, 0.0, 25), (0.075, 0.5, 25), (0.075, 0.5, 1), (0.15, 0.5, 1),
    (0.15, 0.0, 25), (0.075, 0.9, 25), (1.0, 0.669, 0.1), (0.3, 0.99, 10),
])
def test_rate_is_the_spectral_radius_of_one_momentum_step(alpha, beta1, lam):
    assert rate(alpha, beta1, lam) == pytest.approx(spectral_radius(alpha, beta1, lam))


def test_rate_without_momentum_is_the_gradient_descent_factor():
    for alpha in (0.01, 0.07, 0.085):
        assert rate(alpha, 0.0, 25) == pytest.approx(abs(1 - 25 * alpha))


@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9, 0.99])
def test_momentum_is_stable_exactly_below_the_page_limit(beta1):
    limit = 2 * (1 + beta1) / ((1 - beta1) * 25)
    assert rate(0.99 * limit, beta1, 25) < 1 < rate(1.01 * limit, beta1, 25)


def test_the_valley_table_of_the_page():
    steps = {}
    for alpha in (0.075, 0.15):
        for beta1 in (0.0, 0.5):
            path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=300)
            steps[alpha, beta1] = steps_to(path, VALLEY)
    assert steps == {(0.075, 0.0): 96, (0.075, 0.5): 89, (0.15, 0.0): None, (0.15, 0.5): 36}


def test_momentum_damps_across_and_speeds_along_the_valley():
    # same alpha: faster across, not slower along; double alpha: faster along too
    assert rate(0.075, 0.5, 25) < rate(0.075, 0.0, 25)
    assert rate(0.075, 0.5, 1) <= rate(0.075, 0.0, 1)
    assert rate(0.15, 0.5, 1) < rate(0.075, 0.0, 1) - 0.1


@pytest.mark.parametrize("beta1", [0.5, 0.9, 0.99])
def test_no_learning_rate_beats_the_square_root_of_beta1(beta1):
    for alpha in np.geomspace(1e-3, 20, 200):
        assert max(rate(alpha, beta1, 25), rate(alpha, beta1, 1)) >= np.sqrt(beta1) - 1e-9


@pytest.mark.parametrize("kappa", [25, 100, 10_000])
def test_best_settings_reach_the_classical_rates(kappa):
    mu, L = 1.0, float(kappa)
    assert rate(best_gd(mu, L), 0.0, L) == pytest.approx((kappa - 1) / (kappa + 1))
    alpha, beta1 = best_momentum(mu, L)
    best = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    assert max(rate(alpha, beta1, L), rate(alpha, beta1, mu)) == pytest.approx(best, rel=1e-6)


def test_best_momentum_is_faster_on_the_bowl_and_0_9_suits_kappa_1442():
    alpha, beta1 = best_momentum(0.1, 10.0)
    assert alpha == pytest.approx(1.0)
    momentum = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), BOWL, steps=2000)
    descent = trajectory(partial(SGD, lr=best_gd(0.1, 10.0)), BOWL, steps=2000)
    assert (steps_to(momentum, BOWL), steps_to(descent, BOWL)) == (65, 407)
    assert best_momentum(1.0, 1442.0)[1] == pytest.approx(0.9, abs=1e-4)


def test_steps_per_decade_divides_the_loss_by_ten():
    factor = 0.98
    n = steps_per_decade(factor)
    assert (factor**2) ** n == pytest.approx(0.1)  # the loss scales as the distance squared
