"""snippets/surfaces.py: the landscapes the pages draw and run optimizers on."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from snippets.surfaces import (
    BOWL,
    NOISY_VALLEY,
    ROSENBROCK,
    SADDLE,
    SURFACES,
    VALLEY,
    Surface,
    noisy,
)

SURFACES_PY = Path(__file__).resolve().parents[1] / "snippets" / "surfaces.py"
ALL = [VALLEY, BOWL, ROSENBROCK, SADDLE, NOISY_VALLEY]


def points_in(surface: Surface, n: int = 200, seed: int = 0) -> np.ndarray:
    """n random points inside the surface's plot bounds, shape (n, 2)."""
    (x0, x1), (y0, y1) = surface.bounds
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def hessian(surface: Surface, x: float, y: float, h: float = 1e-4) -> np.ndarray:
    """The Hessian at (x, y) by central differences of the exact gradient."""
    columns = [
        (surface.grad(x + h, y) - surface.grad(x - h, y)) / (2 * h),
        (surface.grad(x, y + h) - surface.grad(x, y - h)) / (2 * h),
    ]
    return np.column_stack(columns)


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.name)
def test_gradient_matches_central_finite_differences(surface):
    h = 1e-6
    for x, y in points_in(surface):
        numeric = [
            (surface.loss(x + h, y) - surface.loss(x - h, y)) / (2 * h),
            (surface.loss(x, y + h) - surface.loss(x, y - h)) / (2 * h),
        ]
        # Central differences err by h**2 * f''' / 6 plus rounding |f| * 1e-16 / h.
        scale = 1 + abs(surface.loss(x, y))
        np.testing.assert_allclose(surface.grad(x, y), numeric, rtol=1e-6, atol=1e-8 * scale)


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.name)
def test_loss_and_gradient_take_meshgrid_arrays(surface):
    (x0, x1), (y0, y1) = surface.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, 7), np.linspace(y0, y1, 5))
    loss, grad = surface.loss(x, y), surface.grad(x, y)
    assert loss.shape == (5, 7) and grad.shape == (2, 5, 7)
    for i in range(5):
        for j in range(7):
            assert loss[i, j] == surface.loss(x[i, j], y[i, j])
            np.testing.assert_array_equal(grad[:, i, j], surface.grad(x[i, j], y[i, j]))


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.name)
def test_gradient_is_zero_at_the_minimum_and_no_point_in_bounds_is_lower(surface):
    np.testing.assert_allclose(surface.grad(*surface.minimum), [0.0, 0.0], atol=1e-12)
    (x0, x1), (y0, y1) = surface.bounds
    x, y = np.meshgrid(np.linspace(x0, x1, 401), np.linspace(y0, y1, 401))
    assert surface.loss(x, y).min() >= surface.loss(*surface.minimum) - 1e-12


@pytest.mark.parametrize("surface", ALL, ids=lambda s: s.name)
def test_minimum_and_start_lie_inside_the_plot_bounds(surface):
    (x0, x1), (y0, y1) = surface.bounds
    for x, y in (surface.minimum, surface.start):
        assert x0 < x < x1 and y0 < y < y1
    assert surface.start != surface.minimum
    assert np.all(surface.grad(*surface.start) != 0) or surface is SADDLE


def test_valley_has_curvatures_mu_1_and_L_25():
    for x, y in points_in(VALLEY, 20):
        np.testing.assert_allclose(np.linalg.eigvalsh(hessian(VALLEY, x, y)), [1, 25], rtol=1e-8)


def test_bowl_gradients_differ_by_two_orders_of_magnitude():
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian(BOWL, 0.3, -0.2)), [0.1, 10], rtol=1e-8)
    gx, gy = BOWL.grad(*BOWL.start)  # start at |x| == |y|: the curvatures set the ratio
    assert abs(gy / gx) == pytest.approx(100)


