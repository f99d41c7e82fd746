"""snippets/optimizers.py: the optimizers before Adam and the trajectory runner."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from snippets.adam import adam_step
from snippets.optimizers import (
    SGD,
    AdaGrad,
    Adam,
    AdamNoBiasCorrection,
    EMAMomentum,
    HeavyBall,
    RMSProp,
    adam_step_no_bias_correction,
    trajectory,
)
from snippets.surfaces import NOISY_VALLEY, ROSENBROCK, SADDLE, VALLEY

OPTIMIZERS_PY = Path(__file__).resolve().parents[1] / "snippets" / "optimizers.py"
EVERY = [SGD, HeavyBall, EMAMomentum, RMSProp, AdaGrad, AdamNoBiasCorrection, Adam]


def run(optimizer_class, p0, grads, **options):
    """Run an optimizer from p0 (one array) on these gradients; return p after every step."""
    p = np.array(p0, dtype=float)
    optimizer = optimizer_class([p], **options)
    path = []
    for g in grads:
        optimizer.step([np.asarray(g, dtype=float)])
        path.append(p.copy())
    return np.array(path)


# -- each update rule, against its closed form under a constant gradient ----------------

G = np.array([0.5, -2.0])  # a constant gradient
K = np.arange(1, 31)[:, None]  # steps 1..30, as a column


def test_sgd_moves_lr_times_the_gradient_each_step():
    expected = 1 - 0.1 * K * G  # crosses 0 at step 20: compare absolutely
    np.testing.assert_allclose(run(SGD, [1.0, 1.0], [G] * 30, lr=0.1), expected, rtol=0, atol=1e-14)


def test_heavy_ball_velocity_sums_past_gradients():
    # b_k = g (1 - mu**k) / (1 - mu), so p_k = p_0 - lr g sum_{j<=k} (1 - mu**j) / (1 - mu).
    lr, mu = 0.1, 0.9
    moved = lr * G * (K - mu * (1 - mu**K) / (1 - mu)) / (1 - mu)
    np.testing.assert_allclose(
        run(HeavyBall, [0, 0], [G] * 30, lr=lr, momentum=mu), -moved, rtol=1e-12
    )


def test_ema_momentum_averages_past_gradients():
    # m_k = g (1 - beta**k), so p_k = p_0 - lr g (k - beta (1 - beta**k) / (1 - beta)).
    lr, beta = 0.1, 0.8
    moved = lr * G * (K - beta * (1 - beta**K) / (1 - beta))
    np.testing.assert_allclose(
        run(EMAMomentum, [0, 0], [G] * 30, lr=lr, beta=beta), -moved, rtol=1e-12
    )


def test_rmsprop_divides_by_the_running_rms_of_the_gradients():
    # v_k = g**2 (1 - alpha**k): step k is lr g / (|g| sqrt(1 - alpha**k) + eps).
    lr, alpha, eps = 0.01, 0.9, 1e-8
    steps = lr * G / (np.abs(G) * np.sqrt(1 - alpha**K) + eps)
    path = run(RMSProp, [0, 0], [G] * 30, lr=lr, alpha=alpha, eps=eps)
    np.testing.assert_allclose(path, -np.cumsum(steps, axis=0), rtol=1e-12)


def test_adagrad_divides_by_the_root_of_all_squared_gradients():
    # sum_k = k g**2: step k is lr g / (|g| sqrt(k) + eps), shrinking like 1 / sqrt(k).
    lr, eps = 0.1, 1e-10
    steps = lr * G / (np.abs(G) * np.sqrt(K) + eps)
    path = run(AdaGrad, [0, 0], [G] * 30, lr=lr, eps=eps)
    np.testing.assert_allclose(path, -np.cumsum(steps, axis=0), rtol=1e-12)


def test_without_bias_correction_the_first_step_is_3_times_too_large():
    # m_1 = 0.1 g and v_1 = 0.001 g**2, so the step is lr * 0.1 / sqrt(0.001) = 3.16 lr;
    # adam_step divides by the bias corrections and moves exactly lr.
    g, lr = np.array([1e-3, -5.0]), 0.01
    zeros = np.zeros(2)
    raw = adam_step_no_bias_correction(zeros, g, zeros, zeros, lr, epsilon=0.0)[0]
    fixed = adam_step(zeros, g, zeros, zeros, 1, lr, epsilon=0.0)[0]
    np.testing.assert_allclose(raw, -np.sign(g) * lr * 0.1 / np.sqrt(0.001), rtol=1e-12)
    np.testing.assert_allclose(fixed, -np.sign(g) * lr, rtol=1e-12)


def test_adam_no_bias_correction_class_applies_the_function_in_place():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(3) for _ in range(20)]
    p, m, v = np.ones(3), np.zeros(3), np.zeros(3)
    for g in grads:
        p, m, v = adam_step_no_bias_correction(p, g, m, v, 0.05, 0.8, 0.99, 1e-6)
    path = run(AdamNoBiasCorrection, np.ones(3), grads, lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    np.testing.assert_array_equal(path[-1], p)


def test_bias_correction_fades_out_so_both_versions_end_up_alike():
    g = [np.array([1.0])] * 5000
    raw = np.diff(run(AdamNoBiasCorrection, [0.0], g, lr=0.01)[-2:, 0])
    fixed = np.diff(run(Adam, [0.0], g, lr=0.01)[-2:, 0])
    assert raw == pytest.approx(fixed, rel=1e-2)  # 1 - 0.999**5000 = 0.993


@pytest.mark.parametrize("optimizer_class", EVERY, ids=lambda c: c.__name__)
def test_every_optimizer_keeps_float32_and_updates_in_place(optimizer_class):
    p = np.ones(4, np.float32)
    address = p.ctypes.data
    optimizer = optimizer_class([p], lr=0.1)
    optimizer.step([np.full(4, 0.5, np.float32)])
    assert p.dtype == np.float32 and p.ctypes.data == address and np.all(p < 1)


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: SGD([np.ones(2)], lr=-1.0), r"lr must be finite and >= 0"),
        (lambda: HeavyBall([np.ones(2)], momentum=1.0), r"momentum must be in \[0, 1\)"),
        (lambda: EMAMomentum([np.ones(2)], beta=-0.5), r"beta must be in \[0, 1\)"),
        (lambda: RMSProp([np.ones(2)], alpha=1.2), r"alpha must be in \[0, 1\)"),
        (lambda: RMSProp([np.ones(2)], eps=-1.0), r"eps must be finite and >= 0"),
        (lambda: AdaGrad([np.ones(2)], lr=float("nan")), r"lr must be"),
        (lambda: AdamNoBiasCorrection([np.ones(2)], betas=(1.0, 0.9)), r"beta1 must be"),
        (lambda: SGD([np.ones(2, int)]), r"params\[0\] has dtype int64"),
        (lambda: SGD(np.ones(2)), r"params must be a list"),
    ],
)
def test_bad_arguments_raise_naming_them(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


@pytest.mark.parametrize("optimizer_class", EVERY, ids=lambda c: c.__name__)
def test_bad_grads_raise_and_change_nothing(optimizer_class):
    params = [np.ones(2), np.ones(3)]
    optimizer = optimizer_class(params, lr=0.1)
    with pytest.raises(ValueError, match=r"grads has 1 arrays but there are 2 params"):
        optimizer.step([np.ones(2)])
    with pytest.raises(ValueError, match=r"grads\[1\] holds nan"):
        optimizer.step([np.ones(2), np.array([1.0, np.nan, 1.0])])
    np.testing.assert_array_equal(params[0], np.ones(2))
    optimizer.lr = -1.0
    with pytest.raises(ValueError, match="lr must be"):
        optimizer.step([np.ones(2), np.ones(3)])


# -- trajectory -------------------------------------------------------------------------


def test_trajectory_of_sgd_on_the_valley_is_its_closed_form():
    # grad = (x, 25 y): each step multiplies x by 1 - lr and y by 1 - 25 lr.
    lr, steps = 0.03, 40
    path = trajectory(lambda params: SGD(params, lr=lr), VALLEY, steps=steps)
    k = np.arange(steps + 1)
    x0, y0 = VALLEY.start
    np.testing.assert_allclose(
        path, np.column_stack([x0 * (1 - lr) ** k, y0 * (1 - 25 * lr) ** k]), rtol=1e-12
    )


def test_trajectory_starts_where_asked_and_leaves_the_start_alone():
    start = np.array([0.5, -0.5])
    path = trajectory(lambda params: Adam(params, lr=0.1), ROSENBROCK, start=start, steps=3)
    assert path.shape == (4, 2)
    np.testing.assert_array_equal(path[0], [0.5, -0.5])
    np.testing.assert_array_equal(start, [0.5, -0.5])
    # Adam's first step: lr against the sign of each gradient coordinate
    np.testing.assert_allclose(
        path[1] - path[0], -0.1 * np.sign(ROSENBROCK.grad(0.5, -0.5)), rtol=1e-6
    )


def test_trajectory_noise_is_seeded_and_shared_by_every_optimizer():
    # Recover the noise SGD saw: (p_k - p_{k+1}) / lr - grad(p_k) is the k-th noise draw.
    lr, steps = 0.01, 50
    path = trajectory(lambda params: SGD(params, lr=lr), NOISY_VALLEY, steps=steps, seed=7)
    seen = (path[:-1] - path[1:]) / lr - np.array([VALLEY.grad(x, y) for x, y in path[:-1]])
    drawn = np.random.default_rng(7).standard_normal((steps, 2))
    np.testing.assert_allclose(seen, drawn, atol=1e-9)
    again = trajectory(lambda params: SGD(params, lr=lr), NOISY_VALLEY, steps=steps, seed=7)
    np.testing.assert_array_equal(again, path)
    other = trajectory(lambda params: SGD(params, lr=lr), NOISY_VALLEY, steps=steps, seed=8)
    assert not np.array_equal(other, path)


def test_trajectory_marks_divergence_with_nan_rows_and_no_warning():
    # lr = 0.1 multiplies y by 1 - 25 * 0.1 = -1.5 per step: it overflows near step 1750.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = trajectory(lambda params: SGD(params, lr=0.1), VALLEY, steps=3000)
    finite = np.isfinite(path).all(axis=1)
    last = np.flatnonzero(finite)[-1]
    assert 1500 < last < 2000 and finite[: last + 1].all() and np.isnan(path[last + 1 :]).all()


def test_adam_escapes_the_saddle_that_gradient_descent_creeps_away_from():
    # At y = 1e-3 the gradient across the saddle is 1e-3: SGD's y grows by 1 + lr per step,
    # Adam's by about lr per step whatever the gradient's size.
    sgd = trajectory(lambda params: SGD(params, lr=0.05), SADDLE, steps=40)
    adam = trajectory(lambda params: Adam(params, lr=0.05), SADDLE, steps=40)
    assert abs(sgd[-1, 1]) == pytest.approx(1e-3 * 1.05**40, rel=0.01)
    assert abs(adam[-1, 1]) > 0.5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"steps": -1}, "steps must be"),
        ({"steps": 2.5}, "steps must be"),
        ({"start": (1, 2, 3)}, "start must be"),
    ],
)
def test_trajectory_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        trajectory(lambda params: SGD(params), VALLEY, **kwargs)


# -- sections the pages include ---------------------------------------------------------


def test_sections_run_after_setup_and_the_optimizer_base():
    code = dict(
        re.findall(
            r"# --8<-- \[start:(\w+)\]\n(.*?)# --8<-- \[end:\1\]", OPTIMIZERS_PY.read_text(), re.S
        )
    )
    names = [
        "sgd",
        "heavy_ball",
        "ema_momentum",
        "rmsprop",
        "adagrad",
        "no_bias_correction",
        "trajectory",
    ]
    assert list(code) == ["setup", "optimizer", *names]
    assert not re.search(r"\[start:\w+\](?:(?!\[end:).)*\[start:", OPTIMIZERS_PY.read_text(), re.S)
    for name in names:
        namespace = {}
        for part in ["setup", "optimizer", name]:
            exec(compile(code[part], f"optimizers.py[{part}]", "exec"), namespace)
    namespace = {}
    for part in ["setup", "optimizer", "sgd", "trajectory"]:
        exec(compile(code[part], f"optimizers.py[{part}]", "exec"), namespace)
    path = namespace["trajectory"](
        lambda params: namespace["SGD"](params, lr=0.03), VALLEY, steps=5
    )
    np.testing.assert_array_equal(
        path, trajectory(lambda params: SGD(params, lr=0.03), VALLEY, steps=5)
    )
