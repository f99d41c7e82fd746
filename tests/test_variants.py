"""The /variants/ page (snippets/variants.py): each variant from scratch, and checked.

Tests marked ``frameworks`` compare Adamax, NAdam and RAdam with torch.optim and Optax
(and Keras where it computes the same), and reproduce the AMSGrad counterexample with
torch.optim.Adam; they are skipped where those are not installed (``make frameworks``).
"""

from __future__ import annotations

import inspect
import math
import os

import numpy as np
import pytest

from snippets.adam import Adam
from snippets.optimizers import SGD, trajectory
from snippets.surfaces import ROSENBROCK
from snippets.variants import (
    VARIANTS,
    Adamax,
    NAdam,
    RAdam,
    average_regret,
    online_adam,
    rectification,
    reddi_gradient,
    weight_norms,
)

frameworks = pytest.mark.frameworks


def random_grads(steps=400, seed=5):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(8) * np.logspace(-3, 1, 8) for _ in range(steps)]


def run_numpy(make, grads, start=None):
    w = np.ones(len(grads[0])) if start is None else np.array(start, dtype=np.float64)
    optimizer = make([w])
    for g in grads:
        optimizer.step([np.asarray(g, dtype=np.float64)])
    return w


def assert_close(ours, theirs):
    assert np.max(np.abs(ours - np.asarray(theirs))) <= 1e-12 * np.max(np.abs(ours))


# -- AdamW against L2 ------------------------------------------------------------------


def test_adamw_decays_every_group_alike_whatever_its_gradient_scale():
    rms = weight_norms(decoupled=True)
    np.testing.assert_allclose(rms[:, 0], rms[:, 2], rtol=1e-6)  # 0.01 and 100: the same
    assert rms[-1, 0] == pytest.approx(0.237, abs=0.001)


def test_l2_inside_adam_decays_small_gradient_weights_most_and_large_ones_not_at_all():
    rms = weight_norms(decoupled=False)
    assert rms[200, 0] < 0.05  # scale 0.01: gone within 200 steps
    assert rms[-1, 0] < rms[-1, 1] < 1 < rms[-1, 2]  # scale 100: never decayed


def test_for_sgd_l2_and_decoupled_decay_are_the_same_step():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(5) for _ in range(50)]
    w_l2, w_decay = np.ones(5), np.ones(5)
    l2, plain = SGD([w_l2], lr=0.1), SGD([w_decay], lr=0.1)
    for g in grads:
        l2.step([g + 0.3 * w_l2])  # the gradient of loss + 0.3/2 |w|^2
        w_decay -= 0.1 * 0.3 * w_decay  # theta <- theta - lr * lambda * theta
        plain.step([g])
    np.testing.assert_allclose(w_l2, w_decay, rtol=1e-12)


# -- AMSGrad and the counterexample ----------------------------------------------------------


def test_reddi_problem_has_its_optimum_at_minus_one():
    assert [reddi_gradient(t) for t in range(1, 7)] == [3.0, -1.0, -1.0, 3.0, -1.0, -1.0]
    # Over one period the losses add up to (C - 2) x: least at x = -1 when C > 2.
    assert sum(reddi_gradient(t, 3.0) for t in range(1, 4)) == pytest.approx(1.0)


@pytest.mark.parametrize("x1", [1.0, 0.0, -1.0])
def test_adam_goes_to_plus_one_and_amsgrad_to_minus_one_from_any_start(x1):
    assert online_adam(30_000, x1=x1)[-1] > 0.99
    assert online_adam(30_000, amsgrad=True, x1=x1)[-1] < -0.99


def test_papers_conditions_hold_in_the_run():
    C, alpha = 3.0, 0.5  # the defaults of online_adam
    beta2 = 1 / (1 + C**2)
    assert C > 2 and alpha < math.sqrt(1 - beta2)


def test_average_regret_is_two_thirds_for_adam_and_tends_to_zero_for_amsgrad():
    adam = average_regret(online_adam(30_000))
    amsgrad = average_regret(online_adam(30_000, amsgrad=True))
    assert adam[-1] == pytest.approx(2 / 3, abs=0.005)  # (C - 2) * 2 / 3 per step at x = 1
    assert amsgrad[-1] < 0.01 and amsgrad[-1] < amsgrad[3000] < amsgrad[300]


