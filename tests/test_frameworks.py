"""The /frameworks/ page (snippets/frameworks.py): every tab, every cell of the table.

Tests marked ``frameworks`` run PyTorch, JAX/Optax or Keras and are skipped, saying
which, where those are not installed (``make frameworks``). What tests/
test_frameworks_adam.py already proves (the reference Adam against torch.optim.Adam and
AdamW, optax.adam and adamw, option by option, in float64 and float32) is not repeated:
this file checks the page's tabs, the NumPy models of Keras and Optax on the page, and
the claims of the differences table that file does not cover.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import math
import os
import textwrap
from pathlib import Path

import numpy as np
import pytest
from need import need

from snippets.adam import Adam, adam_step
from snippets.frameworks import (
    LR,
    SPIKE,
    START,
    KerasAdam,
    adam_denominators,
    adam_step_efficient,
    amsgrad_denominators,
    eps_growth_1000,
    eps_growth_first_step,
    keras_epsilon,
    keras_gap,
    optax_adam_step,
    reference_path,
    rosenbrock_grad_by_hand,
)

ROOT = Path(__file__).resolve().parents[1]
NUMPY_TAB = ["adam.py:setup", "adam.py:checks", "adam.py:adam_step",
             "frameworks.py:problem", "frameworks.py:grad", "frameworks.py:numpy"]
frameworks = pytest.mark.frameworks


def run_sections(*refs: str) -> tuple[dict, str]:
    """Run snippets sections ("module.py:name") in one namespace, as the page runs them."""
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        for ref in refs:
            module, name = ref.split(":")
            source = (ROOT / "snippets" / module).read_text()
            start, end = f"# --8<-- [start:{name}]\n", f"# --8<-- [end:{name}]"
            body = source.split(start, 1)[1].split(end, 1)[0]
            lines = [line for line in body.splitlines() if "# --8<-- [" not in line]
            exec(compile(textwrap.dedent("\n".join(lines)), f"<{ref}>", "exec"), namespace)
    return namespace, printed.getvalue()


@pytest.fixture(scope="module")
def torch():
    torch = need("torch")
    torch.set_num_threads(1)
    return torch


@pytest.fixture(scope="module")
def jax_optax():
    jax = need("jax")
    optax = need("optax")
    jax.config.update("jax_enable_x64", True)
    return jax, optax


@pytest.fixture(scope="module")
def keras(jax_optax):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = need("keras")
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend than JAX before this test")
    return keras


def run_keras(keras, grads, start, floatx="float64", **options):
    """Apply keras.optimizers.Adam(**options) to one float64 Variable; return its path."""
    keras.config.set_floatx(floatx)
    try:
        w = keras.Variable(np.array(start, dtype=np.float64), dtype="float64")
        optimizer = keras.optimizers.Adam(**options)
        path = [np.array(w.value)]
        for g in grads:
            optimizer.apply([keras.ops.convert_to_tensor(g)], [w])
            path.append(np.array(w.value))
    finally:
        keras.config.set_floatx("float32")
    return np.array(path), optimizer


def run_numpy(make, grads, start):
    """Apply a NumPy optimizer to one float64 array; return its path."""
    w = np.array(start, dtype=np.float64)
    optimizer = make([w])
    path = [w.copy()]
    for g in grads:
        optimizer.step([np.asarray(g, dtype=np.float64)])
        path.append(w.copy())
    return np.array(path)


def random_grads(steps=300, seed=3):
    """Gradients over ten decades, so that both large and tiny ones are checked."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(6) * np.logspace(-9, 1, 6) for _ in range(steps)]


# -- The tabs ---------------------------------------------------------------------------


def test_numpy_tab_computes_the_reference_path_and_prints_it():
    namespace, printed = run_sections(*NUMPY_TAB)
    np.testing.assert_array_equal(np.array(namespace["path"]), reference_path())
    assert printed.splitlines()[-1] == "step 1000: w = (+0.952189, +0.906506)  loss 0.002288"


