"""The /adam/ page (snippets/adam_page.py): the worked example, the race, the exercises."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from need import need

from snippets.adam import Adam, adam_step
from snippets.adam_page import (
    LANDSCAPES,
    OPTIMIZERS,
    RATES,
    SGD_RATES,
    best_loss,
    best_path,
    best_rate,
    example3_paths,
    fit,
    logistic_losses,
    logistic_sgd_slowdown,
    logistic_sgd_slowdown_vs_1,
    loss_and_grads,
    make_data,
    race,
    race_paths,
    rmsprop_first_step,
    rosenbrock_adam_loss_next_rate,
    rosenbrock_sgd_diverges_lr,
    rosenbrock_sgd_floor,
    sgd_best_rate,
    sgd_steady_rate,
    sweep,
    valley_sgd_diverges_lr,
    valley_sgd_momentum_gap,
    valley_spread,
)
from snippets.optimizers import SGD, EMAMomentum, trajectory
from snippets.surfaces import NOISY_VALLEY, VALLEY


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


def test_adam_trains_the_worked_example():
    X, y = make_data()
    losses = fit(lambda p: Adam(p, lr=0.1), X, y)
    assert losses[0] == pytest.approx(np.log(2))
    assert losses[-1] < 0.335 and all(np.diff(losses[100:]) <= 1e-12)


def test_claim_at_none_of_these_rates_does_sgd_end_as_low_as_adam(says):
    says("adam.md", "At none of these rates does SGD end as low as Adam.")
    says("adam.md", "Over the learning rates 0.01 to 0.8 in steps of 0.01")
    adam = logistic_losses("Adam", 0.1)[-1]
    assert list(SGD_RATES) == pytest.approx(np.arange(1, 81) / 100)
    sgd = [logistic_losses("SGD", lr)[-1] for lr in SGD_RATES]
    assert min(sgd) > adam + 0.05
    # The lowest SGD gets comes at a rate where its loss first jumps up; where the loss
    # falls at every step, it ends above 0.40 (the review found the lowest ends below).
    steady = sgd_steady_rate()
    assert np.all(np.diff(logistic_losses("SGD", steady)) <= 0)
    assert not np.all(np.diff(logistic_losses("SGD", steady + 0.01)) <= 0)
    assert logistic_losses("SGD", steady)[-1] > 0.40
    best = sgd_best_rate()
    assert best > steady and logistic_losses("SGD", best).max() > 2 * np.log(2)


def test_claim_for_sgd_the_rate_per_coordinate_scales_with_the_square_of_the_scale(says):
    says("adam.md", "for SGD the rate per coordinate scales with the square of the "
                    "feature's scale")
    says("adam.md", "It learns the weight of the feature on the scale 0.1")
    # Independently of the value: the loss's curvature along each weight at the start
    # (finite differences of the gradient), which sets how fast gradient descent moves it.
    X, y = make_data()
    w, b, h = np.zeros(3), np.zeros(1), 1e-4
    curvature = [
        (loss_and_grads(w + h * np.eye(3)[i], b, X, y)[1][i]
         - loss_and_grads(w - h * np.eye(3)[i], b, X, y)[1][i]) / (2 * h)
        for i in range(3)
    ]
    assert curvature[1] / curvature[2] == pytest.approx(logistic_sgd_slowdown(), rel=0.15)
    assert curvature[0] / curvature[2] == pytest.approx(logistic_sgd_slowdown_vs_1(), rel=0.15)
    assert logistic_sgd_slowdown() == pytest.approx(1e4)
    assert logistic_sgd_slowdown_vs_1() == pytest.approx(1e2)
    # And in a run: after 50 steps of SGD at the steady rate, the weight of the feature
    # on the scale 0.1 has barely moved toward its fitted value, unlike the others.
    fitted_w = np.zeros(3)
    opt = Adam([fitted_w, np.zeros(1)], lr=0.1)
    for _ in range(3000):
        _, gw, gb = loss_and_grads(fitted_w, opt.params[1], X, y)
        opt.step([gw, gb])
    w_sgd, b_sgd = np.zeros(3), np.zeros(1)
    sgd = SGD([w_sgd, b_sgd], lr=sgd_steady_rate())
    for _ in range(50):
        _, gw, gb = loss_and_grads(w_sgd, b_sgd, X, y)
        sgd.step([gw, gb])
    progress = w_sgd / fitted_w  # the fraction of the way to the fitted weight
    assert progress[2] < 0.02 and progress[0] > 20 * progress[2]


def test_the_race_runs_each_optimizer_at_every_rate_of_one_grid():
    assert RATES == [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    for landscape in LANDSCAPES:
        table = race(landscape)
        assert list(table) == ["SGD", "momentum", "RMSProp", "Adam"]
        assert all(len(losses) == len(RATES) for losses in table.values())
    x, y = best_path("Adam", "valley")[-1]
    assert VALLEY.loss(x, y) == pytest.approx(best_loss("Adam", "valley"))


def test_the_race_s_paths_side_by_side_are_trajectory_s_and_sweep_s():
    """race_paths runs the rates side by side: bit for bit trajectory's points, NaN where
    trajectory stops a diverging run, and race gives what the page's sweep prints."""
    for landscape, (surface, steps) in LANDSCAPES.items():
        paths = race_paths(landscape)
        for name, make in OPTIMIZERS.items():
            for i, lr in enumerate(RATES):
                alone = trajectory(lambda p, make=make, lr=lr: make(p, lr=lr), surface,
                                   steps=steps)
                assert np.array_equal(paths[name][i], alone, equal_nan=True), (name, lr)
        table = sweep(landscape)
        for name in OPTIMIZERS:
            assert np.array_equal(race(landscape)[name], table[name], equal_nan=True)
    assert np.isnan(race("rosenbrock")["SGD"]).any()  # a diverging run is among them


