"""snippets/momentum.py: the EMA, heavy ball vs EMA form, momentum on the valley (/momentum/)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from snippets.momentum import (
    best_gd,
    best_momentum,
    bowl_steps,
    bowl_steps_gd,
    crossings_fast,
    ema,
    ema_final_step,
    ema_three_ones,
    ema_weights,
    factor_across,
    factor_across_gd_large,
    floor_drop_large,
    floor_drop_small,
    floor_halving_drop,
    floor_heavy_ratio,
    heavy_final_step,
    jitter,
    kappa_for_09,
    lag_09,
    lag_099,
    limit_09,
    noise_excess_max,
    noise_excess_mean_09,
    noise_excess_mean_099,
    noise_excess_spread_09,
    noise_excess_spread_099,
    noise_floor,
    noise_ratio_09,
    rate,
    stability_limit,
    steps_per_decade,
    steps_to,
    stretch_slowdown,
    stretch_slowdown_gd,
    swing_left_05,
    swing_left_gd,
    swing_period_05,
    ten_newest_share,
    tenth_fast,
    tenth_gd,
    valley_steps,
    valley_steps_fast,
    valley_steps_gd,
)
from snippets.optimizers import SGD, EMAMomentum, HeavyBall, trajectory
from snippets.surfaces import BOWL, NOISY_VALLEY, VALLEY

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


def valley_losses(alpha: float, beta1: float, steps: int) -> list[float]:
    """EMA momentum on 0.5 (x^2 + 25 y^2) from (-2.5, 1): the loss at every step, from
    the start, in plain floats (no snippets)."""
    x, y, mx, my = -2.5, 1.0, 0.0, 0.0
    losses = [0.5 * (x * x + 25 * y * y)]
    for _ in range(steps):
        mx, my = beta1 * mx + (1 - beta1) * x, beta1 * my + (1 - beta1) * 25 * y
        x, y = x - alpha * mx, y - alpha * my
        losses.append(0.5 * (x * x + 25 * y * y))
    return losses


def settling_step(alpha: float, beta1: float, steps: int, tol: float = 1e-6) -> int | None:
    """The step from which the loss stays below tol, counted backwards by a plain loop."""
    losses = valley_losses(alpha, beta1, steps)
    if not losses[-1] < tol:
        return None
    t = len(losses) - 1
    while t > 0 and losses[t - 1] < tol:
        t -= 1
    return t


@pytest.mark.parametrize("alpha, beta1", [
    (0.075, 0.0), (0.075, 0.5), (0.15, 0.5), (0.075, 0.9), (0.1, 0.9), (0.56, 0.9),
    (0.075, 0.99), (0.15, 0.0), (0.3, 0.5),
])
def test_steps_to_counts_from_the_step_the_loss_stays_below_the_tolerance(alpha, beta1):
    path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=3000)
    with np.errstate(over="ignore", invalid="ignore"):
        assert steps_to(path, VALLEY) == settling_step(alpha, beta1, 3000)


def test_steps_to_skips_a_dip_that_climbs_back_and_is_none_when_it_ends_above():
    # beta1 = 0.9 at 0.56 dips below 1e-6 first at step 73, settles only at 157
    path = trajectory(partial(EMAMomentum, lr=0.56, beta=0.9), VALLEY, steps=3000)
    losses = VALLEY.loss(path[:, 0], path[:, 1])
    first = int(np.argmax(losses < 1e-6))
    assert steps_to(path, VALLEY) > first + 50
    assert steps_to(path[: first + 2], VALLEY) is None  # ends above, after the dip
    assert steps_to(path, VALLEY, tol=np.inf) == 0
    assert steps_to(path, VALLEY, tol=-1.0) is None


# Claims: each checks that the page says it and that the numbers show it.


def stationary_loss(alpha: float, beta1: float, curvatures=(1.0, 25.0), sigma=1.0) -> float:
    """The exact average loss EMA momentum settles at on a noisy quadratic.

    On one coordinate the state (theta, m) follows s' = A s + b xi with xi standard
    normal; its stationary covariance P solves P = A P A^T + b b^T (a linear system).
    With beta1 = 0 this is SGD's noise floor; computed here without snippets.
    """
    total = 0.0
    for lam in curvatures:
        a = np.array([[1 - alpha * (1 - beta1) * lam, -alpha * beta1],
                      [(1 - beta1) * lam, beta1]])
        b = np.array([-alpha * (1 - beta1) * sigma, (1 - beta1) * sigma])
        cov = np.linalg.solve(np.eye(4) - np.kron(a, a), np.outer(b, b).ravel())
        total += 0.5 * lam * cov.reshape(2, 2)[0, 0]
    return total


def test_stationary_loss_without_momentum_is_the_landscape_page_formula():
    from snippets.landscape import noise_floor

    for alpha in (0.01, 0.04):
        assert stationary_loss(alpha, 0.0) == pytest.approx(noise_floor(alpha, [1, 25], 1.0))


def heavy_ball_stationary_loss(alpha: float, beta1: float, curvatures=(1.0, 25.0)) -> float:
    """The same for heavy ball, z' = beta1 z + g, theta' = theta - alpha z' (unit noise)."""
    total = 0.0
    for lam in curvatures:
        a = np.array([[1 - alpha * lam, -alpha * beta1], [lam, beta1]])
        b = np.array([-alpha, 1.0])
        cov = np.linalg.solve(np.eye(4) - np.kron(a, a), np.outer(b, b).ravel())
        total += 0.5 * lam * cov.reshape(2, 2)[0, 0]
    return total