@frameworks
def test_pytorch_tab_follows_the_numpy_path_to_rounding(torch):
    namespace, printed = run_sections("frameworks.py:problem", "frameworks.py:torch")
    gap = np.abs(np.array(namespace["path"]) - reference_path()).max()
    assert gap <= 1e-13
    assert printed == run_sections(*NUMPY_TAB)[1]


@frameworks
def test_optax_tab_follows_the_numpy_path_to_rounding(jax_optax):
    namespace, printed = run_sections("frameworks.py:problem", "frameworks.py:optax")
    gap = np.abs(np.array(namespace["path"]) - reference_path()).max()
    assert gap <= 1e-13
    assert printed == run_sections(*NUMPY_TAB)[1]


@frameworks
def test_keras_tab_is_adam_with_eps_hat_and_within_2e_8_of_the_numpy_path(keras):
    try:
        namespace, printed = run_sections("frameworks.py:problem", "frameworks.py:keras")
    finally:
        keras.config.set_floatx("float32")
    path = np.array(namespace["path"])
    assert 1e-9 < np.abs(path - reference_path()).max() <= 2e-8  # not rounding: epsilon
    assert np.abs(path - reference_path()).max() == pytest.approx(keras_gap(), rel=1e-4)
    model = run_numpy(lambda ps: KerasAdam(ps, learning_rate=LR),
                      _rosenbrock_grads_along(path), START)
    assert np.abs(path - model).max() <= 1e-13
    assert printed == run_sections(*NUMPY_TAB)[1]  # the same six digits


def _rosenbrock_grads_along(path):
    return [rosenbrock_grad_by_hand(w) for w in path[:-1]]


# -- NumPy models of the frameworks -------------------------------------------------------


def test_keras_epsilon_is_eps_hat_grown_by_one_over_sqrt_one_minus_beta2_t():
    assert keras_epsilon(1e-7, 1) == pytest.approx(1e-7 / math.sqrt(0.001))
    assert keras_epsilon(1e-7, 1) / 1e-8 == pytest.approx(316.2, rel=1e-3)
    assert keras_epsilon(1e-7, 100_000) == pytest.approx(1e-7)
    assert keras_epsilon(1e-8, 1) / 1e-8 == pytest.approx(31.6, rel=1e-3)
    # epsilon = 1e-8 * sqrt(1 - beta2) is PyTorch's 1e-8 at t = 1 and smaller after it
    matched = 1e-8 * math.sqrt(0.001)
    assert keras_epsilon(matched, 1) == pytest.approx(1e-8)
    assert all(keras_epsilon(matched, t) < 1e-8 for t in range(2, 10_000, 7))