def test_the_sgd_rates_side_by_side_are_fit_s_losses():
    X, y = make_data()
    for lr in (SGD_RATES[0], SGD_RATES[37], SGD_RATES[-1]):
        alone = fit(lambda p, lr=lr: SGD(p, lr=lr), X, y)
        assert (logistic_losses("SGD", lr) == np.array(alone)).all(), lr


def test_claim_on_rosenbrock_adam_ends_lowest_then_momentum(says):
    says("adam.md", "On Rosenbrock, Adam ends lowest, then momentum.")
    says("adam.md", "SGD and RMSProp end partway along the curved floor")
    loss = {name: best_loss(name, "rosenbrock") for name in OPTIMIZERS}
    assert loss["Adam"] < loss["momentum"] < 1e-6 < min(loss["SGD"], loss["RMSProp"])
    for name in ("momentum", "Adam"):
        assert best_path(name, "rosenbrock")[-1] == pytest.approx([1, 1], abs=1e-3)
    for name in ("SGD", "RMSProp"):  # on the floor, at least 0.05 short of the minimum's x = 1
        x, y = best_path(name, "rosenbrock")[-1]
        assert 0 < x < 0.95 and abs(y - x**2) < 0.05


def test_claim_sgd_ends_partway_along_rosenbrocks_floor_by_arc_length(says):
    says("adam.md", "of the way along the floor from its start to the minimum (by arc length)")
    x_end = best_path("SGD", "rosenbrock")[-1, 0]
    u = np.linspace(-1.2, 1.0, 200_001)  # the arc length of y = x^2, by quadrature
    ds = np.sqrt(1 + 4 * u**2)
    cumulative = np.concatenate([[0], np.cumsum((ds[1:] + ds[:-1]) / 2 * np.diff(u))])
    independent = np.interp(x_end, u, cumulative) / cumulative[-1]
    assert rosenbrock_sgd_floor() == pytest.approx(independent, abs=1e-6)
    assert 0.5 < independent < 0.95


def test_claim_sgd_diverges_where_momentum_does_not(says):
    says("adam.md", "SGD diverges on Rosenbrock from [[value: adam-rosenbrock-sgd-diverges-lr]] up")
    says("adam.md", "SGD diverges from [[value: adam-valley-sgd-diverges-lr]] up; "
                    "momentum diverges at no rate of the grid.")
    sgd_r = race("rosenbrock")["SGD"]
    i = RATES.index(rosenbrock_sgd_diverges_lr())
    assert all(np.isfinite(sgd_r[:i])) and not any(np.isfinite(sgd_r[i:]))
    sgd_v, start = race("valley")["SGD"], VALLEY.loss(*VALLEY.start)
    i = RATES.index(valley_sgd_diverges_lr())
    assert max(sgd_v[:i]) < start and min(sgd_v[i:]) > 1e20
    assert max(race("valley")["momentum"]) < start