@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9, 0.99])
def test_noise_floor_formula_is_the_exact_stationary_loss(beta1):
    for alpha in (0.001, 0.01, 0.04, 0.07, 0.079):
        if alpha < stability_limit(beta1):
            expected = stationary_loss(alpha, beta1)
            assert noise_floor(alpha, beta1, [1, 25], 1.0) == pytest.approx(expected, rel=1e-9)
            # the page's second form: alpha sigma^2 / 4 * sum 1 / (1 - alpha / alpha_i)
            limits = [stability_limit(beta1, lam) for lam in (1.0, 25.0)]
            assert alpha / 4 * sum(1 / (1 - alpha / lim) for lim in limits) == pytest.approx(
                expected, rel=1e-9)


def test_claim_momentum_barely_lowers_the_noise_floor_at_a_small_learning_rate(says):
    says("momentum.md", "At a small learning rate, hardly; close to gradient descent's "
         "limit $2/L$, a lot.")
    says("momentum.md", "well below the limit that is hardly less jitter")
    says("momentum.md", "what shrinks the jitter is a smaller $\\alpha$ or larger "
         "minibatches, not momentum")
    says("momentum.md", "!!! warning \"A cleaner direction is not a smaller jitter\" At a "
         "small learning rate, momentum hardly lets noisy SGD settle closer to the minimum")
    says("momentum.md", "(though, at a small learning rate, hardly less jitter)")
    # A less noisy direction: m_t keeps a quarter of the noise of g_t, or less.
    noise = ema(np.random.default_rng(1).normal(size=100_000), 0.9)[1000:]
    assert noise.std() < 0.25
    # Exactly, at alpha = 0.01 (an eighth of the limit) and below, momentum takes less
    # than a tenth off SGD's floor, where halving alpha takes off nearly half.
    for alpha in (0.001, 0.005, 0.01):
        sgd, momentum = stationary_loss(alpha, 0.0), stationary_loss(alpha, 0.9)
        assert 0.9 * sgd < momentum < sgd
        assert stationary_loss(alpha / 2, 0.0) < 0.55 * sgd
    assert floor_drop_small() == pytest.approx(
        1 - stationary_loss(0.01, 0.9) / stationary_loss(0.01, 0.0), rel=1e-9)
    assert floor_halving_drop() == pytest.approx(
        1 - stationary_loss(0.005, 0.0) / stationary_loss(0.01, 0.0), rel=1e-9)
    assert floor_drop_small() < 0.1 < 0.45 < floor_halving_drop()
    # ... and the runs the page shows agree with the exact floors.
    assert jitter(0.0) == pytest.approx(stationary_loss(0.01, 0.0), rel=0.1)
    assert jitter(0.9) == pytest.approx(stationary_loss(0.01, 0.9), rel=0.1)


