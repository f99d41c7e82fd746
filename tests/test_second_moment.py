"""Layer 3 (snippets/second_moment.py): per-parameter step sizes from v."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from need import need

from snippets import second_moment
from snippets.adam import Adam, adam_step
from snippets.optimizers import SGD, trajectory
from snippets.second_moment import scaled, step_sizes
from snippets.surfaces import BOWL


@pytest.mark.parametrize("size", [1e-4, 1e-2, 1.0, 1e2, 1e4])
def test_a_steady_gradient_moves_its_parameter_lr_per_step_whatever_its_size(size):
    np.testing.assert_allclose(step_sizes(np.full(20, size)), 1.0, rtol=1e-3)


@pytest.mark.parametrize("size, expected", [(1e-8, 0.5), (1e-7, 1 / 1.1), (1e-9, 1 / 11)])
def test_epsilon_shrinks_the_step_to_g_over_g_plus_epsilon(size, expected):
    np.testing.assert_allclose(step_sizes([size]), expected, rtol=1e-9)


def test_scaled_multiplies_the_loss_and_the_gradient():
    big = scaled(BOWL, 1e3)
    assert big.loss(1.0, 2.0) == pytest.approx(1e3 * BOWL.loss(1.0, 2.0))
    np.testing.assert_allclose(big.grad(1.0, 2.0), 1e3 * BOWL.grad(1.0, 2.0))


@pytest.mark.parametrize("c", [1e-3, 1e3])
def test_adam_takes_the_same_path_when_the_loss_is_scaled_and_sgd_does_not(c):
    base = trajectory(lambda p: Adam(p, lr=0.05), BOWL, steps=60)
    other = trajectory(lambda p: Adam(p, lr=0.05), scaled(BOWL, c), steps=60)
    assert np.abs(other - base).max() < 1e-4
    sgd = trajectory(lambda p: SGD(p, lr=0.18), BOWL, steps=60)
    sgd_scaled = trajectory(lambda p: SGD(p, lr=0.18), scaled(BOWL, c), steps=60)
    assert np.abs(sgd_scaled[-1] - sgd[-1]).max() > 0.4


def _paper_bound() -> float:
    return (1 - 0.9) / np.sqrt(1 - 0.999)


def _supremum() -> float:
    # Cauchy-Schwarz on m_hat / sqrt(v_hat) as t -> infinity, derived independently.
    return _paper_bound() / np.sqrt(1 - 0.9**2 / 0.999)


def test_a_lone_spike_after_long_silence_comes_within_half_a_percent_of_the_papers_bound():
    steps = step_sizes(np.r_[np.zeros(5000), 1.0])
    assert _paper_bound() * 0.995 < steps.max() < _paper_bound()


def test_a_tenfold_jump_in_the_gradient_breaks_the_papers_bound():
    steps = step_sizes(np.r_[np.ones(5000), np.full(200, 10.0)])
    assert steps.max() == pytest.approx(5.19, abs=0.01)
    assert steps.max() > _paper_bound()


def test_a_gradient_growing_by_beta2_over_beta1_approaches_the_true_supremum():
    grads = np.r_[np.zeros(5000), (0.999 / 0.9) ** np.arange(40)]
    assert _supremum() == pytest.approx(7.27, abs=0.005)
    assert 7.2 < step_sizes(grads).max() < _supremum()


def test_claim_the_parameter_with_the_larger_gradient_does_not_move_more_slowly(says):
    says("second-moment.md", "The parameter with the larger gradient does *not* move more "
         "slowly. It moves [[value: second-moment-post-farther]] *farther*")
    _, moved = second_moment._post_example2()
    assert moved[1] > moved[0]  # the larger gradient moves (a hair) farther, not slower
    assert (moved[1] - moved[0]) / moved[1] < 2e-5
    assert second_moment.post_farther() == pytest.approx((moved[1] - moved[0]) / moved[1])


def test_adams_per_parameter_steps_are_equal_where_sgds_are_a_million_apart():
    g = np.array([1e-3, 1.0, 1e3])
    theta, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for t in range(1, 101):
        theta, m, v = adam_step(theta, g, m, v, t, lr=0.01)
    np.testing.assert_allclose(-theta, 1.0, rtol=1e-4)


def test_the_bowl_race_distances_quoted_on_the_page():
    from snippets.optimizers import EMAMomentum, RMSProp

    racers = {  # one learning rate, 0.1, for all four, as in the playground
        "SGD": (lambda p: SGD(p, lr=0.1), 0.82),
        "momentum": (lambda p: EMAMomentum(p, lr=0.1, beta=0.9), 0.87),
        "RMSProp": (lambda p: RMSProp(p, lr=0.1, alpha=0.999), 0.00),
        "Adam": (lambda p: Adam(p, lr=0.1), 0.06),
    }
    stated = [second_moment.race_sgd(), second_moment.race_momentum(),
              second_moment.race_rmsprop(), second_moment.race_adam()]
    for (make, quoted), value in zip(racers.values(), stated, strict=True):
        distance = np.hypot(*trajectory(make, BOWL, steps=60)[60])
        assert distance == pytest.approx(quoted, abs=0.005)
        assert value == pytest.approx(distance, rel=1e-9, abs=1e-300)


def test_rmsprop_without_bias_correction_starts_with_steps_of_thirty_one_point_six_lr():
    from snippets.optimizers import RMSProp

    path = trajectory(lambda p: RMSProp(p, lr=0.1, alpha=0.999), BOWL, steps=1)
    first = 1 / np.sqrt(1 - 0.999)  # g / sqrt((1 - beta) g^2)
    np.testing.assert_allclose(np.abs(path[1] - path[0]), first * 0.1, rtol=1e-5)  # eps aside
    assert second_moment.rmsprop_first_step() == pytest.approx(first, rel=1e-5)


def _sweep_run(make, lr: float) -> float:
    """Distance from the minimum after 60 steps, written out without the optimizer classes."""
    with np.errstate(all="ignore"):
        p = np.array(BOWL.start)
        state = make(lr)
        for _ in range(60):
            p = state(p, BOWL.grad(*p))
        d = float(np.hypot(*p))
    return d if np.isfinite(d) else np.inf


def _sgd(lr):
    return lambda p, g: p - lr * g


def _momentum(lr):
    m = np.zeros(2)

    def step(p, g):
        m[:] = 0.9 * m + 0.1 * g
        return p - lr * m
    return step


def _rmsprop(lr):
    v = np.zeros(2)

    def step(p, g):
        v[:] = 0.999 * v + 0.001 * g * g
        return p - lr * g / (np.sqrt(v) + 1e-8)
    return step


def _adam(lr):
    m, v, t = np.zeros(2), np.zeros(2), [0]

    def step(p, g):
        t[0] += 1
        m[:] = 0.9 * m + 0.1 * g
        v[:] = 0.999 * v + 0.001 * g * g
        return p - lr * (m / (1 - 0.9 ** t[0])) / (np.sqrt(v / (1 - 0.999 ** t[0])) + 1e-8)
    return step


SWEEP_RUNS = {"sgd": _sgd, "momentum": _momentum, "rmsprop": _rmsprop, "adam": _adam}


def test_claim_the_sweep_ranges_adam_beats_sgd_and_momentum_and_rmsprop_is_faster(says):
    says("second-moment.md", "The division buys one $\\alpha$ that suits both directions, over "
         "a wide range. At its best rate Adam ends [[value: second-moment-sweep-adam-best]] from "
         "the minimum, closer than momentum at its best "
         "([[value: second-moment-sweep-momentum-best]]) and SGD, as on the home page's "
         "[badly scaled regression](index.md#where-adam-wins); RMSProp is faster still.")
    says("second-moment.md", "at this $\\alpha$\non this clean bowl both additions cost "
         "speed: without its momentum Adam ends")
    says("second-moment.md", "they pay for themselves elsewhere, as on the playground's "
         "[noisy valley](playground.md?surface=noisy%20valley&steps=1000), where Adam ends "
         "lowest of the four")
    # The ablation, each run written out: Adam with beta1 = 0 (corrected), then without the
    # correction too (RMSProp with Adam's beta2): each step ends closer on the clean bowl.
    def run(beta1, correct):
        p, m, v = np.array(BOWL.start, float), np.zeros(2), np.zeros(2)
        for t in range(1, 61):
            g = np.array([0.1 * p[0], 10.0 * p[1]])
            m, v = beta1 * m + (1 - beta1) * g, 0.999 * v + 0.001 * g * g
            mh, vh = (m / (1 - beta1**t), v / (1 - 0.999**t)) if correct else (m, v)
            p = p - 0.1 * mh / (np.sqrt(vh) + 1e-8)
        return np.hypot(*p)

    adam, no_momentum, rmsprop = run(0.9, True), run(0.0, True), run(0.0, False)
    assert rmsprop < no_momentum < adam
    assert second_moment.race_adam_no_momentum() == pytest.approx(no_momentum, rel=1e-6)
    assert second_moment.race_adam() == pytest.approx(adam, rel=1e-6)
    from snippets.playground import noisy_valley_floor

    floor = noisy_valley_floor(0.05)  # the playground's default alpha, 20 noise samples
    assert floor["adam"] == min(floor.values())
    says("second-moment.md", "RMSProp from [[value: second-moment-sweep-rmsprop-low]] up to the "
         "largest rate tried.")
    lrs = np.geomspace(1e-3, 10, 25)
    near = 0.1 * np.hypot(*BOWL.start)
    runs = {key: np.array([_sweep_run(make, lr) for lr in lrs]) for key, make in SWEEP_RUNS.items()}
    for key, d in runs.items():
        np.testing.assert_allclose(second_moment.sweep_distances(key), d, rtol=1e-6, atol=1e-300)
        inside = np.nonzero(d < near)[0]
        if key == "sgd":
            assert inside.size == 0  # SGD never gets within a tenth
            assert second_moment.sweep_sgd_best() == pytest.approx(d.min())
            assert np.all(~np.isfinite(d[lrs > 0.2]) | (d[lrs > 0.2] > 1e3))  # diverges above 0.2
            continue
        assert np.all(np.diff(inside) == 1)  # one range, no gaps: "from ... to ..."
        assert second_moment.sweep_range(key) == (pytest.approx(lrs[inside[0]]),
                                                  pytest.approx(lrs[inside[-1]]))
    # The division's range is wide: Adam's and RMSProp's span over 100x, momentum's 10x.
    for key in ("adam", "rmsprop"):
        lo, hi = second_moment.sweep_range(key)
        assert hi / lo > 100
    lo, hi = second_moment.sweep_range("momentum")
    assert hi / lo < 10.01
    # Adam at its best beats momentum and SGD at theirs, by a factor of ten and more ...
    assert runs["adam"].min() < 0.1 * runs["momentum"].min() < 0.1 * runs["sgd"].min()
    assert second_moment.sweep_adam_best() == pytest.approx(runs["adam"].min())
    assert second_moment.sweep_momentum_best() == pytest.approx(runs["momentum"].min())
    # ... but RMSProp ends closer than Adam at every learning rate of the sweep.
    assert np.all(runs["rmsprop"] < runs["adam"])
    # RMSProp's range runs to the sweep's end: "up to the largest rate tried".
    assert runs["rmsprop"][-1] < near
    assert second_moment.sweep_range("rmsprop")[1] == pytest.approx(lrs[-1])


def test_claim_adam_without_its_momentum_and_its_correction_is_rmsprop(says):
    from snippets.optimizers import AdamNoBiasCorrection, RMSProp

    says("second-moment.md", "Adam without its momentum and its correction *is*\nRMSProp")
    for lr in (0.01, 0.1, 1.0):
        plain = trajectory(lambda p, lr=lr: AdamNoBiasCorrection(p, lr=lr, betas=(0.0, 0.999)),
                           BOWL, steps=60)
        rms = trajectory(lambda p, lr=lr: RMSProp(p, lr=lr, alpha=0.999), BOWL, steps=60)
        np.testing.assert_allclose(plain, rms, rtol=1e-12, atol=1e-300)


# -- Claims -----------------------------------------------------------------------------


def _bowl_path(c: float, eps: float) -> np.ndarray:
    return trajectory(lambda p: Adam(p, lr=0.05, eps=eps), scaled(BOWL, c), steps=60)


def test_claim_adams_path_does_not_change_when_the_loss_is_scaled(says):
    says("second-moment.md", "so Adam takes *the same steps* on the scaled loss (as long as")
    says("second-moment.md", "Adam's three paths end at the same point and never differ by "
         "more than [[value: second-moment-scale-gap]]")
    # Without epsilon the scale cancels exactly: the paths agree to rounding.
    for c in (1e-3, 1e3):
        np.testing.assert_allclose(_bowl_path(c, 0.0), _bowl_path(1.0, 0.0), atol=1e-12)
    # With epsilon = 1e-8 they differ only where gradients come near epsilon: tiny gaps.
    gap = max(np.abs(_bowl_path(c, 1e-8) - _bowl_path(1.0, 1e-8)).max() for c in (1e-3, 1e3))
    assert 0 < gap < 1e-4
    assert second_moment.scale_gap() == pytest.approx(gap)


def test_claim_the_step_can_exceed_the_papers_bound_when_the_gradient_grows(says):
    says("second-moment.md", "the step can exceed the paper's bound when the gradient *grows* "
         "faster than $\\sqrt{v}$ can follow")
    tenfold = step_sizes(np.r_[np.ones(5000), np.full(1000, 10.0)]).max()  # the code block's
    growing = step_sizes(np.r_[np.zeros(5000), (0.999 / 0.9) ** np.arange(40)]).max()
    assert _paper_bound() < tenfold < growing < _supremum()
    assert second_moment.step_bound_tenfold() == pytest.approx(tenfold)  # the figure's run
    steady = step_sizes(np.full(6000, 0.3)).max()
    assert steady <= 1.0  # a gradient that does not grow stays within lr


def test_claim_a_parameter_whose_gradient_is_mostly_noise_takes_small_steps(says):
    says("second-moment.md", "Adam's average progress per step is about $\\alpha$ times the "
         "ratio mean over RMS, here [[value: second-moment-mean-over-rms]] $\\alpha$, and its "
         "steps, back and forth, average [[value: second-moment-noisy-step-length]] $\\alpha$: "
         "a parameter whose gradient is mostly noise takes small steps.")
    g = 0.3 + 2.0 * np.random.default_rng(5).standard_normal(20_000)  # mean 0.3, spread 2
    theta, m, v, steps = np.zeros(1), np.zeros(1), np.zeros(1), []
    for t, g_t in enumerate(g, start=1):
        new, m, v = adam_step(theta, np.array([g_t]), m, v, t, lr=1e-3)
        steps.append((theta - new)[0] / 1e-3)
        theta = new
    steps = np.array(steps)
    mean_over_rms = 0.3 / np.hypot(0.3, 2.0)  # 0.15
    # progress per step: the sample mean of 20000 gradients of spread 2 is itself
    # within 7% of 0.3 (two standard errors), so "about" allows 12%
    assert steps.mean() == pytest.approx(mean_over_rms, rel=0.12)
    assert 0.2 < np.abs(steps).mean() < 0.3  # each step is small, and longer than the progress
    assert second_moment.noisy_step_length() == pytest.approx(np.abs(steps).mean(), rel=0.03)
    assert second_moment.mean_over_rms() == pytest.approx(mean_over_rms)


def test_claim_far_below_epsilon_adam_becomes_sgd_with_momentum_at_lr_over_epsilon(says):
    says("second-moment.md", "where the gradients' RMS $\\sqrt{v_t}$ falls far below "
         "$\\varepsilon$, Adam stops normalising: its step $\\alpha\\, m_t/\\varepsilon$ is "
         "SGD with momentum at the learning rate $\\alpha/\\varepsilon$")
    from snippets.optimizers import AdamNoBiasCorrection, EMAMomentum

    # On the bowl with its loss times 1e-12 every gradient, so sqrt(v), is below 2e-11:
    # this page's step m / (sqrt(v) + eps) moves as SGD with momentum at lr / eps does,
    # and not as plain SGD at that rate.
    tiny = scaled(BOWL, 1e-12)
    adam = trajectory(lambda p: AdamNoBiasCorrection(p, lr=1e-3), tiny, steps=60)
    momentum = trajectory(lambda p: EMAMomentum(p, lr=1e-3 / 1e-8, beta=0.9), tiny, steps=60)
    plain = trajectory(lambda p: SGD(p, lr=1e-3 / 1e-8), tiny, steps=60)
    start = np.array(BOWL.start)
    np.testing.assert_allclose(adam - start, momentum - start, rtol=1e-2, atol=1e-14)
    assert np.abs(adam - plain).max() > 100 * np.abs(adam - momentum).max()
    for g in (1e-11, 1e-12, 3e-13):
        step = step_sizes([g], lr=1e-3)[0] * 1e-3  # the change in the parameter
        assert step == pytest.approx(1e-3 / 1e-8 * g, rel=2e-3)
    assert second_moment.sgd_rate_below_epsilon() == pytest.approx(1e-3 / 1e-8)


def test_claim_sgd_hardly_moves_at_one_thousandth_and_explodes_at_a_thousand(says):
    says("second-moment.md", "SGD with $\\alpha = 0.18$ hardly moves at $10^{-3}$, converges\n"
         "slowly at $1$ and explodes at $10^3$")
    start = np.array(BOWL.start)
    small = trajectory(lambda p: SGD(p, lr=0.18), scaled(BOWL, 1e-3), steps=60)
    assert np.hypot(*(small[-1] - start)) < 0.1 * np.hypot(*start)  # hardly moves
    unit = np.hypot(*trajectory(lambda p: SGD(p, lr=0.18), BOWL, steps=60).T)
    assert np.all(np.diff(unit) <= 0) and unit[-1] > 0.4  # converges, slowly
    large = trajectory(lambda p: SGD(p, lr=0.18), scaled(BOWL, 1e3), steps=60)
    assert not np.isfinite(large[-1]).all() or np.abs(large[-1]).max() > 1e10  # explodes
    # The limits behind it: SGD is stable on the steep direction (curvature 10 c) below 2/(10 c).
    assert 0.18 < 2 / 10 and 0.18 > 2 / (10 * 1e3)


@pytest.mark.parametrize("batch", [1, 8, 64])
def test_claim_v_is_the_empirical_fishers_diagonal_only_for_batches_of_one(says, batch):
    says("second-moment.md", "so once the average has filled up $v_t$ estimates "
         "$(\\mathrm{E}\\,g_i)^2 + \\operatorname{Var} g_i / B$: the empirical Fisher's "
         "diagonal only for $B = 1$.")
    rng = np.random.default_rng(2)
    per_example = 0.3 + 2.0 * rng.standard_normal(1000)  # one parameter's g_i over the data
    fisher_diagonal = np.mean(per_example**2)  # the empirical Fisher's diagonal entry
    formula = per_example.mean() ** 2 + per_example.var() / batch
    draws = rng.integers(0, 1000, size=(40_000, batch))  # minibatches, with replacement
    v = 0.0
    estimates = []
    for t, g in enumerate(per_example[draws].mean(axis=1), start=1):
        v = 0.999 * v + (1 - 0.999) * g**2
        if t > 5000:
            estimates.append(v / (1 - 0.999**t))  # v_hat_t
    assert np.mean(estimates) == pytest.approx(formula, rel=0.05)
    if batch == 1:
        assert np.mean(estimates) == pytest.approx(fisher_diagonal, rel=0.05)
    else:
        assert np.mean(estimates) < 0.5 * fisher_diagonal


def test_claim_on_noisy_gradients_the_steps_are_mostly_far_below_lr(says):
    says("second-moment.md", "On the noisy gradient the steps are mostly far below $\\alpha$")
    says("second-moment.md", "only [[value: step-bound-noisy-above]] of the 6000 are longer "
         "(the longest [[value: step-bound-noisy]] $\\alpha$)")
    # The code block's noisy gradient, stepped by a plain Adam written here (bias-corrected
    # m / (sqrt(v) + eps)), independent of step_sizes.
    g = 0.3 + np.random.default_rng(1).standard_normal(6000)
    m = v = 0.0
    sizes = []
    for t, g_t in enumerate(g, start=1):
        m = 0.9 * m + 0.1 * g_t
        v = 0.999 * v + 0.001 * g_t**2
        sizes.append(abs(m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8))
    sizes = np.array(sizes)
    assert np.mean(sizes) < 0.5 and np.percentile(sizes, 95) < 0.8  # far below lr ...
    assert 0 < np.sum(sizes > 1) < 0.01 * sizes.size  # ... above it in under 1% of steps
    assert second_moment.step_bound_noisy_mean() == pytest.approx(sizes.mean(), rel=1e-6)
    assert second_moment.step_bound_noisy_median() == pytest.approx(np.median(sizes), rel=1e-6)
    assert second_moment.step_bound_noisy_p95() == pytest.approx(
        np.percentile(sizes, 95), rel=1e-6)
    assert second_moment.step_bound_noisy_above() == np.sum(sizes > 1)
    assert second_moment.step_bound_noisy() == pytest.approx(sizes.max(), rel=1e-6)


def test_claim_scale_invariance_holds_only_well_above_epsilon(says):
    says("second-moment.md", "Scale invariance therefore holds only for gradients well above")
    says("second-moment.md", "the step is within 1% of $\\alpha$ only from $|g|$ =")
    # A steady gradient g's step is |g| / (|g| + eps) lr: 10 eps is 9% short of lr.
    assert second_moment.step_at_ten_epsilon() == pytest.approx(10 / 11)
    assert 1 - second_moment.step_at_ten_epsilon() > 0.05
    n = second_moment.epsilon_multiple_one_percent()
    assert step_sizes([n * 1e-8], lr=1.0)[0] == pytest.approx(0.99, abs=1e-9)
    assert step_sizes([0.9 * n * 1e-8], lr=1.0)[0] < 0.99 < step_sizes([1e-6], lr=1.0)[0]
    assert second_moment.step_at_hundred_epsilon() == pytest.approx(100 / 101)


@pytest.mark.frameworks
def test_claim_keras_epsilon_is_the_papers_eps_hat_not_algorithm_1s_eps(says):
    import os

    os.environ.setdefault("KERAS_BACKEND", "jax")
    jax = need("jax")
    jax.config.update("jax_enable_x64", True)  # else float64 variables are float32
    keras = need("keras")
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend than JAX before this test")
    from snippets.adam_page import keras_first_eps

    says("second-moment.md", "Keras's `epsilon`\n(default $10^{-7}$) is a different number: "
         "the $\\hat\\varepsilon$ of the paper's\n[efficient form](frameworks.md#efficient-form)")
    assert keras.optimizers.Adam().epsilon == pytest.approx(1e-7)
    # Keras's first step on a gradient g from zero state, against Algorithm 1's step
    # g / (g + eps): it matches eps = 1e-7 / sqrt(1 - beta2), about 3e-6, not eps = 1e-7.
    eps = keras_first_eps()
    assert eps == pytest.approx(1e-7 / np.sqrt(1 - 0.999))
    keras.config.set_floatx("float64")
    try:
        for g in (1e-6, 3e-6, 1e-5):
            w = keras.Variable(np.zeros(1), dtype="float64")
            keras.optimizers.Adam(learning_rate=1.0).apply(
                [keras.ops.convert_to_tensor(np.array([g]))], [w])
            step = -float(np.array(w.value)[0])
            assert step == pytest.approx(g / (g + eps), rel=1e-4)  # Algorithm 1 with that eps
            assert abs(step - g / (g + 1e-7)) > 0.1  # not Algorithm 1 with eps = 1e-7
    finally:
        keras.config.set_floatx("float32")


def test_fast_step_sizes_are_step_sizes_bit_for_bit():
    """fast_step_sizes gives step_sizes's numbers to the last bit: the figure's and the
    block's histories, other betas and epsilons, and it raises as adam_step does."""
    histories = [grads for _, grads in second_moment._step_bound_cases()] + [
        0.3 + np.random.default_rng(1).standard_normal(6000),
        np.r_[np.zeros(5000), (0.999 / 0.9) ** np.arange(40)],
        np.logspace(-12, 2, 57), [1e-8], [], [-2.0, 0.0, 3.5],
    ]
    for grads in histories:
        assert np.array_equal(second_moment.fast_step_sizes(grads), step_sizes(grads))
    grads = 0.3 + np.random.default_rng(5).standard_normal(500)
    for beta1, beta2, eps, lr in ((0.0, 0.999, 1e-8, 1e-3), (0.99, 0.99, 1e-3, 1.0)):
        step = partial(adam_step, beta1=beta1, beta2=beta2, epsilon=eps)
        fast = second_moment.fast_step_sizes(grads, lr, beta1=beta1, beta2=beta2, epsilon=eps)
        assert np.array_equal(fast, step_sizes(grads, lr, step=step))
    assert np.array_equal(second_moment._noisy_steps(),
                          step_sizes(0.3 + np.random.default_rng(1).standard_normal(6000)))
    with pytest.raises(ValueError, match="grads holds"):
        second_moment.fast_step_sizes([1.0, np.inf])


