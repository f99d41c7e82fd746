"""The lab's network (snippets/lab.py): data, backward pass, training loop, optimizers."""

from __future__ import annotations

import jupytext
import numpy as np
import pytest
from conftest import ROOT

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


# --- what the notebook's Markdown says (notebooks/lab.py), checked on the notebook's runs ---


def notebook_says(name: str, phrase: str) -> None:
    """Assert that the Markdown of ``notebooks/<name>.py`` states ``phrase`` (line breaks,
    comment marks and case aside), as the ``says`` fixture does for a page."""
    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py", fmt="py:percent")
    text = " ".join(" ".join(c.source for c in nb.cells if c.cell_type == "markdown").split())
    assert " ".join(phrase.split()).lower() in text.lower(), (
        f"notebooks/{name}.py no longer says {phrase!r}"
    )


def test_claim_each_optimizer_gets_its_grid_s_best_rate_but_adam_keeps_adamw_s():
    notebook_says("lab", "Each optimizer gets the learning rate that ends with the lowest "
                  "training loss on a grid")
    notebook_says("lab", "The one exception is Adam")
    for name in ("SGD", "momentum", "RMSProp", "AdamW"):
        assert lab.tuned_lr(name) in lab.GRIDS[name]
        assert lab.best_on_grid(name) == lab.tuned_lr(name), name
    assert lab.tuned_lr("Adam") == lab.best_on_grid("AdamW") != lab.best_on_grid("Adam")
    assert lab.lab_adam_best_grid_loss() < lab.lab_loss_adam() < 1.2 * lab.lab_adam_best_grid_loss()
    # the grids are spaced by factors of about 3
    for grid in lab.GRIDS.values():
        assert all(2.9 < b / a < 3.4 for a, b in zip(grid[:-1], grid[1:], strict=True))


def test_claim_adam_and_rmsprop_end_with_a_lower_training_loss_than_sgd_and_momentum():
    notebook_says("lab", "Adam and RMSProp, which scale each weight's step by its own gradient "
                  "history, end with a training loss [[value: lab-loss-ratio-min]] to "
                  "[[value: lab-loss-ratio-max]] times lower than SGD and momentum")
    slow = [lab.final_loss(n) for n in ("SGD", "momentum")]
    fast = [lab.final_loss(n) for n in ("RMSProp", "Adam")]
    assert max(fast) < min(slow) / 2
    assert lab.lab_loss_ratio_min() == min(slow) / max(fast)
    assert lab.lab_loss_ratio_max() == max(slow) / min(fast)


def test_claim_three_times_the_best_rate_raises_every_loss_adams_included_sgds_most():
    notebook_says("lab", "give each one three times its best learning rate on the grid (SGD "
                  "3, momentum 0.3, RMSProp 0.03, and Adam 0.09: Adam's best on the grid is "
                  "[[value: lab-adam-best-grid-lr]], not the 0.01 it races with)")
    notebook_says("lab", "then a third of the best rate (SGD 0.3, momentum 0.03, RMSProp "
                  "0.003, Adam 0.01)")
    notebook_says("lab", "Three times its best rate raises every optimizer's training loss, "
                  "Adam's included: SGD's [[value: lab-triple-ratio-sgd]] times, Adam's "
                  "[[value: lab-triple-ratio-adam]] times, momentum's "
                  "[[value: lab-triple-ratio-momentum]] times and RMSProp's "
                  "[[value: lab-triple-ratio-rmsprop]] times. Too large a rate hurts SGD most")
    notebook_says("lab", "A third of the best rate raises every loss too, from "
                  "[[value: lab-third-ratio-min]] times (Adam) to "
                  "[[value: lab-third-ratio-max]] times (RMSProp).")
    from snippets.values import REGISTRY

    names = ("SGD", "momentum", "RMSProp", "Adam")
    # the best rates, as on the grid (the tuned ones but Adam's: the other test checks them)
    assert {n: lab.best_lr(n) for n in names} == {"SGD": 1.0, "momentum": 0.1,
                                                  "RMSProp": 0.01, "Adam": 0.03}
    assert lab.best_lr("Adam") == lab.best_on_grid("Adam") == lab.lab_adam_best_grid_lr()
    assert [lab._rate_times(n, 3) for n in names] == [3, 0.3, 0.03, 0.09]  # as the text says
    assert [lab._rate_times(n, 1 / 3) for n in names] == [0.3, 0.03, 0.003, 0.01]
    best = {n: lab.final_loss(n, lab.best_lr(n)) for n in names}
    assert best["Adam"] == lab.lab_adam_best_grid_loss()
    triple = {n: lab.final_loss(n, lab._rate_times(n, 3)) / best[n] for n in names}
    third = {n: lab.final_loss(n, lab._rate_times(n, 1 / 3)) / best[n] for n in names}
    for n in names:
        assert triple[n] == REGISTRY[f"lab-triple-ratio-{n.lower()}"].compute()
    assert min(triple.values()) > 1.5  # every loss rises, Adam's included
    assert triple["Adam"] > 1.5 * min(triple.values())  # Adam is not the least hurt
    assert max(triple, key=triple.get) == "SGD"  # SGD most
    assert lab.lab_accuracy_sgd_triple() < 0.7 < 0.9 < lab.lab_accuracy_sgd()
    assert all(third[n] > 1 for n in names)
    assert min(third, key=third.get) == "Adam" and max(third, key=third.get) == "RMSProp"
    assert (lab.lab_third_ratio_min(), lab.lab_third_ratio_max()) == (third["Adam"],
                                                                      third["RMSProp"])