def test_average_regret_by_hand():
    xs = np.array([1.0, 0.5, -1.0, 0.0])  # x_1..x_3, and x_4 unused
    losses = 3 * 1.0 - 1 * 0.5 - 1 * -1.0  # g = 3, -1, -1
    best = -abs(3 - 1 - 1)  # x = -1
    assert average_regret(xs)[-1] == pytest.approx((losses - best) / 3)


# -- Adamax, NAdam, RAdam ---------------------------------------------------------------------


def test_adamax_never_steps_further_than_the_learning_rate():
    w = np.zeros(8)
    optimizer = Adamax([w], lr=0.01)
    for g in random_grads():
        before = w.copy()
        optimizer.step([g])
        assert np.all(np.abs(w - before) <= 0.01 * (1 + 1e-12))


def test_nadam_with_constant_momentum_is_the_nesterov_form_of_adam():
    grads = random_grads(100)
    ours = run_numpy(lambda ps: NAdam(ps, lr=0.01, momentum_decay=math.inf), grads)
    w, m, v = np.ones(8), np.zeros(8), np.zeros(8)  # optax.nadam's formula
    for t, g in enumerate(grads, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        m_bar = 0.9 * m / (1 - 0.9 ** (t + 1)) + 0.1 * g / (1 - 0.9**t)
        w = w - 0.01 * m_bar / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(ours, w, rtol=1e-12)


def test_nadam_rejects_a_negative_momentum_decay():
    with pytest.raises(ValueError, match="momentum_decay must be >= 0"):
        NAdam([np.zeros(1)], momentum_decay=-1.0)


def test_rectification_is_zero_for_five_steps_then_rises_to_one():
    assert [rectification(t) for t in range(1, 6)] == [0.0] * 5
    assert rectification(6) == pytest.approx(0.0258, abs=1e-4)
    assert rectification(1000) == pytest.approx(0.645, abs=1e-3)
    assert rectification(20_000) == pytest.approx(1.0, abs=1e-6)


def test_radam_first_five_steps_are_momentum_sgd_whatever_the_gradients_size():
    w = np.zeros(1)
    optimizer = RAdam([w], lr=0.1)
    for _ in range(5):
        optimizer.step([np.array([-1000.0])])
    assert w[0] == pytest.approx(5 * 0.1 * 1000.0)  # m_hat = g: steps of lr * |g|


def test_radam_explodes_on_rosenbrock_where_adam_creeps():
    path = trajectory(lambda p: RAdam(p, lr=0.02), ROSENBROCK, start=(-1.2, 1.0), steps=6)
    assert abs(path[5, 0]) > 1e50
    adam = trajectory(lambda p: Adam(p, lr=0.02), ROSENBROCK, start=(-1.2, 1.0), steps=6)
    assert np.all(np.abs(np.diff(adam[:, 0])) < 0.03)


@pytest.mark.parametrize("make", [Adamax, NAdam, RAdam])
def test_a_bad_gradient_changes_nothing_not_even_t(make):
    w = np.ones(2)
    optimizer = make([w])
    with pytest.raises(ValueError, match="holds nan"):
        optimizer.step([np.array([1.0, np.nan])])
    assert optimizer.t == 0 and np.all(w == 1)


def test_every_variant_reaches_the_valley_floor():
    from snippets.surfaces import VALLEY

    for name, (_, make) in VARIANTS.items():
        end = trajectory(make, VALLEY, steps=200)[-1]
        assert VALLEY.loss(*end) < 0.2, name


# -- Against the frameworks -------------------------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: make frameworks")
    torch.set_num_threads(1)
    return torch


@pytest.fixture(scope="module")
def jax_optax():
    jax = pytest.importorskip("jax", reason="JAX is not installed: make frameworks")
    optax = pytest.importorskip("optax", reason="Optax is not installed: make frameworks")
    jax.config.update("jax_enable_x64", True)
    return jax, optax


@pytest.fixture(scope="module")
def keras(jax_optax):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = pytest.importorskip("keras", reason="Keras is not installed: make frameworks")
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend than JAX before this test")
    return keras


def run_torch(torch, make, grads):
    w = torch.ones(len(grads[0]), dtype=torch.float64, requires_grad=True)
    optimizer = make([w])
    for g in grads:
        w.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
    return w.detach().numpy()


def run_optax(jax_optax, transform, grads):
    jax, optax = jax_optax
    w = jax.numpy.ones(len(grads[0]), dtype=jax.numpy.float64)
    state = transform.init(w)

    @jax.jit
    def step(w, state, g):
        updates, state = transform.update(g, state, w)
        return optax.apply_updates(w, updates), state

    for g in grads:
        w, state = step(w, state, jax.numpy.asarray(g))
    return np.asarray(w)


def run_keras(keras, optimizer, grads):
    keras.config.set_floatx("float64")  # the learning rate in float64 too
    try:
        w = keras.Variable(np.ones(len(grads[0])), dtype="float64")
        optimizer = optimizer()
        for g in grads:
            optimizer.apply([keras.ops.convert_to_tensor(g)], [w])
    finally:
        keras.config.set_floatx("float32")
    return np.array(w.value)


@frameworks
def test_adamax_matches_torch_and_optax(torch, jax_optax):
    grads = random_grads()
    ours = run_numpy(lambda ps: Adamax(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6), grads)
    assert_close(ours, run_torch(
        torch, lambda ps: torch.optim.Adamax(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6), grads))
    assert_close(ours, run_optax(
        jax_optax, jax_optax[1].adamax(0.01, b1=0.8, b2=0.99, eps=1e-6), grads))


@frameworks
def test_keras_adamax_puts_epsilon_outside_the_max_and_is_ours_without_it(keras):
    grads = random_grads()
    ours = run_numpy(lambda ps: Adamax(ps, lr=0.01, eps=0.0), grads)
    make = lambda: keras.optimizers.Adamax(learning_rate=0.01, epsilon=0.0)  # noqa: E731
    assert_close(ours, run_keras(keras, make, grads))
    with_eps = lambda: keras.optimizers.Adamax(learning_rate=0.01, epsilon=1e-3)  # noqa: E731
    theirs = run_keras(keras, with_eps, grads)
    assert np.abs(run_numpy(lambda ps: Adamax(ps, lr=0.01, eps=1e-3), grads) - theirs).max() > 1e-6


@frameworks
def test_nadam_matches_torch_with_its_momentum_schedule(torch):
    # PyTorch keeps the product of the mu_t in the default dtype, float32 unless changed:
    # with float64 as the default, it computes what NAdam computes here.
    grads = random_grads()
    torch.set_default_dtype(torch.float64)
    try:
        for decay in (4e-3, 1.0, math.inf):
            ours = run_numpy(lambda ps, d=decay: NAdam(ps, lr=0.01, momentum_decay=d), grads)
            theirs = run_torch(
                torch, lambda ps, d=decay: torch.optim.NAdam(ps, lr=0.01, momentum_decay=d),
                grads)
            assert_close(ours, theirs)
    finally:
        torch.set_default_dtype(torch.float32)
    theirs = run_torch(torch, lambda ps: torch.optim.NAdam(ps, lr=0.01), grads)
    gap = np.abs(run_numpy(lambda ps: NAdam(ps, lr=0.01), grads) - theirs).max()
    assert 1e-12 < gap < 1e-8  # float32 rounding of the product, no more


@frameworks
def test_optax_nadam_is_nadam_with_a_constant_momentum(jax_optax):
    grads = random_grads()
    ours = run_numpy(lambda ps: NAdam(ps, lr=0.01, momentum_decay=math.inf), grads)
    assert_close(ours, run_optax(jax_optax, jax_optax[1].nadam(0.01), grads))
    scheduled = run_numpy(lambda ps: NAdam(ps, lr=0.01), grads)  # PyTorch's default
    assert np.abs(scheduled - ours).max() > 1e-4


@frameworks
def test_keras_nadam_is_nadam_with_momentum_decay_one_and_epsilon_as_algorithm_1(keras):
    grads = random_grads()
    ours = run_numpy(lambda ps: NAdam(ps, lr=0.01, eps=1e-3, momentum_decay=1.0), grads)
    make = lambda: keras.optimizers.Nadam(learning_rate=0.01, epsilon=1e-3)  # noqa: E731
    assert_close(ours, run_keras(keras, make, grads))


@frameworks
def test_radam_matches_optax_and_torch_with_no_epsilon(torch, jax_optax):
    grads = random_grads()
    ours = run_numpy(lambda ps: RAdam(ps, lr=0.01), grads)
    assert_close(ours, run_optax(jax_optax, jax_optax[1].radam(0.01), grads))
    no_eps = run_numpy(lambda ps: RAdam(ps, lr=0.01, eps=0.0), grads)
    assert_close(no_eps, run_torch(torch, lambda ps: torch.optim.RAdam(ps, lr=0.01, eps=0.0),
                                   grads))


@frameworks
def test_torch_radam_adds_eps_before_the_bias_correction(torch):
    # A steady gradient g: m_hat = g, v_hat = g^2. After step 6, each step is
    # lr * r_t * g / (|g| + eps / sqrt(1 - beta2^t)) in PyTorch, lr * r_t * g / (|g| + eps)
    # in Optax and here.
    g, eps, lr = 1e-4, 1e-4, 0.1
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.RAdam([w], lr=lr, eps=eps)
    for _ in range(10):
        before = w.item()
        w.grad = torch.tensor([g], dtype=torch.float64)
        optimizer.step()
    step = before - w.item()
    assert step == pytest.approx(lr * rectification(10) * g / (g + eps / math.sqrt(1 - 0.999**10)),
                                 rel=1e-9)
    ours = np.zeros(1)
    radam = RAdam([ours], lr=lr, eps=eps)
    for _ in range(10):
        before_ours = ours[0]
        radam.step([np.array([g])])
    assert before_ours - ours[0] == pytest.approx(lr * rectification(10) * g / (g + eps),
                                                  rel=1e-9)


@frameworks
def test_torch_radam_explodes_on_rosenbrock_exactly_as_ours(torch):
    ours = trajectory(lambda p: RAdam(p, lr=0.02), ROSENBROCK, start=(-1.2, 1.0), steps=3)
    w = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.RAdam([w], lr=0.02)
    for k in range(1, 4):
        optimizer.zero_grad()
        ROSENBROCK.loss(w[0], w[1]).backward()
        optimizer.step()
        np.testing.assert_allclose(w.detach().numpy(), ours[k], rtol=1e-12)


@frameworks
def test_keras_has_adamax_nadam_and_adamw_but_no_amsgrad_class_and_no_radam(keras):
    names = set(dir(keras.optimizers))
    assert {"Adam", "AdamW", "Adamax", "Nadam"} <= names
    assert not names & {"RAdam", "Radam", "AMSGrad", "Amsgrad"}


@frameworks
def test_variant_defaults_in_torch_and_optax(torch, jax_optax):
    _, optax = jax_optax
    p = [torch.zeros(1, requires_grad=True)]
    assert torch.optim.Adamax(p).defaults["lr"] == 2e-3
    assert torch.optim.NAdam(p).defaults["lr"] == 2e-3
    assert torch.optim.NAdam(p).defaults["momentum_decay"] == 4e-3
    assert torch.optim.RAdam(p).defaults["lr"] == 1e-3
    assert optax.nadam.keywords == {"nesterov": True} and optax.nadam.func is optax.adam
    threshold = inspect.signature(optax.radam).parameters["threshold"].default
    assert threshold == 5.0
    ours = inspect.signature(NAdam).parameters
    assert (ours["lr"].default, ours["momentum_decay"].default) == (2e-3, 4e-3)


@frameworks
@pytest.mark.parametrize("amsgrad", [False, True])
def test_torch_adam_reproduces_the_counterexample(torch, amsgrad):
    # torch.optim.Adam has bias correction and eps, which the paper's Adam has not: the
    # outcome is the same, +1 for Adam and -1 for AMSGrad.
    C = 3.0
    w = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=0.5, betas=(0.0, 1 / (1 + C**2)), eps=1e-12,
                                 amsgrad=amsgrad)
    for t in range(1, 3001):
        optimizer.param_groups[0]["lr"] = 0.5 / math.sqrt(t)
        w.grad = torch.tensor([reddi_gradient(t, C)], dtype=torch.float64)
        optimizer.step()
        with torch.no_grad():
            w.clamp_(-1.0, 1.0)  # projection onto [-1, 1]
    assert w.item() == pytest.approx(-1.0 if amsgrad else 1.0, abs=0.01)
    ours = online_adam(3000, C, amsgrad=amsgrad)[-1]
    assert w.item() == pytest.approx(ours, abs=1e-6)