def test_claim_a_short_memory_for_v_makes_sqrt_v_jitter(says):
    says("second-moment.md", "so a jittery $\\sqrt{v}$ makes the length of every step jitter")
    g = 0.3 + 2.0 * np.random.default_rng(0).standard_normal(20_000)  # the rms block's
    sm = second_moment
    for beta2, low, high in ((0.9, sm.jitter_fast_low(), sm.jitter_fast_high()),
                             (0.999, sm.jitter_slow_low(), sm.jitter_slow_high())):
        # v as a filter: v_t = (1 - beta2) * sum_k beta2^(t-k) g_k^2, a convolution (by FFT)
        w = (1 - beta2) * beta2 ** np.arange(len(g))
        n = 2 * len(g)
        v = np.fft.irfft(np.fft.rfft(g**2, n) * np.fft.rfft(w, n), n)[: len(g)]
        roots = np.sqrt(v)[5000:]
        assert roots.min() == pytest.approx(low, rel=1e-6)
        assert roots.max() == pytest.approx(high, rel=1e-6)
    assert second_moment.jitter_fast_factor() > 3  # the step length would swing threefold
    assert second_moment.jitter_slow_high() / second_moment.jitter_slow_low() < 1.1


def test_the_step_bound_figures_noisy_panel_agrees_with_the_text():
    """The text says the noisy gradient's steps are mostly far below lr; the figure's window
    (steps 4951-5100) must show that too, and its alt text states the max."""
    window = second_moment._step_bound_runs()[1][4950:5100]
    assert window.max() < 1 and np.median(window) < 0.5
    assert second_moment.step_bound_noisy_window_max() == pytest.approx(window.max())
    assert second_moment.step_bound_tenfold() == pytest.approx(5.19, abs=0.005)  # = the block's


