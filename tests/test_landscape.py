"""snippets/landscape.py: gradient descent, its step-size limit, noise and scaling (/landscape/)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from snippets.landscape import (
    BOWL_CURVATURES,
    NOISE_ALPHAS,
    NOISE_FIGURE_SETTLED,
    NOISE_FIGURE_STEPS,
    NOISE_FIGURE_WINDOW,
    STEP_SIZES,
    along_removed_max,
    bowl_best_alpha_value,
    bowl_factor,
    bowl_removed,
    crawl_covered,
    diagonal_paths,
    downhill_angle,
    exercise_floor_big_batch,
    exercise_land_left,
    exercise_limit_metres,
    exercise_limit_millimetres,
    exercise_same_floor_alpha,
    gd_limit,
    loss_along,
    noise_crossing,
    noise_deviation,
    noise_figure_fast,
    noise_figure_slow,
    noise_floor,
    noise_formula_fast,
    noise_spread_across,
    noise_spread_along,
    settled_loss,
    slope_across,
    slope_along,
    steps_to,
    zigzag_across_net,
    zigzag_across_total,
    zigzag_along_net,
    zigzag_first_across,
    zigzag_second_across,
)
from snippets.optimizers import SGD, EMAMomentum, trajectory
from snippets.surfaces import BOWL, NOISY_VALLEY, ROSENBROCK, SADDLE, VALLEY


def gd(alpha: float, surface=VALLEY, steps: int = 300) -> np.ndarray:
    return trajectory(partial(SGD, lr=alpha), surface, steps=steps)


def test_steepness_is_not_distance_on_the_valley():
    near, far = (0.0, 0.5), (-2.5, 0.0)  # 0.5 and 2.5 from the minimum
    assert np.linalg.norm(VALLEY.grad(*near)) == pytest.approx(12.5)
    assert np.linalg.norm(VALLEY.grad(*far)) == pytest.approx(2.5)


def test_downhill_at_the_start_is_62_degrees_off_the_minimum():
    gx, gy = -VALLEY.grad(*VALLEY.start)  # the downhill direction
    downhill = np.arctan2(gy, gx)
    to_minimum = np.arctan2(-VALLEY.start[1], -VALLEY.start[0])
    assert round(abs(np.degrees(downhill - to_minimum))) == 62


@pytest.mark.parametrize("factor", [0.9, 0.99])
def test_gradient_descent_converges_just_below_two_over_L(factor):
    assert steps_to(gd(factor * 2 / 25, steps=3000), VALLEY) is not None


@pytest.mark.parametrize("factor", [1.01, 1.1])
def test_gradient_descent_diverges_just_above_two_over_L(factor):
    loss = loss_along(gd(factor * 2 / 25, steps=300), VALLEY)
    assert loss[-1] > loss[0]


def test_the_three_step_sizes_crawl_zig_zag_and_diverge():
    assert STEP_SIZES["zig-zags"] < 2 / 25 < STEP_SIZES["diverges"]
    crawl = gd(STEP_SIZES["crawls"], steps=50)
    assert np.all(np.diff(crawl[:, 0]) > 0)  # always forward along the floor
    assert np.all(crawl[:, 1] >= 0)  # never crosses the floor: no zig-zag
    assert crawl[-1, 0] < -1.25  # less than halfway after 50 steps
    zigzag = gd(STEP_SIZES["zig-zags"], steps=10)
    assert np.all(np.sign(zigzag[1:, 1]) == -np.sign(zigzag[:-1, 1]))  # wall to wall
    diverge = gd(STEP_SIZES["diverges"], steps=50)
    assert np.all(np.abs(diverge[1:, 1]) > np.abs(diverge[:-1, 1]))


def test_the_page_numbers_for_the_three_step_sizes():
    assert [steps_to(gd(a, steps=1000), VALLEY) for a in (0.01, 0.07, 0.085)] == [745, 104, None]


def test_steps_to_is_the_first_step_below_the_tolerance():
    path = np.array([[2.0, 0.0], [1.0, 0.0], [0.001, 0.0], [0.0, 0.0]])
    assert steps_to(path, VALLEY, tol=1e-3) == 2
    assert steps_to(path, VALLEY, tol=-1.0) is None


def test_noise_floor_matches_the_variance_recursion_iterated_to_its_fixed_point():
    alpha, sigma = 0.04, 1.0
    expected = 0.0
    for lam in (1.0, 25.0):
        s2 = 0.0
        for _ in range(10_000):  # s2 <- (1 - alpha*lam)^2 s2 + alpha^2 sigma^2
            s2 = (1 - alpha * lam) ** 2 * s2 + alpha**2 * sigma**2
        expected += 0.5 * lam * s2
    assert noise_floor(alpha, [1, 25], sigma) == pytest.approx(expected, rel=1e-9)


def test_noise_floor_is_proportional_to_alpha_for_small_alpha():
    ratio = noise_floor(1e-4, [1, 25], 1.0) / noise_floor(2e-4, [1, 25], 1.0)
    assert ratio == pytest.approx(0.5, rel=1e-3)


def test_sgd_settles_at_the_noise_floor_the_page_prints():
    path = gd(0.04, NOISY_VALLEY, steps=40_000)
    settled = loss_along(path, VALLEY)[1000:].mean()
    assert settled == pytest.approx(0.0310, abs=5e-5)  # what the page shows
    assert settled == pytest.approx(noise_floor(0.04, [1, 25], 1.0), rel=0.06)


def test_the_best_single_rate_on_the_bowl_keeps_99_of_101_per_step():
    alpha = 2 / (0.1 + 10)
    assert abs(1 - alpha * 0.1) == pytest.approx(99 / 101)
    assert abs(1 - alpha * 10) == pytest.approx(99 / 101)
    assert steps_to(gd(alpha, BOWL, steps=2000), BOWL) == 407
    assert steps_to(gd(1.01 * 2 / 10, BOWL, steps=2000), BOWL) is None


def test_one_step_with_a_learning_rate_per_coordinate_lands_on_the_minimum():
    point = np.array(BOWL.start)
    assert np.allclose(point - BOWL.grad(*point) / np.array([0.1, 10.0]), 0, atol=1e-12)


# Claims: each checks that the page says it and that the numbers show it.


def test_claim_gradient_descent_diverges_above_two_over_l(says):
    says("landscape.md", "$\\alpha > 2/L$: the factor is below $-1$: every jump lands farther "
         "away, and the walk **diverges**")
    says("landscape.md", "converges if and only if $|1 - \\alpha L| < 1$")
    L = 4.0
    for alpha_l, grows in [(0.5, False), (1.99, False), (2.01, True), (3.0, True)]:
        theta = 1.0
        for _ in range(200):
            theta -= alpha_l / L * (L * theta)
        assert (abs(theta) > 1) is grows
    # on the valley the steepest direction sets the limit: 2/25
    assert gd_limit() == pytest.approx(2 / 25)
    below, above = gd(0.99 * gd_limit(), steps=2000), gd(1.01 * gd_limit(), steps=2000)
    assert loss_along(below, VALLEY)[-1] < 1e-6 < loss_along(above, VALLEY)[0]
    assert loss_along(above, VALLEY)[-1] > loss_along(above, VALLEY)[0]


def test_claim_a_small_enough_step_against_the_gradient_always_goes_down(says):
    says("landscape.md", "unless the ground is flat, a small enough step against the gradient "
         "always goes down")
    rng = np.random.default_rng(3)
    for surface in (VALLEY, BOWL, ROSENBROCK, SADDLE):
        (x0, x1), (y0, y1) = surface.bounds
        for x, y in zip(rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50), strict=True):
            g = surface.grad(x, y)
            step = 1e-4 / (1 + np.linalg.norm(g)) ** 2  # small against the curvature here
            assert surface.loss(*(np.array([x, y]) - step * g)) < surface.loss(x, y)


def test_claim_a_step_too_small_and_one_too_large_by_the_same_amount_converge_equally_fast(says):
    says("landscape.md", "The first and third lines sit $0.8/L$ below and above $1/L$: their "
         "factors are $+0.8$ and $-0.8$, and they converge equally fast")
    L = 4.0
    small, large = 1.0, 1.0
    for _ in range(50):
        small -= 0.2 / L * L * small
        large -= 1.8 / L * L * large
    assert abs(small) == pytest.approx(abs(large))
    assert np.sign(large) == 1 and np.sign(small) == 1  # 50 steps: an even number of jumps


def test_claim_with_noisy_gradients_sgd_never_settles(says):
    says("landscape.md", "the path never settles")
    says("landscape.md", "halve the learning rate and the cloud's average loss halves")
    exact = loss_along(gd(0.04, steps=2000), VALLEY)
    assert exact[-1] < 1e-30  # exact gradients: the loss keeps falling
    for alpha in NOISE_ALPHAS:  # noisy ones: it stops at the floor the formula gives
        assert settled_loss(alpha) == pytest.approx(noise_floor(alpha, [1, 25], 1.0), rel=0.06)
    # proportional to alpha for small alpha: the runs follow the formula's ratio
    measured = settled_loss(0.01) / settled_loss(0.02)
    formula = noise_floor(0.01, [1, 25], 1.0) / noise_floor(0.02, [1, 25], 1.0)
    assert measured == pytest.approx(formula, rel=0.1)
    assert 0.45 < formula < 0.5
    assert noise_deviation() < 0.06


def test_claim_no_single_learning_rate_does_better_on_the_bowl_than_keeping_99_of_101(says):
    says("landscape.md", "Any $\\alpha$ small enough for $y$ leaves $x$ crawling: even the rate "
         "with the best long-run factor (the largest share of the distance that every "
         "direction loses per step),")
    best = min(max(abs(1 - a * 0.1), abs(1 - a * 10)) for a in np.linspace(0, 0.25, 25_001))
    assert best == pytest.approx(99 / 101, abs=1e-6)
    assert bowl_factor() == pytest.approx(99 / 101)
    assert bowl_best_alpha_value() == pytest.approx(2 / 10.1)
    assert bowl_removed() == pytest.approx(2 / 101)


def test_claim_the_best_long_run_rate_is_not_the_fastest_from_the_bowl_s_start(says):
    from snippets.landscape import bowl_steps_0196, bowl_steps_best

    says("landscape.md", "That rate is the best in the long run, not the fastest from every "
         "start: from the bowl's, where $y$ holds a hundred times the loss of $x$")

    def steps(alpha: float) -> int:
        """Gradient descent on 0.5 (0.1 x^2 + 10 y^2) from (-1.5, 1.5), in plain floats."""
        x, y, t = -1.5, 1.5, 0
        while 0.5 * (0.1 * x * x + 10 * y * y) >= 1e-6:
            x, y, t = x - alpha * 0.1 * x, y - alpha * 10 * y, t + 1
        return t  # the loss of gradient descent on a quadratic never rises: it stays below

    assert bowl_steps_best() == steps(2 / 10.1) == 407
    assert bowl_steps_0196() == steps(0.196) < bowl_steps_best()
    # y's loss is a hundred times x's at the start; at 0.196 y shrinks faster, x slower
    assert 10 * 1.5**2 == pytest.approx(100 * 0.1 * 1.5**2)
    assert abs(1 - 0.196 * 10) < abs(1 - 2 / 10.1 * 10)
    assert abs(1 - 0.196 * 0.1) > abs(1 - 2 / 10.1 * 0.1)


def test_claim_one_step_with_a_rate_per_coordinate_lands_on_the_minimum(says):
    says("landscape.md", "lands on the minimum of this bowl in one step")
    for start in [BOWL.start, (1.7, -0.3), (-0.2, 1.9)]:
        point = np.array(start)
        assert np.allclose(point - BOWL.grad(*point) / np.array(BOWL_CURVATURES), 0,
                           atol=1e-12)


def test_claim_a_rate_per_coordinate_lands_on_the_valley_minimum_in_one_step(says):
    says("landscape.md", "$1$ for $x$ and $1/25$ for $y$ land on the valley's minimum in one step")
    rates = np.array([1.0, 1 / 25])
    for start in [VALLEY.start, (0.7, -1.3), (-3.0, 0.2)]:
        point = np.array(start, dtype=float)
        assert np.allclose(point - rates * VALLEY.grad(*point), 0, atol=1e-12)
    # one shared rate cannot: the largest safe one leaves x far from the floor's minimum
    point = np.array(VALLEY.start, dtype=float)
    assert abs((point - 0.079 * VALLEY.grad(*point))[0]) > 2


def test_the_page_values_agree_with_the_geometry():
    assert downhill_angle() == 62
    assert (slope_across(), slope_along()) == (12.5, 2.5)
    assert 0 < crawl_covered() < 0.5  # "crawls": less than halfway after 50 steps
    assert noise_formula_fast() == pytest.approx(0.04 / 2 * (1 / (2 - 0.04) + 1 / (2 - 1)))


def test_claim_at_a_small_alpha_momentum_hardly_lowers_the_noise_floor(says):
    from snippets.momentum import floor_drop_small, floor_halving_drop

    says("landscape.md", "An average of recent gradients keeps the steady pull and cancels the "
         "back-and-forth")
    says("landscape.md", "An average does not remove the noise, though")
    # The EMA of a steady gradient tends to the gradient itself: the pull keeps its size.
    m = 0.0
    for _ in range(200):
        m = 0.9 * m + 0.1 * 1.0
    assert m == pytest.approx(1.0)
    # Settled loss of EMA momentum on the valley with unit noise, from the stationary
    # covariance of (theta, m) (a linear system), against SGD's formula on this page.
    def floor(alpha: float, beta1: float) -> float:
        total = 0.0
        for lam in (1.0, 25.0):
            a = np.array([[1 - alpha * (1 - beta1) * lam, -alpha * beta1],
                          [(1 - beta1) * lam, beta1]])
            b = np.array([-alpha * (1 - beta1), 1 - beta1])
            cov = np.linalg.solve(np.eye(4) - np.kron(a, a), np.outer(b, b).ravel())
            total += 0.5 * lam * cov[0]
        return total

    assert floor(0.01, 0.0) == pytest.approx(noise_floor(0.01, [1, 25], 1.0))
    small = 1 - floor(0.01, 0.9) / floor(0.01, 0.0)
    assert floor_drop_small() == pytest.approx(small, rel=1e-9) and 0 < small < 0.1
    assert floor_halving_drop() == pytest.approx(
        1 - noise_floor(0.005, [1, 25], 1.0) / noise_floor(0.01, [1, 25], 1.0))
    assert floor(0.07, 0.9) < 0.25 * floor(0.07, 0.0)  # close to 2/L = 0.08: a lot lower


def test_diagonal_paths_are_trajectory_s_bit_for_bit():
    """diagonal_paths computes what trajectory computes, point for point: SGD and EMA
    momentum, with and without noise, on the valley and the bowl, NaN where a run diverges."""
    cases = [
        (NOISY_VALLEY, NOISE_ALPHAS, None, 3000),
        (NOISY_VALLEY, (0.01, 0.01, 0.07, 0.07), (0.0, 0.9, 0.0, 0.9), 3000),
        (VALLEY, (0.075, 0.15, 0.075), (0.0, 0.5, 0.99), 1000),
        (VALLEY, STEP_SIZES.values(), None, 300),
        (BOWL, (2 / 10.1, 0.3), None, 500),
        (BOWL, (0.5,), (0.9,), 500),
        (VALLEY, (0.3, 0.01), None, 1000),  # the first diverges: trajectory stops it
        (NOISY_VALLEY, (0.6,), (0.5,), 1000),
    ]
    diverged = 0
    for surface, lrs, betas, steps in cases:
        lrs = list(lrs)
        paths = diagonal_paths(surface, lrs, betas, steps=steps)
        for i, lr in enumerate(lrs):
            make = partial(SGD, lr=lr) if betas is None else partial(EMAMomentum, lr=lr,
                                                                      beta=betas[i])
            alone = trajectory(make, surface, steps=steps)
            assert np.array_equal(paths[:, i], alone, equal_nan=True), (surface.name, lr)
            diverged += np.isnan(alone).any()
    assert diverged == 2


def test_settled_loss_is_the_noise_block_s_average_bit_for_bit():
    for alpha in (*NOISE_ALPHAS, 0.03):
        path = trajectory(partial(SGD, lr=alpha), NOISY_VALLEY, steps=3000)
        assert settled_loss(alpha, steps=3000) == float(loss_along(path, VALLEY)[1000:].mean())


def test_claim_the_smaller_rate_settles_lower_within_the_noise_figure(says):
    """The figure shows what the text says: within its 2000 steps, alpha = 0.01 starts slower,
    passes below 0.04 and settles in a tighter cloud at a lower average loss."""
    says("landscape.md", "In the figure, $\\alpha = 0.01$ gets below $\\alpha = 0.04$ only after")
    says("landscape.md", "then settles in a tighter cloud")
    steps, settled, window = NOISE_FIGURE_STEPS, NOISE_FIGURE_SETTLED, NOISE_FIGURE_WINDOW
    runs = {a: gd(a, NOISY_VALLEY, steps=steps) for a in (0.04, 0.01)}
    loss = {a: 0.5 * (p[:, 0] ** 2 + 25 * p[:, 1] ** 2) for a, p in runs.items()}
    smooth = {a: np.convolve(v, np.ones(window) / window, mode="valid") for a, v in loss.items()}
    below = smooth[0.01] < smooth[0.04]
    assert not below[0]  # the smaller step starts behind
    first_for_good = len(below) - np.argmin(below[::-1])  # first window after the last "not below"
    assert noise_crossing() == first_for_good + window - 1  # that window's last step
    assert noise_crossing() < settled  # the maps' points are all after it
    assert noise_figure_slow() == pytest.approx(loss[0.01][settled:].mean())
    assert noise_figure_fast() == pytest.approx(loss[0.04][settled:].mean())
    assert noise_figure_slow() < 0.25 * noise_figure_fast()
    spread = {a: p[settled:].std(axis=0) for a, p in runs.items()}
    assert noise_spread_along() == pytest.approx(spread[0.01][0] / spread[0.04][0])
    assert noise_spread_across() == pytest.approx(spread[0.01][1] / spread[0.04][1])
    assert noise_spread_along() < 0.6 and noise_spread_across() < 0.6  # a tighter cloud
    # and both stay near the formula's averages (one run of 1500 steps: within 20 %)
    for a in (0.04, 0.01):
        assert loss[a][settled:].mean() == pytest.approx(noise_floor(a, [1, 25], 1.0), rel=0.2)


def test_claim_the_zig_zag_flips_across_and_adds_up_along(says):
    says("landscape.md", "the move\nacross the valley flips sign at every step")
    says("landscape.md", "The move along keeps its sign")
    alpha, t = 0.07, np.arange(11)
    y = 1.0 * (1 - 25 * alpha) ** t  # the closed form from (-2.5, 1): each step multiplies
    x = -2.5 * (1 - alpha) ** t
    dy, dx = np.diff(y), np.diff(x)
    assert np.all(np.sign(dy[1:]) == -np.sign(dy[:-1]))
    assert np.all(dx > 0)
    assert zigzag_first_across() == pytest.approx(dy[0])
    assert zigzag_second_across() == pytest.approx(dy[1])
    assert zigzag_across_total() == pytest.approx(np.abs(dy).sum())
    assert zigzag_across_net() == pytest.approx(abs(y[-1] - y[0]))
    assert zigzag_along_net() == pytest.approx(x[-1] - x[0])
    assert zigzag_across_net() < 0.2 * zigzag_across_total()


def test_claim_along_the_floor_a_step_removes_less_than_2_over_25(says):
    says("landscape.md", "so along\nthe valley's floor a step removes less than")
    alphas = np.linspace(1e-4, 2 / 25, 1000, endpoint=False)  # every stable alpha
    removed = 1 - np.abs(1 - alphas * 1.0)  # along x, curvature 1
    assert removed.max() < along_removed_max() == pytest.approx(2 / 25)


def test_exercise_one_learning_rate_lands_across_and_crawls_along():
    point = np.array(VALLEY.start)
    point = point - 0.04 * np.array([point[0], 25 * point[1]])  # one step at 1/25 by hand
    assert point[1] == 0.0
    assert exercise_land_left() == pytest.approx(0.96**50)


def test_exercise_the_limit_in_metres_and_in_millimetres():
    for x, limit in [(2.0, exercise_limit_metres()), (2000.0, exercise_limit_millimetres())]:
        assert limit == pytest.approx(2 / x**2, rel=1e-6)  # f''(w) = x**2

        def run(alpha, x, w=0.0, c=1.0):
            for _ in range(2000):
                w -= alpha * (w * x - c) * x
            return abs(w * x - c)

        assert run(0.99 * limit, x) < 1e-6  # converges just below the limit
        assert run(1.01 * limit, x) > 1.0  # blows up just above it
    assert exercise_limit_metres() / exercise_limit_millimetres() == pytest.approx(1e6)


def test_exercise_a_bigger_minibatch_lowers_the_floor_like_a_smaller_alpha():
    def floor_by_recursion(alpha, sigma):
        total = 0.0
        for lam in (1.0, 25.0):
            s2 = 0.0
            for _ in range(20_000):
                s2 = (1 - alpha * lam) ** 2 * s2 + alpha**2 * sigma**2
            total += 0.5 * lam * s2
        return total

    big_batch = floor_by_recursion(0.04, 0.5)
    assert exercise_floor_big_batch() == pytest.approx(big_batch, rel=1e-9)
    assert big_batch == pytest.approx(floor_by_recursion(0.04, 1.0) / 4)
    alpha = exercise_same_floor_alpha()
    assert floor_by_recursion(alpha, 1.0) == pytest.approx(big_batch, rel=1e-6)
    assert alpha > 0.04 / 4  # not a quarter of 0.04
