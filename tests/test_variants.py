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
from need import need

from snippets.adam import Adam
from snippets.optimizers import SGD, trajectory
from snippets.surfaces import ROSENBROCK, VALLEY
from snippets.values import number
from snippets.variants import (
    RARE,
    VARIANTS,
    Adamax,
    NAdam,
    NAdamFloat32Product,
    RAdam,
    adamax_shrinking_steps,
    adamax_step_bound,
    average_regret,
    comparison_gradients,
    online_adam,
    period_loss,
    rectification,
    reddi_cycle_steps,
    reddi_gradient,
    valley_losses,
    weight_norms,
)

frameworks = pytest.mark.frameworks


def random_grads(steps=400, seed=5):
    return comparison_gradients(steps, seed)


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


def test_claim_with_adamw_the_three_groups_move_identically(says):
    says("variants.md", "With AdamW the three groups move identically")
    rms = weight_norms(decoupled=True)
    np.testing.assert_allclose(rms[:, 0], rms[:, 1], rtol=1e-6)
    np.testing.assert_allclose(rms[:, 0], rms[:, 2], rtol=1e-6)
    # Their mean is what the decay alone leaves, (1 - alpha lambda)^t, up to the noise
    # of a mean of 100 weights that each spread by the standard deviation.
    mean = weight_norms(decoupled=True, statistic=np.mean)[-1, 0]
    spread = weight_norms(decoupled=True, statistic=np.std)[-1, 0]
    assert abs(mean - (1 - 0.01 * 0.1) ** 3000) < 3 * spread / np.sqrt(100)


def test_claim_l2_large_gradient_weights_spread_apart_rather_than_move_up(says):
    says("variants.md", "is barely decayed")
    says("variants.md", "ends above 1 not because the weights move up but because they "
                        "spread apart")
    rms, mean, std = (weight_norms(False, statistic=f)[:, 2]
                      for f in (lambda w: np.sqrt(np.mean(w**2)), np.mean, np.std))
    assert rms[-1] > 1  # the figure's curve ends above 1 ...
    assert 0.9 < mean[-1] < 1  # ... while the mean has gone down, a little
    np.testing.assert_allclose(rms**2, mean**2 + std**2, rtol=1e-9)  # RMS^2 = mean^2 + var
    # The spread is a random walk's, alpha sqrt(t), within the sampling error of 100
    # weights (about 7 %, and the walk's own fluctuations) at every step from 100 on:
    t = np.arange(100, 3001)
    assert np.all(np.abs(std[t] / (0.01 * np.sqrt(t)) - 1) < 0.2)
    # and the mean never drifts up by more than the noise of a mean of 100 walks:
    assert np.all(mean <= 1 + 3 * 0.01 * np.sqrt(np.arange(len(mean))) / np.sqrt(100))


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


def test_claim_adam_pays_two_more_than_the_optimum_every_three_steps(says):
    says("variants.md", "Adam pays [[value: variants-reddi-extra-per-period]] more than "
                        "the optimum every three steps")
    says("variants.md", "its average regret tends to [[value: variants-reddi-regret-per-step]]")
    C = 3.0
    assert period_loss(1.0, C) == C - 2 == 1  # at x = +1: C - 1 - 1
    assert period_loss(-1.0, C) == -(C - 2) == -1  # at the optimum
    assert number("variants-reddi-extra-per-period") == 2 * (C - 2)
    assert number("variants-reddi-regret-per-step") == pytest.approx(2 / 3)
    # The run: Adam sits at +1 and its average regret approaches 2/3, not 1/3.
    xs = online_adam(30_000)
    regret = average_regret(xs)
    assert regret[-1] == pytest.approx(2 / 3, abs=0.005)
    T = 30_000  # a whole number of periods: the last one adds about 2 to R_T (x_t ~ 1)
    assert T * regret[T - 1] - (T - 3) * regret[T - 4] == pytest.approx(2.0, abs=0.01)


@pytest.mark.parametrize("beta2", [0.999, 0.99, 0.9, 0.8, 0.6, "threshold + 0.03"])
def test_claim_on_this_problem_any_beta2_above_the_threshold_will_do(says, beta2):
    says("variants.md", "On this problem any $\\beta_2$ above "
                        "[[value: variants-reddi-beta2-threshold]] will do")
    threshold = number("variants-reddi-beta2-threshold")
    assert 0.1 < threshold < 0.999
    if beta2 == "threshold + 0.03":
        beta2 = threshold + 0.03
    xs = online_adam(30_000, beta2=beta2)
    regret = average_regret(xs)
    assert xs[-1] < -0.99 and regret[-1] < 0.1 and regret[-1] < regret[3000] / 2