def test_claim_near_gradient_descents_limit_momentum_lowers_the_noise_floor_a_lot(says):
    says("momentum.md", "At $\\alpha = 0.07$, just under the limit, it lowers it by")
    says("momentum.md", "momentum's limit is [[value: momentum-limit-ratio-09]] times higher, "
         "so at the same $\\alpha$ it is still far from its own")
    # At 0.07, just under SGD's limit 0.08, momentum's floor is under a quarter of SGD's,
    # exactly and in the runs the page shows; and the drop grows with alpha.
    sgd, momentum = stationary_loss(0.07, 0.0), stationary_loss(0.07, 0.9)
    assert momentum < 0.25 * sgd
    assert floor_drop_large() == pytest.approx(1 - momentum / sgd, rel=1e-9)
    drops = [1 - stationary_loss(a, 0.9) / stationary_loss(a, 0.0)
             for a in (0.01, 0.02, 0.04, 0.07, 0.079)]
    assert drops == sorted(drops) and drops[-1] > 0.95
    assert jitter(0.0, 0.07) == pytest.approx(sgd, rel=0.1)
    assert jitter(0.9, 0.07) == pytest.approx(momentum, rel=0.1)
    assert jitter(0.9, 0.07) < 0.25 * jitter(0.0, 0.07)
    assert stability_limit(0.9) / stability_limit(0.0) == pytest.approx(19)


def test_claim_heavy_ball_at_the_same_alpha_has_a_higher_noise_floor(says):
    says("momentum.md", "Heavy ball at the same $\\alpha$ takes the steps of the EMA form at "
         "$\\alpha/(1-\\beta_1)$, and its floor is higher")
    heavy = heavy_ball_stationary_loss(0.01, 0.9)
    assert heavy == pytest.approx(stationary_loss(0.1, 0.9), rel=1e-9)
    assert floor_heavy_ratio() == pytest.approx(heavy / stationary_loss(0.01, 0.0), rel=1e-9)
    assert floor_heavy_ratio() > 5


def test_the_noise_excess_of_one_run_averages_to_about_zero_over_seeds(says):
    says("momentum.md", "Repeated with 200 other seeds, the excess averages")
    assert abs(noise_excess_mean_09()) < 0.01 and abs(noise_excess_mean_099()) < 0.02
    # the page's run is within two run-to-run spreads of the formula
    assert noise_excess_max() < 2 * noise_excess_spread_099()
    assert noise_excess_spread_09() < noise_excess_spread_099()


def test_claim_beta1_0_5_still_swings_across_the_valley_in_a_damped_wave(says):
    says("momentum.md", "With $\\beta_1 = 0.5$ the path no longer flips sides at every step: "
         "it swings across the floor in a damped wave with a period of")
    says("momentum.md", "It still crosses the floor every one or two steps")
    y = trajectory(partial(EMAMomentum, lr=0.075, beta=0.5), VALLEY, steps=80)[:, 1]
    sides = np.sign(y)
    crossing = np.flatnonzero(sides[1:] != sides[:-1]) + 1
    assert len(crossing) > 10  # the swinging does not stop after two steps ...
    assert not np.all(sides[1:] != sides[:-1])  # ... but it does not flip every step
    # a full swing is two crossings: their spacing gives the period of the complex roots
    period = 2 * np.mean(np.diff(crossing))
    assert swing_period_05() == pytest.approx(period, rel=0.05)
    assert swing_left_05() < 0.05 < 0.2 < swing_left_gd()
    # At alpha = 0.15 it crosses every one or two steps and settles within a tenth first.
    y = trajectory(partial(EMAMomentum, lr=0.15, beta=0.5), VALLEY, steps=60)[:, 1]
    gaps = np.diff(np.flatnonzero(np.sign(y[1:]) != np.sign(y[:-1])))
    assert set(gaps.tolist()) <= {1, 2}
    assert tenth_fast() < tenth_gd() / 2
    assert crossings_fast() >= 3