def test_keras_adam_is_the_papers_efficient_form_with_a_fixed_eps_hat():
    grads = random_grads()
    ours = run_numpy(lambda ps: KerasAdam(ps, learning_rate=0.01, epsilon=1e-7), grads,
                     np.ones(6))
    w, m, v = np.ones(6), np.zeros(6), np.zeros(6)  # the formula before section 2.1
    for t, g in enumerate(grads, start=1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        alpha_t = 0.01 * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        w = w - alpha_t * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(ours[-1], w, rtol=1e-12, atol=1e-15)


def test_optax_adam_step_with_no_eps_root_is_algorithm_1():
    from snippets.adam import adam_step

    p, m, v = np.ones(6), np.zeros(6), np.zeros(6)
    q, mq, vq = p, m, v
    for t, g in enumerate(random_grads(50), start=1):
        p, m, v = adam_step(p, g, m, v, t, lr=0.01)
        q, mq, vq = optax_adam_step(q, g, mq, vq, t, lr=0.01)
    np.testing.assert_allclose(q, p, rtol=1e-14)


def test_amsgrad_max_of_v_remembers_a_first_spike_less_than_the_max_of_v_hat():
    torch_style = amsgrad_denominators(SPIKE, of="v")
    optax_style = amsgrad_denominators(SPIKE, of="v_hat")
    np.testing.assert_allclose(torch_style, adam_denominators(SPIKE), rtol=1e-12)
    assert torch_style[0] == optax_style[0] == pytest.approx(10.0)
    assert np.all(optax_style == optax_style[0])  # ten times the gradient, for ever
    assert torch_style[-1] == pytest.approx(1.0, abs=1e-3)
    with pytest.raises(ValueError, match="'v' \\(PyTorch, Keras\\) or 'v_hat'"):
        amsgrad_denominators([1.0], of="m")


def test_amsgrad_max_of_v_is_what_the_reference_adam_divides_by():
    # With beta1 = 0, m_hat = g, so each step is lr * g / (denominator + eps).
    grads = [4.0, 0.5, 3.0, 0.1, 0.1, 2.0]
    w = np.zeros(1)
    optimizer = Adam([w], lr=1.0, betas=(0.0, 0.999), eps=0.0, amsgrad=True)
    for g, denominator in zip(grads, amsgrad_denominators(grads, 0.999, of="v"), strict=True):
        before = w[0]
        optimizer.step([np.array([g])])
        assert before - w[0] == pytest.approx(g / denominator, rel=1e-12)


# -- The differences table, row by row ------------------------------------------------------


@frameworks
def test_defaults_lr_betas_eps_and_weight_decay_as_the_table_says(torch, jax_optax, keras):
    _, optax = jax_optax
    p = [torch.zeros(1, requires_grad=True)]
    adam, adamw = torch.optim.Adam(p).defaults, torch.optim.AdamW(p).defaults
    assert (adam["lr"], adam["betas"], adam["eps"], adam["weight_decay"]) == (
        1e-3, (0.9, 0.999), 1e-8, 0)
    assert adamw["weight_decay"] == 1e-2
    assert "learning_rate" not in _defaults(optax.adam)  # required: no default
    with pytest.raises(TypeError, match="learning_rate"):
        optax.adam()
    assert _defaults(optax.adam) == {"b1": 0.9, "b2": 0.999, "eps": 1e-8, "eps_root": 0.0,
                                     "mu_dtype": None, "nesterov": False}
    assert _defaults(optax.adamw)["weight_decay"] == 1e-4
    k = _defaults(keras.optimizers.Adam)
    assert (k["learning_rate"], k["beta_1"], k["beta_2"], k["epsilon"]) == (
        1e-3, 0.9, 0.999, 1e-7)
    assert k["weight_decay"] is None and not k["amsgrad"]
    assert _defaults(keras.optimizers.AdamW)["weight_decay"] == 0.004


def _defaults(function) -> dict:
    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty}


KERAS_OPTIONS = {
    "defaults": {},
    "amsgrad": {"amsgrad": True},
    "weight_decay": {"weight_decay": 0.1},
    "all": {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6,
            "amsgrad": True, "weight_decay": 0.05},
}


@frameworks
@pytest.mark.parametrize("name", KERAS_OPTIONS)
def test_keras_adam_is_the_reference_adam_with_eps_hat(keras, name):
    # Gradients over ten decades: the tiny ones are where epsilon's place shows.
    grads, options = random_grads(), KERAS_OPTIONS[name]
    theirs, _ = run_keras(keras, grads, np.ones(6), **options)
    ours = run_numpy(lambda ps: KerasAdam(ps, **options), grads, np.ones(6))
    assert np.abs(theirs - ours).max() <= 1e-13
    algorithm1 = run_numpy(  # the same options with Algorithm 1's eps: visibly different
        lambda ps: Adam(ps, options.get("learning_rate", 1e-3),
                        (options.get("beta_1", 0.9), options.get("beta_2", 0.999)),
                        options.get("epsilon", 1e-7), options.get("weight_decay", 0.0),
                        amsgrad=options.get("amsgrad", False), decoupled_weight_decay=True),
        grads, np.ones(6))
    assert np.abs(theirs - algorithm1).max() > 1e-6