@pytest.mark.parametrize("beta2", [0.1, 0.3, "threshold - 0.03"])
def test_below_the_threshold_adam_still_goes_to_the_worst_point(beta2):
    if beta2 == "threshold - 0.03":
        beta2 = number("variants-reddi-beta2-threshold") - 0.03
    xs = online_adam(30_000, beta2=beta2)
    assert xs[-1] > 0.99 and average_regret(xs)[-1] > 0.6


def test_claim_no_choice_of_betas_is_safe_for_every_problem(says):
    says("variants.md", "So no choice of betas is safe for every problem")
    C, period = RARE["C"], RARE["period"]
    assert C > period - 1  # each period adds (C - period + 1) x: the optimum is -1
    assert period > 1 / (1 - 0.999)  # rarer than v's memory
    adam = online_adam(300_000, beta2=0.999, **RARE)
    amsgrad = online_adam(300_000, beta2=0.999, amsgrad=True, **RARE)
    adam_regret = average_regret(adam, **RARE)[-1]
    assert adam[-1] > 0.99 and adam_regret > 1.9  # x = +1 costs 2 (C - period + 1) / period
    assert amsgrad[-1] < -0.9 and average_regret(amsgrad, **RARE)[-1] < adam_regret / 5
    assert adam_regret == pytest.approx(number("variants-rare-adam-regret"), rel=0.01)


def test_claim_with_the_default_beta2_adam_solves_this_sequence(says):
    says("variants.md", "and Adam solves *this* sequence")
    xs = online_adam(30_000, beta2=0.999)
    assert xs[-1] < -0.99 and average_regret(xs)[-1] < 0.01
    assert number("variants-beta2-memory") == pytest.approx(1 / (1 - 0.999))


def test_claim_the_rare_informative_gradient_is_outvoted(says):
    says("variants.md", "The rare, informative gradient is outvoted")
    # v by its recursion, 300 steps of the sequence: the last period's steps.
    beta2, v, steps = 0.1, 0.0, []
    for t in range(1, 301):
        g = reddi_gradient(t)
        v = beta2 * v + (1 - beta2) * g**2
        steps.append(-g / math.sqrt(v))  # the move of x, in units of alpha_t
    left, right2, right3 = -steps[-3], steps[-2], steps[-1]  # t = 298 sees C
    assert (left, right2, right3) == pytest.approx(reddi_cycle_steps(beta2), rel=1e-12)
    assert right2 + right3 > left > 0  # the two small steps outweigh the informative one
    assert left == pytest.approx(number("variants-reddi-left-step"), abs=0.005)


def test_average_regret_by_hand():
    xs = np.array([1.0, 0.5, -1.0, 0.0])  # x_1..x_3, and x_4 unused
    losses = 3 * 1.0 - 1 * 0.5 - 1 * -1.0  # g = 3, -1, -1
    best = -abs(3 - 1 - 1)  # x = -1
    assert average_regret(xs)[-1] == pytest.approx((losses - best) / 3)


# -- Adamax, NAdam, RAdam ---------------------------------------------------------------------


def test_adamax_steps_stay_below_the_bound_on_random_gradients():
    bound = adamax_step_bound(0.9, 0.999)
    assert bound == pytest.approx(0.999 * 0.1 / (0.999 - 0.9), rel=1e-15)
    w = np.zeros(8)
    optimizer = Adamax([w], lr=0.01)
    for g in random_grads():
        before = w.copy()
        optimizer.step([g])
        assert np.all(np.abs(w - before) <= 0.01 * bound)


def test_claim_an_adamax_step_can_exceed_alpha(says):
    says("variants.md", "an Adamax step can exceed $\\alpha$")
    says("variants.md", "That bound does not hold")
    steps = adamax_shrinking_steps()  # lr = 1, eps = 0, g_t = 0.999^t
    first = int(number("variants-adamax-first-long-step"))
    assert steps[first - 2] <= 1 < steps[first - 1]
    assert np.all(steps[first - 1:] > 1)  # from that step on, every step exceeds alpha
    # The steps approach the supremum (1 - beta1) / (1 - beta1 / beta2) from below:
    bound = 0.1 / (1 - 0.9 / 0.999)
    assert steps.max() <= bound * (1 + 1e-12)
    assert steps[-1] == pytest.approx(bound, rel=1e-9)
    # The sum in the page's bound, term by term, at step t: the same number.
    t = 30
    by_hand = 0.1 / (1 - 0.9**t) * sum((0.9 / 0.999) ** j for j in range(t))
    assert steps[t - 1] == pytest.approx(by_hand, rel=1e-12)


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