def test_claim_momentum_lets_a_larger_learning_rate_converge_on_the_valley(says):
    says("momentum.md", "Momentum with $\\beta_1 = 0.5$, untuned, runs at $\\alpha = 0.15$, "
         "where gradient descent diverges")
    says("momentum.md", "So it can take a larger learning rate**: momentum with "
         "$\\beta_1 = 0.5$, untuned")
    assert 2 / 25 < 0.15 < 2 * (1 + 0.5) / ((1 - 0.5) * 25)  # above GD's limit, below momentum's
    gd = trajectory(partial(SGD, lr=0.15), VALLEY, steps=100)
    assert not np.isfinite(gd[-1]).all() or VALLEY.loss(*gd[-1]) > VALLEY.loss(*gd[0])
    fast = steps_to(trajectory(partial(EMAMomentum, lr=0.15, beta=0.5), VALLEY, steps=300),
                    VALLEY)
    slow = steps_to(trajectory(partial(SGD, lr=0.075), VALLEY, steps=300), VALLEY)
    assert fast is not None and slow is not None and fast < slow / 2
    assert (valley_steps_fast(), valley_steps_gd()) == (fast, slow)


def test_claim_at_the_same_learning_rate_momentum_damps_the_zig_zag(says):
    says("momentum.md", "At the same learning rate, momentum damps the zig-zag")
    says("momentum.md", "where the slope keeps its sign, its steps, once $m_t$ has filled, "
         "are as long as gradient descent's")

    def swing(beta1: float) -> float:  # how far from the floor the path still swings
        y = trajectory(partial(EMAMomentum, lr=0.075, beta=beta1), VALLEY, steps=30)[:, 1]
        return float(np.abs(y[20:]).max())

    assert swing(0.5) < swing(0.0) / 10
    assert spectral_radius(0.075, 0.5, 25) < spectral_radius(0.075, 0.0, 25)
    # On a steady slope (g = 1 at every step) the EMA's step tends to alpha, GD's step.
    assert ema(np.ones(200), 0.5)[-1] == pytest.approx(1.0)


def test_claim_beta1_0_9_is_slower_than_gradient_descent_on_the_valley(says):
    says("momentum.md", "on this valley it is *slower* than gradient descent")
    says("momentum.md", "in the long run each step keeps at least $\\sqrt{0.9}$")
    says("momentum.md", "steps until the loss stays below $10^{-6}$, against")
    # Whatever alpha, beta1 = 0.9 keeps sqrt(0.9) per step; GD at its best keeps 24/26.
    for alpha in np.geomspace(1e-3, 1.5, 100):
        assert max(spectral_radius(alpha, 0.9, 25), spectral_radius(alpha, 0.9, 1)) >= (
            np.sqrt(0.9) - 1e-9)
    assert np.sqrt(0.9) > (25 - 1) / (25 + 1)
    assert valley_steps(0.075, 0.9) > valley_steps(0.075, 0.0)
    # counted until the loss stays below 1e-6, as a plain loop counts it
    assert (valley_steps(0.075, 0.9), valley_steps(0.075, 0.0)) == (
        settling_step(0.075, 0.9, 3000), settling_step(0.075, 0.0, 3000))


def test_claim_beta1_0_99_dips_below_the_tolerance_long_before_it_stays_there(says):
    from snippets.momentum import valley_dip_099, valley_steps_099

    says("momentum.md", "With $\\beta_1 = 0.99$ the loss first dips below $10^{-6}$ at step")
    says("momentum.md", "then climbs back above it between dips until step")
    losses = valley_losses(0.075, 0.99, 3000)
    below = [t for t, loss in enumerate(losses) if loss < 1e-6]
    assert valley_dip_099() == below[0]
    assert valley_steps_099() == settling_step(0.075, 0.99, 3000)
    # between the first dip and the settling step the loss is above 1e-6 again, more than once
    above = [t for t in range(below[0], valley_steps_099()) if losses[t] >= 1e-6]
    runs = sum(1 for a, b in zip(above, above[1:], strict=False) if b > a + 1) + 1
    assert valley_steps_099() > valley_dip_099() + 500 and runs >= 3