@frameworks
def test_keras_keeps_the_learning_rate_in_float32_unless_floatx_is_float64(keras):
    grads = _rosenbrock_grads_along(reference_path())[:50]
    theirs, optimizer = run_keras(keras, grads, START, floatx="float32", learning_rate=LR)
    assert optimizer.learning_rate.dtype == "float32"
    rounded = float(np.float32(LR))  # 0.05000000074505806
    ours = run_numpy(lambda ps: KerasAdam(ps, learning_rate=rounded), grads, START)
    assert np.abs(theirs - ours).max() <= 1e-13
    exact = run_numpy(lambda ps: KerasAdam(ps, learning_rate=LR), grads, START)
    assert np.abs(theirs - exact).max() > 1e-10


@frameworks
def test_keras_weight_decay_is_decoupled_and_multiplied_by_the_learning_rate(keras):
    # From w = 2 with a zero gradient, Adam's part of the step is 0: only the decay moves w.
    path, _ = run_keras(keras, [np.zeros(1)], [2.0], learning_rate=0.1, weight_decay=0.5)
    assert path[1, 0] == pytest.approx(2.0 * (1 - 0.1 * 0.5), rel=1e-15)


@frameworks
def test_torch_weight_decay_is_l2_and_moves_a_weight_by_a_whole_lr(torch):
    # From w = 2 with a zero loss gradient, weight_decay = 0.05 adds 0.05 * 2 = 0.1 to the
    # gradient, and Adam normalises it like any gradient: w moves by a whole lr = 0.1,
    # where AdamW would move it by lr * 0.05 * 2 = 0.01.
    w = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=0.1, weight_decay=0.05)
    w.grad = torch.zeros(1, dtype=torch.float64)
    optimizer.step()
    assert w.item() == pytest.approx(2.0 - 0.1, rel=1e-7)


@frameworks
def test_optax_eps_root_goes_inside_the_square_root(jax_optax):
    jax, optax = jax_optax
    grads, w = random_grads(100), np.ones(6)
    transform = optax.adam(0.01, eps=1e-8, eps_root=1e-6)
    state, theirs = transform.init(jax.numpy.asarray(w)), jax.numpy.asarray(w)
    m, v = np.zeros(6), np.zeros(6)
    for t, g in enumerate(grads, start=1):
        updates, state = transform.update(jax.numpy.asarray(g), state)
        theirs = optax.apply_updates(theirs, updates)
        w, m, v = optax_adam_step(w, g, m, v, t, lr=0.01, eps=1e-8, eps_root=1e-6)
    np.testing.assert_allclose(np.asarray(theirs), w, rtol=1e-13)


@frameworks
def test_optax_eps_root_makes_the_update_differentiable_at_a_zero_gradient(jax_optax):
    jax, optax = jax_optax

    def first_update(g, eps_root):
        transform = optax.adam(1.0, eps=1e-8, eps_root=eps_root)
        updates, _ = transform.update(g, transform.init(g))
        return updates[0]

    zero = jax.numpy.zeros(1)
    assert np.isnan(jax.grad(first_update)(zero, 0.0)[0])  # sqrt'(0) * 0 = inf * 0
    for eps_root in (1e-8, 1e-4):  # at t = 1 the update is -g / (sqrt(g^2 + eps_root) + eps)
        slope = jax.grad(first_update)(zero, eps_root)[0]
        assert slope == pytest.approx(-1 / (math.sqrt(eps_root) + 1e-8), rel=1e-12)