def test_the_uncorrected_division_starts_at_sqrt_ten_lr_and_grows():
    # m_1 / sqrt(v_1) = (1 - beta1) g / (sqrt(1 - beta2) |g|), the same in both coordinates.
    assert second_moment.next_first_step() == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-5)
    assert second_moment.next_peak_step() > second_moment.next_first_step() > 3
    assert second_moment.next_peak_at() > 1


def test_exercise_adagrad_steps_shrink_as_one_over_root_t(says):
    # Steady gradient g: the sum after t steps is t g^2, the step lr |g| / sqrt(t g^2).
    assert second_moment.exercise_adagrad_100() == pytest.approx(1 / np.sqrt(100), rel=1e-6)
    assert second_moment.exercise_adagrad_10000() == pytest.approx(1 / np.sqrt(10_000), rel=1e-6)
    # "Adam's corrected running averages keep it at lr": the corrected m / sqrt(v) of a
    # steady gradient is g / |g|; without the correction (RMSProp here) step 100 is
    # 1 / sqrt(1 - 0.999**100), over three times lr.
    says("second-moment.md", "Adam's corrected running averages keep it at $\\alpha$.")
    for t in (100, 10_000):
        assert step_sizes(np.full(t, 0.3))[-1] == pytest.approx(1.0, rel=1e-6)
    assert 1 / np.sqrt(1 - 0.999**100) > 3