def test_claim_the_valley_race_is_fair_to_gradient_descent_not_to_momentum(says):
    from snippets.momentum import valley_steps_tuned

    says("momentum.md", "at $\\alpha = 0.075$ just under its limit, about its fastest, it "
         "zig-zags for dozens of steps")
    says("momentum.md", "no learning rate of gradient descent is more than one step faster "
         "than 0.075, while $\\beta_1 = 0.5$ is not tuned")
    gd = settling_step(0.075, 0.0, 300)
    fastest = min(settling_step(a, 0.0, 300) or 10**9 for a in np.linspace(0.05, 0.0799, 300))
    assert gd - 1 <= fastest <= gd
    # Polyak's settings for curvatures 1 and 25: beta1 = 4/9, alpha = 0.2
    assert valley_steps_tuned() == settling_step(0.2, 4 / 9, 300)
    assert valley_steps_tuned() < valley_steps_fast()


def test_claim_momentum_s_factor_across_is_the_swing_s_envelope(says):
    says("momentum.md", "each step multiplies the swing's width by")
    says("momentum.md", "It is the factor of the swing's width, its envelope: within a swing "
         "the distance itself rises and falls")
    y = np.abs(trajectory(partial(EMAMomentum, lr=0.075, beta=0.5), VALLEY, steps=60)[:, 1])
    assert np.any(y[1:] > y[:-1])  # the distance across rises at times ...
    t = np.arange(y.size)
    bound = y / np.sqrt(0.5) ** t  # ... but stays under an envelope shrinking by sqrt(0.5)
    assert bound[20:].max() < 2 * bound[:20].max()
    assert bound[20:].max() > 0.1 * bound[:20].max()  # and not much faster
    assert factor_across() == pytest.approx(np.sqrt(0.5))


def test_claim_on_the_bowl_each_is_tuned_for_its_long_run_factor_not_for_speed(says):
    from snippets.momentum import bowl_steps_068, bowl_steps_gd_0196

    says("momentum.md", "each tuned for its best long-run factor, momentum needs")
    says("momentum.md", "not the fastest from this start. On the bowl, where $y$ starts with a "
         "hundred times the loss of $x$")

    def bowl_settles(alpha: float, beta1: float = 0.0, steps: int = 2000) -> int | None:
        """Plain-float EMA momentum on 0.5 (0.1 x^2 + 10 y^2) from (-1.5, 1.5)."""
        x, y, mx, my = -1.5, 1.5, 0.0, 0.0
        last_above = 0
        for t in range(1, steps + 1):
            mx, my = beta1 * mx + (1 - beta1) * 0.1 * x, beta1 * my + (1 - beta1) * 10 * y
            x, y = x - alpha * mx, y - alpha * my
            if not 0.5 * (0.1 * x * x + 10 * y * y) < 1e-6:
                last_above = t
        return None if last_above == steps else last_above + 1

    # Polyak's settings for curvatures 0.1 and 10: beta1 = (9/11)^2, alpha = 1
    assert (bowl_steps_gd(), bowl_steps()) == (bowl_settles(2 / 10.1), bowl_settles(1.0, 81 / 121))
    assert bowl_steps_gd_0196() == bowl_settles(0.196) < bowl_steps_gd()
    assert bowl_steps_068() == bowl_settles(1.0, 0.68) < bowl_steps()
    assert 0.5 * 10 * 1.5**2 == pytest.approx(100 * 0.5 * 0.1 * 1.5**2)