def test_claim_radam_first_steps_are_not_normalised(says):
    says("variants.md", "RAdam's first steps are not normalised")
    n = int(number("variants-radam-momentum-steps"))
    assert [rectification(t) for t in range(1, n + 2)] == [0.0] * n + [rectification(n + 1)]
    assert rectification(n + 1) > 0
    w = np.zeros(1)
    optimizer = RAdam([w], lr=0.1)
    for scale in (1.0, 1e3):  # a step as large as the gradient, not about lr
        w[:] = 0.0
        optimizer = RAdam([w], lr=0.1)
        optimizer.step([np.array([scale])])
        assert -w[0] == pytest.approx(0.1 * scale)


def test_claim_rho_is_never_exactly_five_at_a_whole_step(says):
    says("variants.md", "$\\rho_t$ is never exactly 5 at a whole step")
    beta2 = 0.999
    rho_inf = 2 / (1 - beta2) - 1
    rho = [rho_inf - 2 * t * beta2**t / (1 - beta2**t) for t in range(1, 20_001)]
    assert np.all(np.diff(rho) > 0)  # rho_t grows with t ...
    assert rho[4] < 5 < rho[5]  # ... and passes 5 between steps 5 and 6
    # so "> 5" (PyTorch, this class) and ">= 5" (Optax) pick the same steps.
    assert [r > 5 for r in rho] == [r >= 5 for r in rho]
    assert [rectification(t) > 0 for t in range(1, 20_001)] == [r > 5 for r in rho]


def test_claim_adam_and_amsgrad_coincide_for_the_first_steps_then_part(says):
    says("variants.md", "Adam and AMSGrad coincide for the first "
                        "[[value: variants-valley-identical-steps]] steps")
    says("variants.md", "their losses first differ by more than 1 % at step "
                        "[[value: variants-valley-one-percent-step]]")
    identical = int(number("variants-valley-identical-steps"))
    adam = trajectory(VARIANTS["Adam"][1], VALLEY, steps=200)
    amsgrad = trajectory(VARIANTS["AMSGrad"][1], VALLEY, steps=200)
    assert np.array_equal(adam[:identical + 1], amsgrad[:identical + 1])
    assert not np.array_equal(adam[identical + 1], amsgrad[identical + 1])
    # Identical exactly while v never shrinks: AMSGrad's max is then v itself.
    v, g2 = np.zeros(2), [VALLEY.grad(*p) ** 2 for p in adam[:identical + 1]]
    shrank = []
    for g in g2:
        new = 0.999 * v + 0.001 * g
        shrank.append(bool(np.any(new < v)))
        v = new
    assert not any(shrank[:identical]) and shrank[identical]
    la, lm = valley_losses()
    step = int(number("variants-valley-one-percent-step"))
    assert np.all(np.abs(la[:step] / lm[:step] - 1) <= 0.01) and abs(la[step] / lm[step] - 1) > 0.01
    assert step > 50  # the table's 20 and 50 steps agree; 200 does not
    assert la[200] / lm[200] > 2


def _crossings(path: np.ndarray) -> int:
    """How often a path on the valley crosses its floor, y = 0."""
    return int(np.sum(np.diff(np.sign(path[:, 1])) != 0))


