"""snippets/wins.py: where Adam wins and where it does not, each optimizer's rate tuned."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from snippets import figures, values, wins
from snippets.optimizers import SGD, Adam, EMAMomentum

MAKE = {  # the optimizers of the race, from snippets.optimizers rather than wins' own loop
    "sgd": lambda params, lr: SGD(params, lr=lr),
    "momentum": lambda params, lr: EMAMomentum(params, lr=lr, beta=0.9),
    "adam": lambda params, lr: Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8),
}


@functools.cache
def regression():
    """The badly scaled regression rebuilt from its description: true weights, minibatches."""
    rng = np.random.default_rng(0)
    scales = 0.03 * 1000 ** np.linspace(0, 1, 200)  # 0.03 to 30
    w_true = rng.standard_normal(200) / scales  # every feature as important to the target
    batches = []
    for _ in range(1000):
        x = rng.standard_normal((32, 200)) * scales
        batches.append((x, x @ w_true + 0.5 * rng.standard_normal(32)))
    return w_true, batches


@functools.cache
def regression_run(name: str, lr: float) -> tuple[float, np.ndarray]:
    """One optimizer on the regression: its mean minibatch loss over the last 50 steps, w."""
    _, batches = regression()
    w = np.zeros(200)
    optimizer, losses = MAKE[name]([w], lr), []
    for x, y in batches:
        r = x @ w - y
        losses.append(0.5 * np.mean(r * r))
        optimizer.step([r @ x / 32])
    return float(np.mean(losses[-50:])), w.copy()


def bowl_run(name: str, lr: float) -> float:
    """One optimizer on the well-scaled bowl: its loss after 100 steps."""
    curvatures = np.linspace(1, 10, 200)
    w_best = np.random.default_rng(1).standard_normal(200)
    w = np.zeros(200)
    optimizer = MAKE[name]([w], lr)
    for _ in range(100):
        optimizer.step([curvatures * (w - w_best)])
    return float(0.5 * np.sum(curvatures * (w - w_best) ** 2))


@pytest.mark.parametrize("name", list(wins.OPTIMIZERS))
def test_the_tuned_runs_are_the_optimizers_of_the_site_on_the_problems_described(name):
    # wins runs all (optimizer, rate) pairs in one vectorised loop; the optimizer classes,
    # run one at a time on the problems rebuilt from the page's description, agree.
    loss, lr = wins.best("noisy", name)
    assert regression_run(name, lr)[0] == pytest.approx(loss, rel=1e-9)
    loss, lr = wins.best("clean", name)
    assert bowl_run(name, lr) == pytest.approx(loss, rel=1e-6)


def test_every_optimizer_is_swept_over_the_same_grid_and_its_best_rate_is_inside_it():
    assert np.allclose(wins.GRID, 10.0 ** np.arange(-5, 0.1, 0.5))  # 11 rates, sqrt(10) apart
    for problem in ("noisy", "clean"):
        sweep = wins.sweep(problem)
        assert sweep.shape == (3, 11)
        for row in sweep:
            assert 0 < row.argmin() < 10  # a rate on each side is worse: the optimum is bracketed


def test_gradient_descent_on_the_bowl_matches_its_closed_form():
    # On a diagonal quadratic each coordinate shrinks by (1 - alpha lambda) per step.
    curvatures = np.linspace(1, 10, 200)
    w_best = np.random.default_rng(1).standard_normal(200)
    loss, lr = wins.best("clean", "sgd")
    exact = 0.5 * np.sum(curvatures * ((1 - lr * curvatures) ** 100 * w_best) ** 2)
    assert loss == pytest.approx(exact, rel=1e-6)


def test_the_moving_average_is_the_mean_of_the_last_window_losses():
    rng = np.random.default_rng(3)
    losses = rng.random((300, 4))
    smooth = wins.smoothed(losses, 50)
    for t in (0, 10, 49, 50, 299):
        assert smooth[t] == pytest.approx(losses[max(0, t - 49) : t + 1].mean(axis=0))
    assert np.isinf(wins.smoothed(np.array([[1.0], [np.inf], [np.inf]]), 2)[-1, 0])


def test_claim_adam_wins_on_the_badly_scaled_noisy_regression(says):
    says("index.md", "(a) Badly scaled and noisy: Adam wins.")
    says("index.md", "[[value: home-wins-noisy-factor]] times lower")
    others = min(regression_run(n, wins.best("noisy", n)[1])[0] for n in ("sgd", "momentum"))
    adam = regression_run("adam", wins.best("noisy", "adam")[1])[0]
    assert others / adam == pytest.approx(wins.noisy_factor(), rel=1e-9)
    assert others / adam > 5  # plainly: several times lower
    # Even at a rate a factor sqrt(10) off its best, Adam still beats their best.
    assert wins.noisy_adam_rates_better() >= 3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_win_on_the_regression_is_not_the_luck_of_one_draw(seed):
    # Other true weights and other minibatches: Adam's best smoothed final loss still
    # several times below the best of SGD and momentum.
    final = wins.smoothed(wins.noisy_losses(seed))[-1].reshape(3, len(wins.GRID))
    best = final.min(axis=1)
    assert min(best[:2]) / best[2] > 4


def test_claim_a_rate_small_enough_for_the_largest_feature_leaves_the_smallest_hardly_moving(
    says,
):
    says("index.md", "so a rate small enough for the first leaves the second hardly moving")
    says("index.md", "Adam divides each weight's step by the size of its own gradients")
    assert values.text("home-wins-curvature-ratio") == "10⁶"
    assert wins.curvature_ratio() == pytest.approx((30 / 0.03) ** 2, rel=1e-2)
    w_true, _ = regression()

    def covered(name: str) -> float:  # how much of the way the 20 smallest features went
        w = regression_run(name, wins.best("noisy", name)[1])[1]
        return float(np.median(1 - np.abs(w - w_true)[:20] / np.abs(w_true[:20])))

    assert covered("sgd") < 0.01
    assert covered("momentum") < 0.01
    assert covered("adam") > 0.5


def test_claim_on_the_well_scaled_clean_bowl_tuned_gradient_descent_beats_adam(says):
    says("index.md", "You might expect the finished Adam to beat the layers below it "
         "everywhere. It does not.")
    says("index.md", "(b) Well scaled and clean: Adam does not.")
    says("index.md", "tuned gradient descent ends at [[value: home-wins-clean-sgd]], Adam at "
         "[[value: home-wins-clean-adam]], [[value: home-wins-clean-factor]] times higher")
    says("index.md", "One rate suits every direction here")
    lr = wins.best("clean", "sgd")[1]
    assert np.abs(1 - lr * np.linspace(1, 10, 200)).max() < 0.95  # every direction shrinks
    gd = bowl_run("sgd", lr)
    adam = bowl_run("adam", wins.best("clean", "adam")[1])
    assert adam / gd == pytest.approx(wins.clean_factor(), rel=1e-6)
    assert adam / gd > 1e3
    assert wins.adam_advantage("clean") < 1  # not ahead of the best of the others


def test_claim_adams_strength_is_one_alpha_across_scales_not_speed(says):
    says("index.md", "not speed on every problem but one learning\nrate that works across "
         "parameters of very different scales")
    assert wins.adam_advantage("noisy") > 5  # wins where the scales differ and gradients are noisy
    assert wins.adam_advantage("clean") < 1e-3  # loses where one tuned rate suits every direction


def test_claim_the_noise_alone_does_not_give_adam_the_edge(says):
    says("index.md", "The noise alone does not give Adam the edge: the same noisy regression "
         "with\nevery feature on the same scale ends level")
    losses = [wins.best("flat", name) for name in wins.OPTIMIZERS]
    assert max(x for x, _ in losses) < 1.05 * min(x for x, _ in losses)  # within 5 %
    assert all(wins.GRID[0] < lr < wins.GRID[-1] for _, lr in losses)  # tuned inside the grid
    assert 0.9 < wins.adam_advantage("flat") < 1.1


def test_claim_only_alpha_is_tuned_and_a_tuned_beta1_puts_momentum_ahead_on_the_bowl(says):
    says("index.md", "Only $\\alpha$ is tuned:\n  momentum and Adam keep $\\beta_1 = 0.9$, and "
         "with $\\beta_1 = 0.5$ momentum\n  would beat gradient descent here too.")
    assert wins.BETA1 == 0.9
    momentum = wins.clean_losses(0.5)[-1].reshape(len(wins.OPTIMIZERS), len(wins.GRID))[1]
    assert momentum.min() < wins.best("clean", "sgd")[0] < wins.best("clean", "momentum")[0]


def test_the_figure_text_states_the_settings_the_code_uses():
    spec = figures.load_all()["where-adam-wins"]
    text = " ".join((spec.alt, spec.caption or ""))
    assert wins.DIM == 200 and "200 weights" in text and "200 parameters" in text
    assert wins.SCALES[[0, -1]] == pytest.approx([0.03, 30])
    assert "scales from 0.03 to 30" in text
    assert wins.BATCH == 32 and "minibatches of 32" in text
    assert wins.STEPS_NOISY == 1000 and "1000 steps" in text
    assert wins.STEPS_CLEAN == 100 and "100 steps" in text
    assert wins.WINDOW == 50 and "moving average over" in text and "50 steps" in text
    assert len(wins.GRID) == 11 and "11" in text
    assert wins.CURVATURES[[0, -1]].tolist() == [1, 10] and "curvatures from 1 to 10" in text


def test_the_computation_is_cheap():
    # The home page's build budget: the two races of 33 runs each in well under a second
    # or two of CPU (they are vectorised across the sweep).
    import time

    wins.noisy_losses.cache_clear()
    wins.clean_losses.cache_clear()
    start = time.process_time()
    wins.sweep("noisy"), wins.sweep("clean")
    assert time.process_time() - start < 2.0