def test_claim_the_steps_per_tenfold_drop_are_long_run_rates(says):
    from snippets.momentum import first_decade_100, first_decade_10000

    says("momentum.md", "gradient descent needs in the long run")
    says("momentum.md", "Gradient descent's loss falls by the same factor at every step; "
         "momentum's starts slower: its first tenfold drop")
    for mu, L, first in [(0.1, 10.0, first_decade_100()), (0.01, 100.0, first_decade_10000())]:
        # gradient descent at 2 / (mu + L): both coordinates shrink by the same size of factor
        alpha = 2 / (mu + L)
        assert abs(1 - alpha * mu) == pytest.approx(abs(1 - alpha * L))
        # momentum (Polyak) from (-1.5, 1.5), plain floats: steps until the loss stays
        # below a tenth of the start; slower than its long-run rate
        alpha, beta1 = best_momentum(mu, L)
        x, y, mx, my, losses = -1.5, 1.5, 0.0, 0.0, []
        for _ in range(1000):
            mx, my = beta1 * mx + (1 - beta1) * mu * x, beta1 * my + (1 - beta1) * L * y
            x, y = x - alpha * mx, y - alpha * my
            losses.append(0.5 * (mu * x * x + L * y * y))
        start = 0.5 * (mu + L) * 1.5**2
        last_above = max(t for t, loss in enumerate(losses, start=1) if loss >= start / 10)
        assert first == last_above + 1
        long_run = steps_per_decade(max(rate(alpha, beta1, L), rate(alpha, beta1, mu)))
        assert first > 3 * long_run
    assert (first_decade_100(), first_decade_10000()) == (25, 391)


def test_claim_on_a_steady_slope_the_average_over_the_root_is_one_up_to_epsilon(says):
    says("momentum.md", "on a steady slope it is $\\pm 1$, up to the tiny constant")
    for g in (3.0, -0.5, 1e-3):
        steps = _adam_steps(0.9, np.full(50, g))
        assert np.allclose(steps, np.sign(g) * abs(g) / (abs(g) + 1e-8), rtol=1e-9)
        assert not np.all(steps == np.sign(g))  # not exactly: the constant shows


def test_claim_momentum_cost_grows_as_the_square_root_of_kappa(says):
    says("momentum.md", "the cost still grows as $\\sqrt\\kappa$ instead of $\\kappa$")
    # 100 times more stretched: GD needs about 100 times the steps, momentum about 10.
    assert stretch_slowdown_gd() == pytest.approx(100, rel=0.02)
    assert stretch_slowdown() == pytest.approx(10, rel=0.05)


def test_claim_heavy_ball_and_the_ema_form_are_one_algorithm(says):
    says("momentum.md", "they are one algorithm with two ways of writing $\\alpha$")
    for beta1 in (0.5, 0.9):
        a = trajectory(partial(HeavyBall, lr=0.01, momentum=beta1), VALLEY, steps=200)
        b = trajectory(partial(EMAMomentum, lr=0.01 / (1 - beta1), beta=beta1), VALLEY,
                       steps=200)
        assert np.allclose(a, b, rtol=0, atol=1e-12)


def test_the_page_values_agree_with_the_formulas():
    assert ema_three_ones() == pytest.approx(1 - 0.9**3)
    assert ten_newest_share() == pytest.approx(1 - 0.9**10)
    assert lag_09() == 9 and lag_099() == 99  # beta1 / (1 - beta1)
    assert noise_ratio_09() == pytest.approx(np.sqrt(0.1 / 1.9))
    assert limit_09() == pytest.approx(2 * 1.9 / (0.1 * 25))
    assert factor_across() == pytest.approx(np.sqrt(0.5))  # complex roots: |r| = sqrt(beta1)
    assert factor_across_gd_large() == pytest.approx(abs(1 - 0.15 * 25))
    assert (bowl_steps(), bowl_steps_gd()) == (65, 407)
    assert kappa_for_09() == 1442
    assert heavy_final_step() == pytest.approx(10 * ema_final_step())