def test_claim_adagrads_learning_rate_only_shrinks_while_its_steps_need_not(says):
    says("second-moment.md", "so each parameter's learning rate only shrinks")
    from snippets.optimizers import AdaGrad

    # lr / sqrt(sum g^2) can only fall; the step lr |g| / sqrt(sum) grows when |g| jumps.
    point = np.zeros(1)
    opt, moves = AdaGrad([point], lr=1.0), []
    for g in (0.1, 0.1, 10.0):
        before = point[0]
        opt.step([np.array([g])])
        moves.append(abs(point[0] - before))
    assert moves[2] > moves[1]


def test_exercise_a_shorter_v_memory_shrinks_the_step_after_a_tenfold_jump(says):
    def largest(beta2):
        m = v = 0.0
        sizes = []
        for t, g in enumerate(np.r_[np.ones(5000), np.full(1000, 10.0)], start=1):
            m = 0.9 * m + 0.1 * g
            v = beta2 * v + (1 - beta2) * g * g
            sizes.append((m / (1 - 0.9**t)) / (np.sqrt(v / (1 - beta2**t)) + 1e-8))
        return max(sizes)
    assert second_moment.exercise_tenfold_099() == pytest.approx(largest(0.99), rel=1e-9)
    assert second_moment.exercise_tenfold_09() == pytest.approx(largest(0.9), rel=1e-9)
    assert 1.0 <= second_moment.exercise_tenfold_099() < second_moment.step_bound_tenfold()
    assert second_moment.exercise_tenfold_09() <= 1.0  # v as quick as m: no overshoot
    # The jitter factor quoted is that of the first section's spread-2 gradients (seed 0).
    says("second-moment.md", "with $\\beta_2 = 0.9$ on the spread-2 gradients of the "
         "[first section](#a-running-mean-of-squared-gradients)")
    g = 0.3 + 2.0 * np.random.default_rng(0).standard_normal(20_000)
    v, roots = 0.0, []
    for t, g_t in enumerate(g, start=1):
        v = 0.9 * v + 0.1 * g_t * g_t
        if t > 5000:
            roots.append(np.sqrt(v))
    assert second_moment.jitter_fast_factor() == pytest.approx(max(roots) / min(roots))