@frameworks
def test_torch_amsgrad_keeps_the_max_of_v_optax_the_max_of_v_hat(torch, jax_optax):
    jax, optax = jax_optax
    grads = SPIKE[:300]
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=1e-3, amsgrad=True)
    transform = optax.amsgrad(1e-3)
    state = transform.init(jax.numpy.zeros(1))
    torch_denominators, optax_denominators = [], []
    for t, g in enumerate(grads, start=1):
        w.grad = torch.tensor([g], dtype=torch.float64)
        optimizer.step()
        v_max = optimizer.state[w]["max_exp_avg_sq"].item()
        torch_denominators.append(math.sqrt(v_max / (1 - 0.999**t)))
        _, state = transform.update(jax.numpy.array([g]), state)
        optax_denominators.append(math.sqrt(float(state[0].nu_max[0])))
    np.testing.assert_allclose(torch_denominators, amsgrad_denominators(grads, of="v"),
                               rtol=1e-12)
    np.testing.assert_allclose(optax_denominators, amsgrad_denominators(grads, of="v_hat"),
                               rtol=1e-12)


@frameworks
def test_only_pytorch_has_maximize(torch, jax_optax, keras):
    _, optax = jax_optax
    assert "maximize" in inspect.signature(torch.optim.Adam).parameters
    assert "maximize" not in inspect.signature(optax.adam).parameters
    with pytest.raises(ValueError, match="not recognized.*maximize"):
        keras.optimizers.Adam(maximize=True)


@frameworks
def test_keras_adam_climbs_on_a_negated_gradient_as_torch_maximize_does(torch, keras):
    grads = random_grads(100)
    theirs, _ = run_keras(keras, [-g for g in grads], np.ones(6), epsilon=0.0)
    w = torch.ones(6, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=1e-3, eps=0.0, maximize=True)
    for g in grads:
        w.grad = torch.tensor(g)
        optimizer.step()
    np.testing.assert_allclose(theirs[-1], w.detach().numpy(), rtol=1e-12)


@frameworks
def test_optax_amsgrad_without_bias_corrections_is_the_papers_amsgrad(jax_optax):
    jax, optax = jax_optax
    grads, w = random_grads(100), np.ones(6)
    transform = optax.amsgrad(0.01, bias_correction_mu=False, bias_correction_nu=False)
    state, theirs = transform.init(jax.numpy.asarray(w)), jax.numpy.asarray(w)
    m, v, v_max = np.zeros(6), np.zeros(6), np.zeros(6)
    for g in grads:  # Reddi et al.'s Algorithm: no bias correction anywhere
        updates, state = transform.update(jax.numpy.asarray(g), state)
        theirs = optax.apply_updates(theirs, updates)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        v_max = np.maximum(v_max, v)
        w = w - 0.01 * m / (np.sqrt(v_max) + 1e-8)
    np.testing.assert_allclose(np.asarray(theirs), w, rtol=1e-12)


# -- Claims and values of the page ------------------------------------------------------------


def _fit_keras(keras, scale: float, steps: int = 200) -> float:
    """keras.optimizers.Adam(0.01) on scale/2 * (w - 1)^2 from w = 0, float64: w at the end."""
    keras.config.set_floatx("float64")
    try:
        w = keras.Variable(np.zeros(1), dtype="float64")
        optimizer = keras.optimizers.Adam(learning_rate=0.01)
        for _ in range(steps):
            grad = scale * (np.array(w.value) - 1)
            optimizer.apply([keras.ops.convert_to_tensor(grad)], [w])
        return float(np.array(w.value)[0])
    finally:
        keras.config.set_floatx("float32")


def _fit_torch(torch, scale: float, steps: int = 200) -> float:
    """torch.optim.Adam(lr=0.01) on scale/2 * (w - 1)^2 from w = 0, float64: w at the end."""
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=0.01)
    for _ in range(steps):
        w.grad = scale * (w.detach() - 1)
        optimizer.step()
    return w.item()