def test_the_fast_runs_are_the_page_s_runs_bit_for_bit():
    """jitter, valley_steps, _bowls, _noise_run and _noise_seeds compute what the page's
    own functions (trajectory, ema) give, to the last bit."""
    from snippets import momentum

    for beta1, alpha in (*momentum.JITTER_RUNS, (0.5, 0.03)):
        path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), NOISY_VALLEY, steps=3000)
        assert jitter(beta1, alpha, steps=3000) == float(
            VALLEY.loss(path[1000:, 0], path[1000:, 1]).mean())
    for alpha, beta1 in ((0.075, 0.0), (0.15, 0.5), (0.075, 0.99), (0.3, 0.5)):  # 0.3 diverges
        path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=3000)
        with np.errstate(over="ignore", invalid="ignore"):
            assert valley_steps(alpha, beta1) == steps_to(path, VALLEY)
    alpha, beta1 = best_momentum(0.1, 10.0)
    gd = trajectory(partial(SGD, lr=best_gd(0.1, 10.0)), BOWL, steps=2000)
    mom = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), BOWL, steps=2000)
    assert momentum._bowls()["bowl"] == (steps_to(gd, BOWL), steps_to(mom, BOWL))
    for values in (RNG.normal(size=3000), 0.001 * np.arange(1, 3001)):
        for beta in (0.5, 0.9, 0.99):
            assert np.array_equal(momentum._ema(values, beta), ema(values, beta))
    for beta1 in (0.9, 0.99):
        measured = momentum._noise_seeds(beta1, runs=4)
        for seed in range(1, 5):
            m = ema(np.random.default_rng(seed).normal(0.0, 1.0, 20_000), beta1)[2000:]
            assert measured[seed - 1] == m.std() / momentum.noise_ratio(beta1) - 1


def _adam_steps(beta1: float, grads, lr: float = 0.001) -> np.ndarray:
    """Each step of Adam (Algorithm 1, adam.py) on one parameter, in units of lr."""
    from snippets.adam import adam_step

    p, m, v, out = np.zeros(1), np.zeros(1), np.zeros(1), []
    for t, g in enumerate(grads, start=1):
        new, m, v = adam_step(p, np.array([g]), m, v, t, lr=lr, beta1=beta1)
        out.append(float(p[0] - new[0]) / lr)
        p = new
    return np.array(out)


def test_claim_beta1_0_9_is_a_default_for_noise_not_for_speed_on_the_valley(says):
    says("momentum.md", "Not for speed on a clean two-dimensional valley, where a tuned "
         "gradient descent can win")
    says("momentum.md", "on a quadratic 0.9 is the best $\\beta_1$ when the curvatures are "
         "[[value: momentum-kappa-for-09]] times apart")
    says("momentum.md", "$\\beta_1$ no longer sets how long a step is on a steady slope: its "
         "job is mostly the cleaner direction")
    says("momentum.md", "credits reducing the minibatch noise through the first moment with "
         "part of Adam's speed-up on image classifiers (section 6.3)")
    # The valley: tuned gradient descent beats beta1 = 0.9 at any rate, counting the steps
    # until the loss stays below 1e-6 (a swinging path can dip below it earlier).
    def settled(alpha: float, beta1: float) -> float:
        path = trajectory(partial(EMAMomentum, lr=alpha, beta=beta1), VALLEY, steps=1000)
        above = np.flatnonzero(~(VALLEY.loss(path[:, 0], path[:, 1]) < 1e-6))
        return above[-1] + 1 if above[-1] < 1000 else np.inf

    gd_best = min(settled(alpha, 0.0) for alpha in (0.07, 0.075, 2 / 26))
    assert gd_best < 100
    assert all(settled(alpha, 0.9) > 1.4 * gd_best for alpha in np.geomspace(0.005, 1.5, 40))
    # Polyak's best beta1 is 0.9 for curvatures about 1442 apart (the valley's: 25).
    assert best_momentum(1.0, 1442.0)[1] == pytest.approx(0.9, abs=1e-4)
    assert best_momentum(1.0, 25.0)[1] < 0.5
    # Inside Adam, on a steady slope every beta1 steps lr; on a noisy gradient the mean
    # step is the same and beta1 = 0.9 makes it much steadier.
    for beta1 in (0.0, 0.5, 0.9, 0.99):
        assert np.allclose(_adam_steps(beta1, np.full(50, 3.0)), 1.0, atol=1e-6)
    noisy = 0.5 + np.random.default_rng(3).normal(size=5000)
    without, with_ = _adam_steps(0.0, noisy)[1000:], _adam_steps(0.9, noisy)[1000:]
    assert with_.mean() == pytest.approx(without.mean(), rel=0.05)
    assert with_.std() < 0.3 * without.std()


