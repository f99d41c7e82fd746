"""snippets/landscape.py: gradient descent, its step-size limit, noise and scaling (/landscape/)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from snippets.landscape import STEP_SIZES, loss_along, noise_floor, steps_to
from snippets.optimizers import SGD, trajectory
from snippets.surfaces import BOWL, NOISY_VALLEY, VALLEY


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
