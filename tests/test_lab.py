"""The lab's network (snippets/lab.py): data, backward pass, training loop, optimizers."""

from __future__ import annotations

import numpy as np
import pytest

from snippets import figures, lab
from snippets.adam import Adam
from snippets.optimizers import SGD


def numeric_gradient(params, X, y, h=1e-6):
    """Every partial derivative of the loss by central differences, independently of lab."""
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + h
            up = lab.loss_and_grads(params, X, y)[0]
            p[i] = old - h
            down = lab.loss_and_grads(params, X, y)[0]
            p[i] = old
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def test_backward_pass_matches_finite_differences_for_every_weight():
    X, y = lab.make_spirals(30, seed=3)
    params = lab.init_mlp(sizes=(2, 5, 4, 1), seed=2)
    params = [p + 0.1 for p in params]  # nonzero biases too
    _, grads = lab.loss_and_grads(params, X, y)
    for g, expected in zip(grads, numeric_gradient(params, X, y), strict=True):
        assert g.shape == expected.shape
        np.testing.assert_allclose(g, expected, rtol=1e-5, atol=1e-9)


def test_the_loss_is_the_mean_logistic_loss():
    params = [np.zeros((2, 1)), np.array([np.log(3.0)])]  # z = log 3: p(class 1) = 3/4
    X, y = np.ones((4, 2)), np.array([1.0, 1.0, 0.0, 1.0])
    loss, _ = lab.loss_and_grads(params, X, y)
    assert loss == pytest.approx(-(3 * np.log(0.75) + np.log(0.25)) / 4)
    assert lab.accuracy(params, X, y) == 0.75


def test_spirals_are_two_balanced_classes_on_two_arms_half_a_turn_apart():
    X, y = lab.make_spirals(400, noise=0.0, seed=5)
    assert X.shape == (400, 2) and set(y) == {0.0, 1.0} and y.sum() == 200
    radius = np.hypot(*X.T)
    assert radius.max() <= 2.0 + 1e-12
    # Without noise a point of class c at radius r sits at the angle 1.75 pi r + pi c.
    angle = 1.75 * np.pi * radius + np.pi * y
    np.testing.assert_allclose(X, radius[:, None] * np.column_stack([np.cos(angle),
                                                                     np.sin(angle)]),
                               atol=1e-12)
    again, _ = lab.make_spirals(400, noise=0.0, seed=5)
    assert (again == X).all()


def test_training_starts_every_optimizer_from_the_same_weights_and_batches():
    data = (*lab.make_spirals(40, seed=0), *lab.make_spirals(40, seed=1))
    still = lab.train(lambda p: SGD(p, lr=0.0), data, epochs=3)
    for p, q in zip(still["params"], lab.init_mlp(seed=0), strict=True):
        assert (p == q).all()
    assert len(set(still["loss"])) == 1 and len(still["loss"]) == 4
    one, two = (lab.train(lambda p: Adam(p, lr=0.01), data, epochs=3) for _ in range(2))
    assert (one["loss"] == two["loss"]).all()


def test_adam_learns_the_spirals():
    data = (*lab.make_spirals(400, seed=0), *lab.make_spirals(400, seed=1))
    history = lab.train(lambda p: Adam(p, lr=0.01), data, epochs=100)
    assert history["loss"][-1] < 0.1 < 0.5 < history["loss"][0]
    assert history["val_accuracy"][-1] > 0.9


def test_the_lab_s_optimizers_and_colours():
    assert list(lab.OPTIMIZERS) == ["SGD", "momentum", "RMSProp", "Adam", "AdamW"]
    for name, (colour, style, make) in lab.OPTIMIZERS.items():
        assert colour == figures.COLORS[name.lower() if name != "SGD" else "sgd"]
        assert style in ("-", "--")
        make([np.zeros(2)])
    adamw = lab.OPTIMIZERS["AdamW"][2]([np.zeros(2)])
    assert adamw.decoupled_weight_decay and adamw.weight_decay == 0.01


def test_weight_norm_counts_the_weights_and_not_the_biases():
    params = [np.full((2, 2), 1.0), np.full(2, 100.0), np.array([[2.0]]), np.array([7.0])]
    assert lab.weight_norm(params) == pytest.approx(np.sqrt(4 + 4))