@frameworks
def test_claim_a_scaled_down_loss_barely_changes_pytorchs_path_and_changes_keras(
        torch, keras, says):
    from snippets import frameworks as page

    says("frameworks.md", "multiply it by $10^{-6}$, and the path should not change. With\n"
         "PyTorch's defaults it barely does; with Keras's it does")
    unscaled = _fit_torch(torch, 1.0)
    assert _fit_keras(keras, 1.0) == pytest.approx(unscaled, abs=1e-6)
    for scale in (1e-6, 1e-7):
        assert abs(_fit_torch(torch, scale) - unscaled) < 0.03  # barely
        assert abs(_fit_keras(keras, scale) - unscaled) > 0.1  # visibly
    # The page's numbers (NumPy models) are the frameworks' own.
    assert page.tiny_torch() == pytest.approx(_fit_torch(torch, 1e-7), abs=1e-9)
    assert page.tiny_keras() == pytest.approx(_fit_keras(keras, 1e-7), abs=1e-9)


@frameworks
def test_claim_keras_steps_for_a_steady_tiny_gradient_start_short_and_recover(keras, says):
    from snippets import frameworks as page

    says("frameworks.md", "With Keras's it starts at\n[[value: frameworks-steady-keras-first-6]] "
         "$\\alpha$ for $|g| = 10^{-6}$ and\nrecovers over thousands of steps.")
    g, lr, steps = 1e-6, 1.0, 2000
    path, _ = run_keras(keras, [np.full(1, g)] * steps, [0.0], learning_rate=lr)
    sizes = -np.diff(path[:, 0]) / lr
    t = np.arange(1, steps + 1)
    np.testing.assert_allclose(sizes, g / (g + 1e-7 / np.sqrt(1 - 0.999**t)), rtol=1e-9)
    assert sizes[0] == pytest.approx(page._steady_step(g, 1, keras=True), rel=1e-9)
    assert sizes[0] < 0.25 and np.all(np.diff(sizes) > 0) and sizes[-1] > 0.85
    assert g / (g + 1e-8) > 0.99  # PyTorch's: the same step at every t


def test_claim_keras_epsilon_never_falls_below_ten_times_pytorchs(says):
    says("frameworks.md", "and it never falls below 10 times PyTorch's")
    t = np.arange(1, 200_001)
    eps_t = np.array([keras_epsilon(1e-7, k) for k in t[::97]])
    assert np.all(np.diff(eps_t) <= 0) and np.all(eps_t >= 10 * 1e-8 * (1 - 1e-12))
    assert eps_t[-1] == pytest.approx(10 * 1e-8, rel=1e-6)


@frameworks
def test_the_weight_decay_example_on_the_page_is_torchs(torch):
    from snippets import frameworks as page

    def one_step(optimizer_class):
        w = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
        optimizer = optimizer_class([w], lr=0.1, weight_decay=0.05)
        w.grad = torch.zeros(1, dtype=torch.float64)
        optimizer.step()
        return w.item()

    assert page.l2_end() == pytest.approx(one_step(torch.optim.Adam), rel=1e-12)
    assert page.decoupled_move() == pytest.approx(2.0 - one_step(torch.optim.AdamW), rel=1e-9)


@frameworks
def test_the_eps_root_slope_on_the_page_is_optaxs(jax_optax):
    from snippets import frameworks as page

    jax, optax = jax_optax
    transform = optax.adam(1.0, eps=1e-8, eps_root=1e-8)

    def first_update(g):
        updates, _ = transform.update(g, transform.init(g))
        return updates[0]

    slope = float(jax.grad(first_update)(jax.numpy.zeros(1))[0])
    assert page.eps_root_slope() == pytest.approx(slope, rel=1e-12)



def test_claim_in_float32_training_keras_keeping_the_learning_rate_in_float32_makes_no_difference(
        says):
    from snippets import frameworks as page

    says("frameworks.md", "In `float32`\ntraining, which is the usual case, it makes no "
         "difference: the rounding changes\nthe learning rate by a relative "
         "[[value: frameworks-lr-rounding]], less than\n`float32` rounds every weight it stores")
    rounded = float(np.float32(LR))
    assert rounded != LR and abs(rounded - LR) / LR == pytest.approx(page.lr_rounding())
    assert page.lr_rounding() < page.float32_unit_roundoff() == 2.0**-24
    # In float32 arithmetic the two learning rates give the same run, bit for bit.
    paths = []
    for lr in (LR, rounded):
        w = np.array(START, dtype=np.float32)
        optimizer = KerasAdam([w], learning_rate=np.float32(lr))
        for _ in range(200):
            optimizer.step([rosenbrock_grad_by_hand(w).astype(np.float32)])
        paths.append(w.copy())
    np.testing.assert_array_equal(paths[0], paths[1])