def test_exercise_below_epsilon_adam_is_sgd_with_a_huge_rate(says):
    says("second-moment.md", "below $\\varepsilon$, Adam is SGD with momentum at that learning "
         "rate, and the momentum of a steady gradient is the gradient itself.")
    step = 1e-3 * 1e-9 / (1e-9 + 1e-8)  # lr |g| / (|g| + eps) for a steady gradient
    assert second_moment.exercise_tiny_step() == pytest.approx(step, rel=1e-9)
    assert second_moment.exercise_tiny_sgd_rate() == pytest.approx(1e-3 / 1.1e-8, rel=1e-9)
    assert second_moment.exercise_tiny_sgd_rate() == pytest.approx(1e-3 / 1e-8, rel=0.1)



# -- The bowl race and its figure ------------------------------------------------------


def _adam_path(surface, start, lr=0.1, eps=1e-8, steps=60):
    """Adam (bias-corrected m / (sqrt(v) + eps)) written out, on a quadratic loss."""
    p, m, v = np.array(start, dtype=float), np.zeros(2), np.zeros(2)
    path = [p]
    for t in range(1, steps + 1):
        g = surface(p)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + eps)
        path.append(p)
    return np.array(path)


def test_claim_on_the_stretched_bowl_adam_follows_its_path_on_the_round_bowl(says):
    says("second-moment.md", "Stretching the bowl along an axis multiplies that coordinate's "
         "gradients by a constant, which the division cancels")
    says("second-moment.md", "Adam follows its path on the round bowl $\\tfrac12(x^2+y^2)$ to "
         "within [[value: second-moment-round-gap]]")
    from snippets.optimizers import RMSProp

    stretched = lambda p: np.array([0.1, 10.0]) * p  # noqa: E731 - the bowl's gradient
    round_ = lambda p: p  # noqa: E731
    # Without epsilon the paths are the same to rounding, for Adam and for RMSProp ...
    np.testing.assert_allclose(_adam_path(stretched, BOWL.start, eps=0.0),
                               _adam_path(round_, BOWL.start, eps=0.0), atol=1e-12)
    for start in (BOWL.start, (-1.5, 0.15)):  # ... from any start, not only the symmetric one
        a = trajectory(lambda p: RMSProp(p, lr=0.1, alpha=0.999, eps=0.0), BOWL,
                       start=start, steps=60)
        b = trajectory(lambda p: RMSProp(p, lr=0.1, alpha=0.999, eps=0.0),
                       second_moment.ROUND_BOWL, start=start, steps=60)
        np.testing.assert_allclose(a, b, atol=1e-12)
    # ... and with epsilon = 1e-8 they differ by a tenth of a millionth at most.
    gap = np.abs(_adam_path(stretched, BOWL.start) - _adam_path(round_, BOWL.start)).max()
    assert 0 < gap < 1e-6
    assert second_moment.round_gap() == pytest.approx(gap, rel=1e-3)