def test_claim_on_the_valley_rmsprop_ends_lowest(says):
    says("adam.md", "On the valley, RMSProp ends lowest")
    says("adam.md", "at the largest rate of the grid")
    loss = {name: best_loss(name, "valley") for name in OPTIMIZERS}
    others = [loss[name] for name in ("SGD", "momentum", "Adam")]
    assert loss["RMSProp"] < 1e-10 * min(others)
    assert best_rate("RMSProp", "valley") == RATES[-1]
    assert max(others) / min(others) == pytest.approx(valley_spread())
    assert valley_spread() < 3
    # RMSProp's first step: lr * g / sqrt((1 - 0.999) g^2) = 31.6 lr, off the map.
    assert rmsprop_first_step() == pytest.approx(1 / np.sqrt(1 - 0.999))
    assert best_path("RMSProp", "valley")[1:].max() > VALLEY.bounds[0][1]


def test_claim_the_results_are_ragged_in_the_rate(says):
    says("adam.md", "The results are ragged in the rate.")
    assert rosenbrock_adam_loss_next_rate() > 1e6 * best_loss("Adam", "rosenbrock")


def test_claim_at_small_rates_on_the_valley_momentum_ends_about_where_sgd_ends(says):
    says("adam.md", "At small rates on the valley, momentum ends about where SGD ends")
    says("adam.md", "to 0.02 their losses differ by at most")
    assert valley_sgd_momentum_gap() < 0.2
    sgd, momentum = race("valley")["SGD"], race("valley")["momentum"]
    assert momentum[RATES.index(0.05)] > 3 * sgd[RATES.index(0.05)]  # not above 0.02


def test_claim_momentum_barely_lowers_sgds_noise_floor_at_a_small_alpha(says):
    from snippets.momentum import floor_drop_small

    says("adam.md", "at a small $\\alpha$ it barely lowers SGD's noise floor")
    says("adam.md", "only close to SGD's stability limit a lot")
    # The settled E[loss] on 0.5 * (x^2 + 25 y^2) with unit gradient noise, in closed form:
    # sum_i a / (2 (2 - a lambda_i s)), s = (1 - beta1) / (1 + beta1) (s = 1 for SGD).
    def floor(a: float, beta1: float) -> float:
        s = (1 - beta1) / (1 + beta1)
        return sum(a / (2 * (2 - a * lam * s)) for lam in (1.0, 25.0))

    a = 0.01
    path = trajectory(lambda p: EMAMomentum(p, lr=a, beta=0.9), NOISY_VALLEY, steps=20_000)
    settled = NOISY_VALLEY.loss(path[1000:, 0], path[1000:, 1]).mean()
    assert settled == pytest.approx(floor(a, 0.9), rel=0.15)
    assert floor(a, 0.9) > 0.9 * floor(a, 0.0)  # small alpha: barely lower
    assert floor_drop_small() == pytest.approx(1 - floor(a, 0.9) / floor(a, 0.0))
    assert floor(0.07, 0.9) < 0.25 * floor(0.07, 0.0)  # near SGD's limit 0.08: a lot lower


def test_claim_momentums_best_rate_on_rosenbrock_is_one_where_sgd_diverges(says):
    says("adam.md", "Momentum on Rosenbrock, at its best rate, "
         "[[value: adam-rosenbrock-momentum-lr]], where SGD diverges")
    says("adam.md", "so larger learning rates stay stable")
    best = best_rate("momentum", "rosenbrock")
    assert best >= rosenbrock_sgd_diverges_lr()
    sgd = race("rosenbrock")["SGD"]
    assert not np.isfinite(sgd[RATES.index(best)])
    # at SGD's own best rate momentum ends about where SGD ends: the lead is the larger rate
    momentum = race("rosenbrock")["momentum"]
    at = RATES.index(best_rate("SGD", "rosenbrock"))
    assert momentum[at] == pytest.approx(sgd[at], rel=0.2)