def test_claim_nadams_slow_start_and_fewer_crossings_come_from_pytorchs_schedule(says):
    from snippets import variants

    says("variants.md", "NAdam, with the PyTorch schedule this class uses by default, starts "
         "slower than Adam")
    says("variants.md", "crosses the floor of the valley ($y = 0$) less often")
    says("variants.md", "and ends lowest of the five")
    says("variants.md", "The slower start and the fewer crossings come from that schedule, "
         "whose $\\mu_t$ is about half of $\\beta_1$ in these steps")
    says("variants.md", "not from the look-ahead: with $\\mu_t = \\beta_1$, as in Optax, NAdam "
         "starts as fast as Adam")
    says("variants.md", "crosses the floor as often")
    says("variants.md", "and ends lower still")
    says("variants.md", "With Keras's $\\psi = 1$, NAdam ends at "
         "[[value: variants-valley-nadam-keras-200]], above Adam's")
    makes = {
        "Adam": lambda p: Adam(p, lr=0.05),
        "PyTorch": lambda p: NAdam(p, lr=0.05),
        "Optax": lambda p: NAdam(p, lr=0.05, momentum_decay=math.inf),
        "Keras": lambda p: NAdam(p, lr=0.05, momentum_decay=1),
        "Adam, beta1 = 0.45": lambda p: Adam(p, lr=0.05, betas=(0.45, 0.999)),
    }
    paths = {name: trajectory(make, VALLEY, steps=200) for name, make in makes.items()}
    loss = {name: [VALLEY.loss(*p) for p in path] for name, path in paths.items()}
    # PyTorch's schedule: mu_t about half of beta1 over these 200 steps
    assert all(0.4 < NAdam([np.zeros(1)]).mu(t) / 0.9 < 0.55 for t in range(1, 202))
    # slower start, fewer crossings, lowest of the five after 200 steps
    assert loss["PyTorch"][20] > 1.5 * loss["Adam"][20]
    assert _crossings(paths["PyTorch"]) < _crossings(paths["Adam"])
    five = {name: trajectory(make, VALLEY, steps=200)[-1] for name, (_, make) in VARIANTS.items()}
    assert min(five, key=lambda n: VALLEY.loss(*five[n])) == "NAdam"
    # the schedule, not the look-ahead: with mu_t = beta1 NAdam starts like Adam, crosses
    # as often, and ends lower still; Adam with about PyTorch's mu starts slowly too
    assert loss["Optax"][20] == pytest.approx(loss["Adam"][20], rel=0.1)
    assert _crossings(paths["Optax"]) == _crossings(paths["Adam"])
    assert loss["Optax"][200] < loss["PyTorch"][200] < loss["Adam"][200] < loss["Keras"][200]
    assert loss["Adam, beta1 = 0.45"][20] > 1.4 * loss["Adam"][20]
    # the page's values are these runs
    assert number("variants-valley-nadam-20") == pytest.approx(loss["PyTorch"][20], rel=0.01)
    assert number("variants-valley-nadam-optax-200") == pytest.approx(loss["Optax"][200],
                                                                      rel=0.01)
    assert variants.valley_crossings("Optax") == _crossings(paths["Optax"])
    assert variants.valley_nadam_loss("Keras", 200) == loss["Keras"][200]


def test_claim_l2_in_adam_decays_small_gradient_weights_more_and_large_ones_less(says):
    from snippets.variants import _weight_stats

    says("variants.md", "L2 regularisation that Adam's division distorts: far stronger for "
         "weights with small gradients, far weaker for those with large ones")
    l2, adamw = _weight_stats(False), _weight_stats(True)  # rms, mean, std; groups 0.01, 1, 100
    assert l2[0][200, 0] < 0.05 * adamw[0][200, 0]  # scale 0.01: gone by step 200
    assert l2[1][-1, 2] > 3 * adamw[1][-1, 2]  # scale 100: its mean hardly decays
    assert l2[0][-1, 2] > 4 * adamw[0][-1, 2]
    assert number("variants-adamw-rms-200") == pytest.approx(adamw[0][200, 0], rel=0.01)
    assert number("variants-l2-large-mean") == pytest.approx(l2[1][-1, 2], rel=0.01)
    assert number("variants-adamw-mean") == pytest.approx(adamw[1][-1, 2], rel=0.01)
    # the page's function gives the same root mean squares
    rms = weight_norms(decoupled=True, steps=200)  # the same noise, step for step
    assert rms[200, 0] == pytest.approx(adamw[0][200, 0], rel=1e-12)


def test_claim_adams_first_steps_are_a_full_alpha_whatever_the_gradient(says):
    says("variants.md", "Adam's first steps are a full $\\alpha$ in every parameter, whatever "
         "its gradient")
    g = np.array([1e-3, -0.3, 7.0, -2e3])  # gradients far above eps = 1e-8
    w = np.zeros(4)
    Adam([w], lr=0.01).step([g])
    np.testing.assert_allclose(-w, 0.01 * np.sign(g), rtol=1e-4)


def test_claim_radam_jumps_across_the_valley_in_its_momentum_steps(says):
    says("variants.md", "RAdam jumps across the valley in its")
    path = trajectory(VARIANTS["RAdam"][1], VALLEY, steps=200)
    n = int(number("variants-radam-momentum-steps"))
    assert path[0, 1] > 0 and np.any(path[1:n + 1, 1] < 0)  # y changes sign
    assert rectification(200) == pytest.approx(number("variants-radam-r-200"), abs=0.005)
    assert rectification(200) < 0.5


def test_every_variant_reaches_the_valley_floor():
    for name, (_, make) in VARIANTS.items():
        end = trajectory(make, VALLEY, steps=200)[-1]
        assert VALLEY.loss(*end) < 0.2, name