def test_claim_without_bias_correction_the_run_does_not_recover_within_100_epochs():
    notebook_says("lab", "the run does not recover from them within 100 epochs")
    assert lab.lab_loss_no_bias_correction() > 2 * lab.lab_loss_adam()
    assert lab.lab_accuracy_no_bias_correction() < lab.lab_accuracy_adam() - 0.03


def test_claim_weight_decay_shrinks_the_biases_too():
    notebook_says("lab", "Both shrink every parameter the optimizer is given, the biases "
                  "included")
    for decoupled in (False, True):
        params = lab.init_mlp(seed=0)
        params = [p + 1.0 for p in params]  # biases start at 1, not 0
        before = [p.copy() for p in params]
        optimizer = Adam(params, lr=0.01, weight_decay=0.01,
                         decoupled_weight_decay=decoupled)
        optimizer.step([np.zeros_like(p) for p in params])  # no gradient: only the decay
        for p, q in zip(params[1::2], before[1::2], strict=True):  # the biases
            assert (np.abs(p) < np.abs(q)).all(), decoupled


def test_claim_l2_shrinks_the_weights_and_the_fit_adamw_costs_little():
    notebook_says("lab", "As an L2 penalty it shrinks the weights [[value: lab-l2-shrink]] "
                  "times and the network no longer fits the spirals")
    notebook_says("lab", "On this small problem neither improves the validation accuracy")
    notebook_says("lab", "a stronger decay trades training loss for smaller weights")
    assert lab.lab_l2_shrink() > 3 and lab.lab_l2_accuracy() < 0.75
    assert 0 < lab.lab_adamw_shrink() < 0.1
    assert lab.lab_adamw_decay_per_step() == pytest.approx(1e-4)
    adam = lab.final_accuracy("Adam")
    assert lab.lab_l2_accuracy() <= adam and lab.final_accuracy("AdamW") <= adam
    assert lab.lab_norm_adamw_strong() < lab.lab_norm_adamw()
    assert lab.lab_loss_adamw_strong() > lab.final_loss("AdamW")


def test_the_lab_s_values_are_the_runs_of_its_cells():
    """lab_run trains as the race cell does, bit for bit: the same optimizers as OPTIMIZERS
    (lab_run trains all its runs in lockstep, with each optimizer's arithmetic rewritten
    for a stack of networks: every kind of run is checked here against `train`)."""
    data = lab.lab_data()
    runs = {name: (lab.OPTIMIZERS[name][2], (name, lab.tuned_lr(name))) for name in lab.OPTIMIZERS}
    adam = lab.tuned_lr("Adam")
    for name, decay in (("L2", 0.01), ("no bias correction", 0.01), ("AdamW", 0.1)):
        runs[name] = (lab.make_optimizer(name, adam, decay), (name, adam, decay))
    runs["Adam grid"] = (lab.make_optimizer("Adam", 0.1), ("Adam", 0.1))
    runs["Adam, Exercise 1"] = (lab.make_optimizer("Adam", 0.09), ("Adam", 0.09))
    for make, key in runs.values():
        assert key in [run[: len(key)] for run in lab.lab_runs()], key
        cell = lab.train(make, data, epochs=lab.EPOCHS)
        run = lab.lab_run(*key)
        assert cell["loss"][-1] == run["loss"], key
        assert cell["val_accuracy"][-1] == run["val_accuracy"], key
        for p, q in zip(cell["params"], run["params"], strict=True):
            assert (p == q).all(), key
    assert lab.lab_steps_per_epoch() == 13 == -(-len(data[1]) // 32)


def test_claim_the_overlapping_points_cap_the_validation_accuracy():
    notebook_says("lab", "even the best possible classifier, one that knows how the spirals "
                  "were drawn, gets only [[value: lab-bayes-accuracy]] of the validation "
                  "points right")
    # Without noise the best classifier makes no mistake; with it, fewer than 10%.
    X, y = lab.make_spirals(400, noise=0.0, seed=1)
    assert lab.bayes_accuracy(X, y, noise=0.05) == 1.0
    best = lab.lab_bayes_accuracy()
    assert 0.9 < best < 1.0
    assert all(lab.final_accuracy(name) <= best for name in lab.OPTIMIZERS)