def test_the_playground_preset_reproduces_the_valley_figure():
    """The link under the valley figure sets the playground so that its momentum racer
    takes the figure's momentum path; its SGD, at the same alpha, diverges."""
    import re
    from pathlib import Path
    from urllib.parse import parse_qs

    from snippets.playground import race

    page = (Path(__file__).resolve().parents[1] / "docs" / "momentum.md").read_text()
    link = re.search(r"\[Try it in the playground\]\(playground\.md\?([^)]*)\)", page)
    query = {k: v[0] for k, v in parse_qs(link.group(1)).items()}
    assert query["surface"] == "valley"
    settings = {"alpha": float(query["alpha"]), "beta1": float(query["beta1"]),
                "steps": int(query["steps"])}
    paths = race(VALLEY, settings)
    figure_run = trajectory(partial(EMAMomentum, lr=0.15, beta=0.5), VALLEY, steps=60)
    assert np.array_equal(paths["momentum"], figure_run)
    sgd = paths["sgd"]
    assert not np.isfinite(sgd[-1]).all() or VALLEY.loss(*sgd[-1]) > 1e6
    assert "[notebook 2](notebooks/momentum.ipynb)" in page


# Exercises: each answer checked by a computation of its own.


def test_exercise_noise_left_and_memory_with_beta1_0_99():
    from snippets.momentum import exercise_memory_099, exercise_noise_099

    beta1 = 0.99
    weights = [(1 - beta1) * beta1**k for k in range(20_000)]  # newest first
    assert exercise_noise_099() == pytest.approx(np.sqrt(sum(w * w for w in weights)), rel=1e-9)
    mean_age = sum(w * (k + 1) for k, w in enumerate(weights)) / sum(weights)
    assert exercise_memory_099() == round(mean_age) == 100
    # measured on a long run, with another seed
    noise = ema(np.random.default_rng(7).normal(size=200_000), beta1)[5000:]
    assert noise.std() == pytest.approx(exercise_noise_099(), rel=0.05)


def test_exercise_the_average_fills_up_to_0_9():
    from snippets.momentum import exercise_fill_09, exercise_fill_099

    def first_step(beta1: float) -> int:  # m_t = 1 - beta1**t >= 0.9 from t on
        t, m = 0, 0.0
        while m < 0.9:
            t, m = t + 1, beta1 * m + (1 - beta1)
        return t

    assert (exercise_fill_09(), exercise_fill_099()) == (first_step(0.9), first_step(0.99))
    assert exercise_fill_09() == int(np.ceil(np.log(0.1) / np.log(0.9)))


def test_exercise_momentum_past_gradient_descents_limit():
    from snippets.momentum import exercise_limit_05, exercise_valley_02

    def run(alpha: float, beta1: float = 0.5, steps: int = 300) -> int | None:
        """EMA momentum on 0.5 (x^2 + 25 y^2) from (-2.5, 1), in plain floats."""
        x, y, mx, my = -2.5, 1.0, 0.0, 0.0
        for t in range(1, steps + 1):
            mx, my = beta1 * mx + (1 - beta1) * x, beta1 * my + (1 - beta1) * 25 * y
            x, y = x - alpha * mx, y - alpha * my
            loss = 0.5 * (x * x + 25 * y * y)
            if loss < 1e-6:
                return t
            if loss > 1e6:
                return None
        return None

    assert exercise_valley_02() == run(0.2)
    assert run(0.2) < run(0.15)  # faster than the page's run at 0.15
    assert run(0.25) is None
    assert exercise_limit_05() == pytest.approx(2 * (1 + 0.5) / ((1 - 0.5) * 25))
    assert 0.2 < exercise_limit_05() < 0.25