@frameworks
def test_claim_optax_amsgrad_steps_are_shorter_than_pytorchs_by_a_ratio_that_grows_slowly(
        torch, jax_optax, says):
    from snippets import frameworks as page

    jax, optax = jax_optax
    says("frameworks.md", "so Optax's AMSGrad takes steps\nshorter than PyTorch's by the ratio "
         "of the two columns, and that ratio grows:\n[[value: frameworks-amsgrad-ratio-10]] at "
         "step 10,\n[[value: frameworks-amsgrad-ratio-100]] at step 100,\n"
         "[[value: frameworks-amsgrad-ratio-1000]] at step 1000. The steps are ten times\n"
         "shorter, to within 1 %, only from step [[value: frameworks-amsgrad-ratio-near-10]] on.")
    # Closed form after one gradient of 10, then 1: v_t = 100 (1 - b) b^(t-1) + 1 - b^(t-1),
    # PyTorch divides by sqrt(v_t / (1 - b^t)) (v_t falls: its max is v_t), Optax by
    # sqrt(max v_hat) = sqrt(v_1 / (1 - b)) = 10.
    b, t = 0.999, np.arange(1, len(SPIKE) + 1)
    v = 100 * (1 - b) * b ** (t - 1) + 1 - b ** (t - 1)
    ratio = 10 / np.sqrt(v / (1 - b**t))
    np.testing.assert_allclose(page.amsgrad_step_ratios(), ratio, rtol=1e-10)
    for k in (10, 100, 1000):
        assert page.amsgrad_step_ratios()[k - 1] == pytest.approx(ratio[k - 1], rel=1e-10)
    assert ratio[9] < 3.1 and ratio[99] < 7.2 and ratio[999] < 9.75  # not ten times yet
    near = page.amsgrad_ratio_near_10()
    assert near > 1000 and ratio[near - 2] < 9.9 <= ratio[near - 1]
    assert np.all(np.diff(ratio) > 0) and ratio[-1] < 10
    # The frameworks' own steps, from a common point, over the first 1000 steps.
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adam([w], lr=1e-3, amsgrad=True)
    transform = jax.jit(optax.amsgrad(1e-3).update)
    state = optax.amsgrad(1e-3).init(jax.numpy.zeros(1))
    torch_steps, optax_steps = [], []
    for g in SPIKE[:1000]:
        before = w.item()
        w.grad = torch.tensor([g], dtype=torch.float64)
        optimizer.step()
        torch_steps.append(before - w.item())
        updates, state = transform(jax.numpy.array([g]), state)
        optax_steps.append(-float(updates[0]))
    measured = np.array(torch_steps) / np.array(optax_steps)
    np.testing.assert_allclose(measured[[9, 99, 999]], ratio[[9, 99, 999]], rtol=1e-6)