def test_rosenbrock_has_its_textbook_values():
    assert ROSENBROCK.loss(1.0, 1.0) == 0
    assert ROSENBROCK.loss(-1.2, 1.0) == pytest.approx(24.2)  # 2.2**2 + 100 * 0.44**2
    # d/dx = -2 (1 - x) - 400 x (y - x**2), d/dy = 200 (y - x**2), at (-1.2, 1):
    np.testing.assert_allclose(ROSENBROCK.grad(-1.2, 1.0), [-215.6, -88.0], rtol=1e-12)


def test_saddle_is_a_saddle_at_the_origin_between_two_minima():
    np.testing.assert_array_equal(SADDLE.grad(0.0, 0.0), [0.0, 0.0])
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian(SADDLE, 0.0, 0.0)), [-1, 1], atol=1e-8)
    for y in (1.0, -1.0):
        assert SADDLE.loss(0.0, y) == -0.25
        np.testing.assert_allclose(np.linalg.eigvalsh(hessian(SADDLE, 0.0, y)), [1, 2], rtol=1e-6)


def test_noisy_surface_has_the_same_loss_and_exact_gradient_as_its_base():
    assert NOISY_VALLEY.noise == 1.0 and NOISY_VALLEY.name == "noisy valley"
    for x, y in points_in(VALLEY, 20):
        assert NOISY_VALLEY.loss(x, y) == VALLEY.loss(x, y)
        np.testing.assert_array_equal(NOISY_VALLEY.grad(x, y), VALLEY.grad(x, y))


def test_noisy_gradients_are_exact_plus_seeded_gaussian_noise():
    noise = np.random.default_rng(42).standard_normal((1000, 2))
    rng = np.random.default_rng(42)
    samples = np.array([NOISY_VALLEY.sample_grad(1.0, 0.5, rng) for _ in range(1000)])
    np.testing.assert_allclose(samples, VALLEY.grad(1.0, 0.5) + 1.0 * noise, rtol=1e-15)
    # so they average to the exact gradient: standard error 1 / sqrt(1000) = 0.03
    np.testing.assert_allclose(samples.mean(axis=0), VALLEY.grad(1.0, 0.5), atol=0.15)


def test_surfaces_without_noise_give_the_exact_gradient_and_draw_nothing():
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(ROSENBROCK.sample_grad(0.5, 0.5, rng), ROSENBROCK.grad(0.5, 0.5))
    assert rng.random() == np.random.default_rng(0).random()


def test_noisy_rejects_a_negative_noise():
    with pytest.raises(ValueError, match="noise must be a standard deviation >= 0"):
        noisy(VALLEY, -1.0)
    with pytest.raises(ValueError, match="noise must be"):
        noisy(VALLEY, float("nan"))


def test_surfaces_lists_every_landscape_by_name():
    assert set(SURFACES) == {"valley", "bowl", "rosenbrock", "saddle", "noisy valley"}
    assert all(SURFACES[s.name] is s for s in ALL)


def test_sections_run_after_setup_and_the_surface_class():
    code = dict(
        re.findall(
            r"# --8<-- \[start:(\w+)\]\n(.*?)# --8<-- \[end:\1\]", SURFACES_PY.read_text(), re.S
        )
    )
    assert list(code) == ["setup", "surface", "valley", "bowl", "rosenbrock", "saddle", "noisy",
                          "rotated"]
    turned = {}  # the playground's turn runs after setup and the class, on any landscape
    for part in ["setup", "surface", "bowl", "rotated"]:
        exec(compile(code[part], f"surfaces.py[{part}]", "exec"), turned)
    bowl45 = turned["rotated"](turned["BOWL"], 45)
    assert bowl45.loss(*bowl45.start) == pytest.approx(BOWL.loss(*BOWL.start), rel=1e-12)
    needs = {"noisy": ["valley"]}  # NOISY_VALLEY is the valley, seen through noise
    for name in ["valley", "bowl", "rosenbrock", "saddle", "noisy"]:
        namespace = {}
        for part in ["setup", "surface", *needs.get(name, []), name]:
            exec(compile(code[part], f"surfaces.py[{part}]", "exec"), namespace)
        surface = namespace[{"noisy": "NOISY_VALLEY"}.get(name, name.upper())]
        assert surface.loss(*surface.minimum) == SURFACES[surface.name].loss(*surface.minimum)