# -- Against the frameworks -------------------------------------------------------------------


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
def test_claim_torch_adamax_takes_steps_longer_than_alpha_as_ours(torch, says):
    says("variants.md", "`torch.optim.Adamax(lr=1, eps=0)` takes the same steps")
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adamax([w], lr=1.0, eps=0.0)
    steps = []
    for t in range(1, 5001):
        before = w.item()
        w.grad = torch.tensor([0.999**t], dtype=torch.float64)
        optimizer.step()
        steps.append(before - w.item())
    steps = np.array(steps)
    np.testing.assert_allclose(steps, adamax_shrinking_steps(), rtol=1e-9)
    assert steps.max() > 1.009 and steps.max() <= adamax_step_bound() * (1 + 1e-9)


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
def test_claim_torch_nadam_differs_by_the_float32_rounding_of_the_product(torch, says):
    says("variants.md", "as much as rounding the product to `float32` at every step "
                        "changes this class's result")
    grads = random_grads()
    theirs = run_torch(torch, lambda ps: torch.optim.NAdam(ps, lr=0.01), grads)
    rounded = run_numpy(lambda ps: NAdamFloat32Product(ps, lr=0.01), grads)
    assert np.abs(rounded - theirs).max() < 1e-13  # the rounding is the whole difference
    gap = np.abs(run_numpy(lambda ps: NAdam(ps, lr=0.01), grads) - theirs).max()
    assert gap == pytest.approx(number("variants-nadam-float32-gap"), rel=1e-3)


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
def test_claim_radam_switches_at_rho_above_5_in_torch_and_at_or_above_threshold_in_optax(
        torch, jax_optax, says):
    says("variants.md", "PyTorch at $\\rho_t > 5$, and so does this class; Optax (0.2.8) at "
                        "$\\rho_t \\ge$ `threshold`")
    from optax._src import transform

    optax_source = inspect.getsource(transform.scale_by_radam)
    assert "ro >= threshold" in optax_source
    assert inspect.signature(transform.scale_by_radam).parameters["threshold"].default == 5.0
    from torch.optim import radam

    torch_source = inspect.getsource(radam)
    assert "rho_t > 5" in torch_source and "rho_t >= 5" not in torch_source


@frameworks
def test_claim_pytorch_and_optax_ship_all_five_keras_all_but_radam(says, torch, jax_optax,
                                                                    keras):
    _, optax = jax_optax
    says("variants.md", "PyTorch and Optax ship all five below, Keras all but RAdam")
    assert {"AdamW", "Adamax", "NAdam", "RAdam"} <= set(dir(torch.optim))
    assert "amsgrad" in inspect.signature(torch.optim.Adam).parameters
    assert {"adamw", "amsgrad", "adamax", "nadam", "radam"} <= set(dir(optax))
    assert {"AdamW", "Adamax", "Nadam"} <= set(dir(keras.optimizers))
    assert "amsgrad" in inspect.signature(keras.optimizers.Adam).parameters
    assert not {"RAdam", "Radam"} & set(dir(keras.optimizers))


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


# -- The build's faster runs: the same numbers as the page's code ----------------------


def test_the_weight_statistics_of_the_values_are_weight_norms():
    from snippets.variants import _weight_stats, rms

    for decoupled in (False, True):
        ours = _weight_stats(decoupled)
        np.testing.assert_array_equal(ours[0], weight_norms(decoupled))  # all 3000 steps
        for statistic, stats in zip((rms, np.mean, np.std), ours, strict=True):
            theirs = weight_norms(decoupled, steps=300, statistic=statistic)
            np.testing.assert_array_equal(stats[:301], theirs)


def test_the_online_runs_of_the_values_are_online_adam():
    from snippets.variants import _online

    for kwargs in ({}, {"amsgrad": True}, {"beta2": 0.999},
                   {"beta2": 0.999, **RARE}, {"beta2": 0.999, "amsgrad": True, **RARE}):
        xs, regret = _online(30_000, **kwargs)
        theirs = online_adam(30_000, **kwargs)
        np.testing.assert_array_equal(xs, theirs)
        problem = {k: kwargs[k] for k in ("C", "period") if k in kwargs}
        np.testing.assert_array_equal(regret, average_regret(theirs, **problem))


def test_adamax_shrinking_steps_are_adamax_steps():
    w = np.zeros(1)
    optimizer = Adamax([w], lr=1.0, eps=0.0)
    sizes = []
    for t in range(1, 5001):
        before = w[0]
        optimizer.step([np.array([0.999**t])])
        sizes.append(abs(w[0] - before))
    np.testing.assert_array_equal(adamax_shrinking_steps(), sizes)