@frameworks
def test_claim_torch_adam_with_decoupled_weight_decay_computes_exactly_what_adamw_does(
        torch, says):
    says("frameworks.md", "`torch.optim.AdamW` (or `torch.optim.Adam` with\n"
         "`decoupled_weight_decay=True`, which then computes exactly what `AdamW` does)")
    says("frameworks.md", "or `Adam(weight_decay=λ, decoupled_weight_decay=True)`: "
         "$\\theta \\leftarrow \\theta - \\alpha\\lambda\\theta$")

    def run(make):
        w = torch.ones(6, dtype=torch.float64, requires_grad=True)
        optimizer = make([w])
        for g in random_grads(200):
            w.grad = torch.tensor(g)
            optimizer.step()
        return w.detach().numpy()

    adamw = run(lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.05))
    decoupled = run(lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.05,
                                                decoupled_weight_decay=True))
    l2 = run(lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.05))
    np.testing.assert_array_equal(decoupled, adamw)  # bit for bit
    assert np.abs(l2 - adamw).max() > 0.1  # and not the L2 of plain Adam(weight_decay=)
    ours = run_numpy(lambda ps: Adam(ps, lr=0.01, weight_decay=0.05,
                                     decoupled_weight_decay=True), random_grads(200), np.ones(6))
    np.testing.assert_allclose(decoupled, ours[-1], rtol=1e-12)  # theta -= lr * lambda * theta


def _fit_raises_not_implemented(trainer: Path) -> bool:
    """Whether the backend trainer's ``fit`` does nothing but raise NotImplementedError."""
    import ast

    for node in ast.walk(ast.parse(trainer.read_text())):
        if isinstance(node, ast.FunctionDef) and node.name == "fit":
            body = [s for s in node.body if not isinstance(s, ast.Expr)]  # docstring aside
            return (len(body) == 1 and isinstance(body[0], ast.Raise)
                    and "NotImplementedError" in ast.unparse(body[0]))
    raise AssertionError(f"{trainer} has no fit")


@frameworks
def test_claim_keras_trains_on_jax_pytorch_or_tensorflow_its_numpy_and_openvino_cannot_fit(
        keras, says):
    says("frameworks.md", "Keras 3 trains on JAX, PyTorch or TensorFlow (its NumPy and "
         "OpenVINO\nbackends only run models, they cannot `fit` them)")
    backends = Path(keras.__file__).parent / "src" / "backend"
    source = (backends / "__init__.py").read_text()
    named = {name for name in ("jax", "torch", "tensorflow", "numpy", "openvino")
             if f'backend() == "{name}"' in source}
    assert named == {"jax", "torch", "tensorflow", "numpy", "openvino"}
    assert "Unable to import backend" in source  # and no other
    cannot_fit = {name for name in named
                  if _fit_raises_not_implemented(backends / name / "trainer.py")}
    assert cannot_fit == {"numpy", "openvino"}


# The paper's efficient form (moved here from the /adam/ page) ---------------------


def _run_steps(step, steps=50, **kw):
    rng = np.random.default_rng(1)
    p, m, v = rng.standard_normal(20), np.zeros(20), np.zeros(20)
    out = []
    for t in range(1, steps + 1):
        g = rng.standard_normal(20) * np.logspace(-9, 1, 20)
        p, m, v = step(p, g, m, v, t, **kw(t) if callable(kw) else kw)
        out.append(p)
    return np.array(out)


def test_efficient_form_with_eps_hat_eps_sqrt_one_minus_beta2_t_is_algorithm_1():
    reference = _run_steps(adam_step, lr=0.01)
    folded = _run_steps(adam_step_efficient, lr=0.01)  # placeholder eps_hat, overwritten below
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




@pytest.mark.frameworks
def test_claim_keras_epsilon_is_eps_hat_with_default_1e_7(says):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = need("keras")
    says("frameworks.md", "its `epsilon` (default $10^{-7}$) is\ndocumented as the paper's "
                    "$\\hat\\varepsilon$")
    default = inspect.signature(keras.optimizers.Adam).parameters["epsilon"].default
    assert default == 1e-7
    assert "epsilon hat" in keras.optimizers.Adam.__doc__.replace('"', "")
    assert keras_epsilon(1e-7, 1) == pytest.approx(1e-7 / np.sqrt(1 - 0.999))
    assert eps_growth_first_step() == pytest.approx(1 / np.sqrt(1 - 0.999))
    assert eps_growth_1000() == pytest.approx(1 / np.sqrt(1 - 0.999**1000))