def test_claim_turning_the_bowl_by_45_degrees_takes_the_fix_away(says):
    says("second-moment.md", "It undoes only a stretch along the parameters' own axes: turn the "
         "bowl and its start by 45°, and Adam ends the race "
         "[[value: second-moment-turned-adam]] from the minimum, not "
         "[[value: second-moment-race-adam]].")
    c = np.cos(np.pi / 4)
    turn = np.array([[c, -c], [c, c]])
    curvature = turn @ np.diag([0.1, 10.0]) @ turn.T  # [[5.05, -4.95], [-4.95, 5.05]]
    start = turn @ np.array(BOWL.start)  # (-1.5 sqrt 2, 0): the same point of the bowl
    aligned = np.hypot(*_adam_path(lambda p: np.array([0.1, 10.0]) * p, BOWL.start)[-1])
    turned = np.hypot(*_adam_path(lambda p: curvature @ p, start)[-1])
    assert turned > 1 > 0.1 > aligned
    assert second_moment.turned_adam() == pytest.approx(turned, rel=1e-6)
    assert second_moment.race_adam() == pytest.approx(aligned, rel=1e-6)
    # Not one learning rate's accident: turned, Adam ends over four times farther at
    # 0.03, 0.1 and 0.3 too.
    for lr in (0.03, 0.3):
        a = np.hypot(*_adam_path(lambda p: np.array([0.1, 10.0]) * p, BOWL.start, lr=lr)[-1])
        b = np.hypot(*_adam_path(lambda p: curvature @ p, start, lr=lr)[-1])
        assert b > 4 * a


