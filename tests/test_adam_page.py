"""The /adam/ page (snippets/adam_page.py): the efficient form, the worked example."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.adam import Adam, adam_step
from snippets.adam_page import (
    adam_step_efficient,
    example3_paths,
    fit,
    loss_and_grads,
    make_data,
)
from snippets.optimizers import SGD


def _run(step, steps=50, **kw):
    rng = np.random.default_rng(1)
    p, m, v = rng.standard_normal(20), np.zeros(20), np.zeros(20)
    out = []
    for t in range(1, steps + 1):
        g = rng.standard_normal(20) * np.logspace(-9, 1, 20)
        p, m, v = step(p, g, m, v, t, **kw(t) if callable(kw) else kw)
        out.append(p)
    return np.array(out)


def test_efficient_form_with_eps_hat_eps_sqrt_one_minus_beta2_t_is_algorithm_1():
    reference = _run(adam_step, lr=0.01)
    folded = _run(adam_step_efficient, lr=0.01)  # placeholder eps_hat, overwritten below
    rng = np.random.default_rng(1)
    p, m, v = rng.standard_normal(20), np.zeros(20), np.zeros(20)
    for t in range(1, 51):
        g = rng.standard_normal(20) * np.logspace(-9, 1, 20)
        p, m, v = adam_step_efficient(p, g, m, v, t, lr=0.01,
                                      eps_hat=1e-8 * np.sqrt(1 - 0.999**t))
        folded[t - 1] = p
    np.testing.assert_allclose(folded, reference, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("t", [1, 10, 1000])
def test_a_fixed_eps_hat_is_algorithm_1_with_eps_over_sqrt_one_minus_beta2_t(t):
    g, m, v = np.array([3e-7, -1e-6, 2.0]), np.full(3, 1e-8), np.full(3, 1e-14)
    keras, _, _ = adam_step_efficient(np.zeros(3), g, m, v, t, lr=1.0, eps_hat=1e-8)
    alg1, _, _ = adam_step(np.zeros(3), g, m, v, t, lr=1.0,
                           epsilon=1e-8 / np.sqrt(1 - 0.999**t))
    np.testing.assert_allclose(keras, alg1, rtol=1e-12)


def test_the_first_keras_step_on_a_gradient_of_1e_6_is_0_76_lr():
    keras, _, _ = adam_step_efficient(np.zeros(1), np.array([1e-6]), np.zeros(1),
                                      np.zeros(1), 1, lr=1.0, eps_hat=1e-8)
    assert -keras[0] == pytest.approx(1e-6 / (1e-6 + 1e-8 / np.sqrt(0.001)), rel=1e-9)
    assert -keras[0] == pytest.approx(0.7597, abs=1e-4)


def test_logistic_loss_gradients_match_finite_differences():
    X, y = make_data(n=40, seed=2)
    w, b = np.array([0.3, -0.1, 2.0]), np.array([0.2])
    _, grad_w, grad_b = loss_and_grads(w, b, X, y)
    h = 1e-6
    for i in range(3):
        e = np.eye(3)[i] * h
        numeric = (loss_and_grads(w + e, b, X, y)[0] - loss_and_grads(w - e, b, X, y)[0]) / 2 / h
        assert grad_w[i] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    numeric_b = (loss_and_grads(w, b + h, X, y)[0] - loss_and_grads(w, b - h, X, y)[0]) / 2 / h
    assert grad_b[0] == pytest.approx(numeric_b, rel=1e-6)


def test_adam_trains_the_worked_example_where_no_sgd_learning_rate_gets_below_0_40():
    X, y = make_data()
    losses = fit(lambda p: Adam(p, lr=0.1), X, y)
    assert losses[0] == pytest.approx(np.log(2))
    assert losses[-1] < 0.335 and all(np.diff(losses[100:]) <= 1e-12)
    for lr in (0.02, 0.05, 0.1, 0.15, 0.3):
        assert fit(lambda p, lr=lr: SGD(p, lr=lr), X, y)[-1] > 0.40


def test_example_3_in_a_loop_goes_nowhere_while_adam_follows_the_mean_gradient():
    adam_path, post_path = example3_paths(200)
    assert adam_path[-1] == pytest.approx(-0.2151, abs=1e-4)
    assert abs(post_path[-1]) < 0.01
    assert np.abs(np.diff(post_path)).mean() > 0.009  # it moves about lr every step


def test_adam_step_refuses_t_zero():
    with pytest.raises(ValueError, match="t must be >= 1"):
        adam_step(np.zeros(1), np.ones(1), np.zeros(1), np.zeros(1), t=0)