def test_claim_example_3_fails_because_it_loses_both_averages_not_momentum_alone(says):
    says("adam.md", "Adam\nloses both of its averages. Each step is then the sign of the "
         "*current*\ngradient")

    def run(beta1: float, beta2: float) -> float:  # Example 3's loop, zig-zag around 0.1
        theta, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
        for t in range(1, 201):
            g = np.array([1.1 if t % 2 else -0.9])
            if beta1 == 0 and beta2 == 0:  # both averages gone: m_hat = g, v_hat = g^2
                theta = theta - 0.01 * g / (np.abs(g) + 1e-8)
            else:
                theta, m, v = adam_step(theta, g, m, v, t, lr=0.01, beta1=beta1, beta2=beta2)
        return float(theta[0])

    adam = run(0.9, 0.999)
    assert adam == pytest.approx(example3_paths(200)[0][-1])
    assert run(0.0, 0.999) == pytest.approx(adam, rel=0.15)  # momentum alone: barely changes
    assert abs(run(0.0, 0.0)) < 0.01 * abs(adam)  # both gone: sign descent goes nowhere


@pytest.mark.frameworks
def test_claim_decoupled_weight_decay_alone_is_not_adamw(says):
    torch = need("torch")
    says("adam.md", "The flag alone does not make it `torch.optim.AdamW`")
    says("adam.md", "`torch.optim.AdamW` defaults to `weight_decay=0.01`")
    t = torch.ones(3, requires_grad=True)
    assert torch.optim.AdamW([t]).defaults["weight_decay"] == 0.01
    assert inspect.signature(Adam).parameters["weight_decay"].default == 0.0

    def after(make, steps=20):
        p = [np.ones(3)]
        optimizer = make(p)
        for _ in range(steps):
            optimizer.step([np.zeros(3)])  # no gradient: only decay moves p
        return p[0]

    def torch_after(steps=20):
        t = torch.ones(3, dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.AdamW([t])
        for _ in range(steps):
            t.grad = torch.zeros(3, dtype=torch.float64)
            optimizer.step()
        return t.detach().numpy()

    flag_only = after(lambda p: Adam(p, decoupled_weight_decay=True))
    both = after(lambda p: Adam(p, weight_decay=0.01, decoupled_weight_decay=True))
    assert np.all(flag_only == 1.0)  # decays nothing
    assert both == pytest.approx(torch_after(), rel=1e-12) and np.all(both < 1.0)


def test_example_3_in_a_loop_goes_nowhere_while_adam_follows_the_mean_gradient():
    adam_path, post_path = example3_paths(200)
    assert adam_path[-1] == pytest.approx(-0.2151, abs=1e-4)
    assert abs(post_path[-1]) < 0.01
    assert np.abs(np.diff(post_path)).mean() > 0.009  # it moves about lr every step


def test_adam_step_refuses_t_zero():
    with pytest.raises(ValueError, match="t must be >= 1"):
        adam_step(np.zeros(1), np.ones(1), np.zeros(1), np.zeros(1), t=0)


def test_exercise_first_step_is_alpha_for_any_gradient_far_above_eps(says):
    from snippets.adam_page import exercise_first_step_tiny

    says("adam.md", "then $g_1 = 3 \\times 10^{-7}$")
    # By hand: m_hat_1 = g and v_hat_1 = g^2, so the step is lr * |g| / (|g| + eps).
    def by_hand(g: float, eps: float = 1e-8) -> float:
        m_hat, v_hat = (1 - 0.9) * g / (1 - 0.9), (1 - 0.999) * g * g / (1 - 0.999)
        return abs(m_hat) / (math.sqrt(v_hat) + eps)

    assert by_hand(0.004) == pytest.approx(1, abs=1e-5)
    assert by_hand(4000.0) == pytest.approx(1, abs=1e-9)
    assert exercise_first_step_tiny() == pytest.approx(by_hand(3e-7), rel=1e-12)
    assert 0.9 < exercise_first_step_tiny() < 0.99  # near eps: visibly short of alpha


def test_exercise_scaling_the_loss_leaves_adam_unchanged_and_breaks_sgd(says):
    from snippets.adam_page import (
        exercise_scaled_adam_gap,
        exercise_scaled_sgd_lowest,
        exercise_scaled_sgd_peak,
    )

    says("adam.md", "Adam's losses change by at most [[value: adam-exercise-scaled-adam-gap]]")
    # The page's code races SGD at 0.16: the steady rate the worked example states.
    assert sgd_steady_rate() == 0.16
    # Independently of fit_scaled and the Adam class: adam_step and plain gradient descent
    # written out, on the gradients times 1 and times 1000.
    X, y = make_data()

    def adam_losses(scale: float) -> np.ndarray:
        w, m, v, losses = np.zeros(4), np.zeros(4), np.zeros(4), []
        for t in range(1, 302):
            loss, gw, gb = loss_and_grads(w[:3], w[3:], X, y)
            losses.append(loss)
            w, m, v = adam_step(w, scale * np.concatenate([gw, gb]), m, v, t, lr=0.1)
        return np.array(losses)

    def sgd_losses(scale: float) -> np.ndarray:
        w, losses = np.zeros(4), []
        with np.errstate(all="ignore"):
            for _ in range(301):
                loss, gw, gb = loss_and_grads(w[:3], w[3:], X, y)
                losses.append(loss)
                w = w - 0.16 * scale * np.concatenate([gw, gb])
        return np.array(losses)

    gap = np.abs(adam_losses(1000.0) - adam_losses(1.0)).max()
    assert exercise_scaled_adam_gap() == pytest.approx(gap, rel=1e-3)
    assert gap < 1e-6  # only eps does not scale
    sgd = sgd_losses(1000.0)  # chaotic: only its lowest and highest loss are robust
    assert exercise_scaled_sgd_lowest() == pytest.approx(sgd[1:].min(), rel=1e-9)
    assert exercise_scaled_sgd_peak() == pytest.approx(sgd.max(), rel=1e-9)
    assert sgd[1:].min() > 50 * sgd_losses(1.0)[-1]  # far above where unscaled SGD ends


def test_exercise_line_8_matters_for_the_first_few_thousand_steps(says):
    from snippets.adam_page import exercise_line8_steps

    says("adam.md", "From which step on does it\nchange the step by less than 1 %?")
    # 1 - sqrt(1 - 0.999^t) < 0.01  <=>  0.999^t < 1 - 0.99^2  <=>  t > log(..) / log(0.999)
    bound = math.log(1 - 0.99**2) / math.log(0.999)
    assert exercise_line8_steps() == math.ceil(bound)
    assert 1000 < exercise_line8_steps() < 10_000  # "the first few thousand steps"
    from snippets.adam_page import exercise_line7_steps

    assert exercise_line7_steps() == math.ceil(math.log(0.01) / math.log(0.9))  # 44
    assert exercise_line7_steps() < exercise_line8_steps() / 50  # "long after"


def test_the_visible_body_of_adam_step_is_algorithm_1_lines_5_to_9():
    """/adam/ shows adam_step's update lines by line numbers of adam.py, numbered from 5 as
    Algorithm 1 numbers them: an edit of adam.py that moves them must move the include."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "adam.md").read_text()
    include = re.search(r'```python title="adam.py: the body of adam_step, Algorithm 1 lines 5 '
                        r'to 9, then its return" linenums="5"\n'
                        r'--8<-- "snippets/adam.py:(\d+):(\d+)"', page)
    assert include, "the page no longer shows adam_step's body from line 5"
    first, last = int(include.group(1)), int(include.group(2))
    lines = (root / "snippets" / "adam.py").read_text().splitlines()[first - 1:last]
    code = [line.split("#")[0].strip() for line in lines]
    assert code == [  # Algorithm 1, lines 5 to 10
        "m = beta1 * m + (1 - beta1) * grads",
        "v = beta2 * v + (1 - beta2) * grads**2",
        "m_hat = m / (1 - beta1**t)",
        "v_hat = v / (1 - beta2**t)",
        "params = params - lr * m_hat / (np.sqrt(v_hat) + epsilon)",
        "return params, m, v",
    ]
    source = inspect.getsource(adam_step)
    assert all(line in source for line in lines)  # the lines of adam_step itself