def test_the_bowl_race_alt_text_adam_stays_on_the_diagonal_and_overshoots():
    """The figure's alt text: Adam stays on the diagonal line, overshoots the minimum and
    swings back along it."""
    path = second_moment._race_paths()[3]
    assert np.abs(path[:, 0] + path[:, 1]).max() < 1e-6  # on y = -x throughout
    x = path[:, 0]
    assert x.max() > 0.2 and x[-1] < 0  # past the minimum (x > 0), and back
    from snippets.figures import REGISTRY

    assert "stays on the same diagonal line, overshoots the minimum and swings back along it" \
        in " ".join(REGISTRY["bowl-race"].alt.split())


def test_claim_at_the_races_rate_sgd_and_momentum_crawl_and_momentum_needs_a_larger_one(says):
    says("second-moment.md", "At this $\\alpha$, SGD and momentum crawl along the flat $x$ "
         "direction;")
    says("second-moment.md", "momentum needs a larger $\\alpha$ than the race's")
    assert second_moment.race_sgd() > 0.5 and second_moment.race_momentum() > 0.5
    low, high = second_moment.sweep_range("momentum")
    assert 0.1 < low < high  # every rate at which momentum arrives is larger than the race's


def test_claim_the_longest_step_after_the_tenfold_jump_comes_tens_of_steps_later(says):
    says("second-moment.md", "$m$ takes in the new size within tens of steps")
    says("second-moment.md", "After a tenfold jump the longest step,\n"
         "[[value: step-bound-tenfold]] $\\alpha$, is the "
         "[[value: second-moment-tenfold-peak-after]]th\nstep of the larger gradient.")
    sizes = step_sizes(np.r_[np.ones(5000), np.full(200, 10.0)])
    after = int(np.argmax(sizes)) + 1 - 5000
    assert 10 <= after < 100
    assert second_moment.tenfold_peak_after() == after
    assert 0.9**after < 0.2  # by then m has taken in over 80% of the jump


def test_claim_the_steady_step_is_lr_to_within_a_fraction_eps_over_g(says):
    says("second-moment.md", "$\\alpha$ to within a fraction $\\varepsilon/|g|$, whether $g$ "
         "is $10^{-3}$ or $10^{3}$")
    for g in (1e-3, 1.0, 1e3, 1e-7):
        shortfall = 1 - step_sizes(np.full(50, g), lr=1.0)[-1]
        assert 0 <= shortfall <= 1e-8 / g * (1 + 1e-6)


def test_claim_epsilon_rounds_to_zero_in_float16(says):
    says("second-moment.md", "must not be stored in `float16` (half precision), where $10^{-8}$ "
         "rounds to zero")
    assert np.float16(1e-8) == 0
    assert np.float32(1e-8) > 0


def test_claim_a_shrinking_gradient_gives_steps_below_alpha(says):
    says("second-moment.md", "When the gradient *shrinks*, as near a minimum, the reverse: "
         "$\\sqrt{v}$ remembers the larger gradients and the steps fall below $\\alpha$")
    # A gradient that halves every 100 steps, through the reference step.
    p, m, v, lr = np.zeros(1), np.zeros(1), np.zeros(1), 1e-3
    steps = []
    for t in range(1, 1001):
        new, m, v = adam_step(p, np.array([0.5 ** (t / 100)]), m, v, t=t, lr=lr)
        steps.append(abs(new - p)[0] / lr)
        p = new
    assert steps[0] == pytest.approx(1.0, rel=1e-6)
    assert np.all(np.diff(steps) <= 1e-12)  # they only shrink
    assert steps[-1] < 0.5
