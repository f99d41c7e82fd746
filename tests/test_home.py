"""snippets/home.py: the layer map of the home page, four cumulative layers at one learning rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from snippets import figures, home, values
from snippets.surfaces import VALLEY


def layered(momentum: bool, divide: bool, correct: bool, lr=home.LR, steps=home.STEPS):
    """The four layers written out as one loop, each piece switched on or off.

    Written here without snippets.optimizers: gradient descent, then m_t (an EMA of the
    gradients) in place of g_t, then m_t / sqrt(v_t), then the bias corrections.
    """
    beta1, beta2 = home.BETAS
    point = np.array(VALLEY.start, dtype=float)
    m, v, path = np.zeros(2), np.zeros(2), [point.copy()]
    for t in range(1, steps + 1):
        g = np.array([point[0], 25 * point[1]])  # the valley's gradient
        m = beta1 * m + (1 - beta1) * g if momentum else g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t) if correct else m
        v_hat = v / (1 - beta2**t) if correct else v
        point = point - lr * (m_hat / (np.sqrt(v_hat) + 1e-8) if divide else m_hat)
        path.append(point.copy())
    return np.array(path)


@pytest.mark.parametrize("layer, pieces", [
    ("gd", (False, False, False)),
    ("momentum", (True, False, False)),
    ("uncorrected", (True, True, False)),
    ("adam", (True, True, True)),
])
def test_each_panel_is_the_one_before_plus_one_layer_at_the_same_learning_rate(layer, pieces):
    assert np.allclose(home.path(layer), layered(*pieces), rtol=0, atol=1e-12)


def test_the_caption_states_the_one_learning_rate_the_panels_use():
    spec = figures.load_all()["layer-map"]
    for text in (spec.alt, spec.caption):
        assert "the same learning rate" in text
        assert f"{home.LR}" in text
    assert home.LR < 2 / 25  # gradient descent is stable on the valley at it
    for _, _, make in home.LAYERS.values():
        assert make([np.zeros(2)]).lr == home.LR


def test_claim_without_bias_correction_the_first_steps_are_several_times_too_long():
    # The caption: the uncorrected first steps are 3.16 to 5.46 alpha, Adam's at most alpha.
    beta1, beta2 = home.BETAS
    first = (1 - beta1) / np.sqrt(1 - beta2)  # m_1 / sqrt(v_1) for any gradient
    assert home.uncorrected_first_step() == pytest.approx(first, rel=1e-6)
    assert values.text("home-uncorrected-first-step") == "3.16 α"
    # On a steady slope the uncorrected ratio (1 - beta1^t) / sqrt(1 - beta2^t) peaks near
    # 6.6: the valley's shrinking gradient keeps the run below that bound, above 5.
    t = np.arange(1, 200)
    bound = ((1 - beta1**t) / np.sqrt(1 - beta2**t)).max()
    assert 5 < home.uncorrected_largest_step() < bound
    assert home.adam_largest_step() <= 1 + 1e-6
    assert home.adam_largest_step() == pytest.approx(1.0, abs=1e-6)  # the first step is alpha
    # The too-long steps carry the path past the minimum along the valley; Adam's does not.
    assert home.uncorrected_overshoot() > 0.5
    assert home.adam_closest_x() > 0


def test_claim_dividing_by_the_root_mean_square_puts_every_parameter_on_the_same_scale(says):
    says("index.md", "dividing by the root mean square of recent gradients puts the steps of "
         "every parameter on the same scale whatever the size of its gradients")
    g = np.abs(VALLEY.grad(*VALLEY.start))
    assert g[1] / g[0] == pytest.approx(10)  # gradients ten times apart ...
    first = np.abs(np.diff(home.path("adam")[:2], axis=0))[0] / home.LR
    assert first == pytest.approx([1.0, 1.0], abs=1e-6)  # ... steps of the same length
    gd_first = np.abs(np.diff(home.path("gd")[:2], axis=0))[0]
    assert gd_first[1] / gd_first[0] == pytest.approx(10)  # gradient descent: ten times apart


def test_claim_momentum_damps_the_zig_zag_across_narrow_valleys(says):
    says("index.md", "momentum damps the zig-zag across narrow valleys")

    def reversals(layer: str) -> int:  # how often a step across undoes the one before
        dy = np.diff(home.path(layer)[:, 1])
        return int(np.sum(np.sign(dy[1:]) != np.sign(dy[:-1])))

    assert reversals("gd") == home.STEPS - 1  # wall to wall at every step
    assert reversals("momentum") < home.STEPS / 5


def test_the_map_values_are_the_runs():
    losses = [home.final_loss(layer) for layer in home.LAYERS]
    assert losses == [
        home.gd_final_loss(), home.momentum_final_loss(),
        home.uncorrected_final_loss(), home.adam_final_loss(),
    ]
    assert all(0 < loss < VALLEY.loss(*VALLEY.start) for loss in losses)


def test_claim_without_bias_correction_the_first_steps_are_too_large(says):
    from snippets.bias_correction import first_step

    says("index.md", "they make the first steps too *large*")
    says("bias-correction.md", "which makes the first step [[value: bias-correction-first-step]] "
         "times too large")
    # m_1 / sqrt(v_1) = (1 - beta1) g / sqrt((1 - beta2) g^2): larger than 1 for any g
    assert first_step() == pytest.approx((1 - 0.9) / (1 - 0.999) ** 0.5, rel=1e-5)  # eps aside
    assert first_step() > 3


def test_claim_momentum_gives_a_less_noisy_direction_but_at_a_small_alpha_hardly_less_jitter(
    says,
):
    from snippets.momentum import ema, floor_drop_large, floor_drop_small, noise_floor

    says("index.md", "it also gives a less noisy direction, but at a small $\\alpha$ hardly "
         "less jitter")
    noise = ema(np.random.default_rng(0).normal(size=50_000), 0.9)[1000:]
    assert noise.std() < 0.25  # the direction: under a quarter of the gradient's noise
    # SGD's floor on the valley, (alpha / 2) sum 1 / (2 - alpha lam), from the landscape page
    def sgd_floor(alpha: float) -> float:
        return alpha / 2 * sum(1 / (2 - alpha * lam) for lam in (1.0, 25.0))

    assert noise_floor(0.01, 0.0, [1, 25], 1.0) == pytest.approx(sgd_floor(0.01))
    assert floor_drop_small() < 0.1  # alpha = 0.01: hardly lower
    assert floor_drop_large() > 0.5  # near the limit, at 0.07, it is much lower


def test_panel_3_labels_its_too_long_first_step_and_panel_4_its_first_step_of_alpha():
    # The map shows the problem layer 4 fixes: each of the last two panels labels its
    # first step with the length the caption states, computed from the same run.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 4.0))
    home.layer_map(fig, figures.THEMES["light"])
    labels = [[t.get_text() for t in ax.texts] for ax in fig.axes]
    assert labels[0] == labels[1] == []
    assert labels[2] == [f"first step {values.text('home-uncorrected-first-step')}\nalong x and y"]
    assert labels[3] == [f"first step {values.text('home-adam-largest-step')}\nalong x and y"]
    first = np.abs(np.diff(layered(True, True, False)[:2], axis=0))[0] / home.LR
    assert first == pytest.approx([3.16, 3.16], abs=0.005)  # (1 - 0.9) / sqrt(1 - 0.999)
    # The window shows the loops: layer 3's whole path lies inside the plotted valley.
    (x_lo, x_hi), (y_lo, y_hi) = VALLEY.bounds
    p = home.path("uncorrected")
    assert x_lo < p[:, 0].min() and p[:, 0].max() < x_hi
    assert y_lo < p[:, 1].min() and p[:, 1].max() < y_hi


def test_the_playground_link_under_the_map_reproduces_its_four_panels(says):
    """The preset, run by the playground's race, gives panels 1 to 3; with the correction, 4."""
    import re
    from urllib.parse import parse_qs, urlsplit

    from snippets.playground import race
    from snippets.surfaces import SURFACES

    says("index.md", "its SGD, momentum and Adam racers run panels 1 to 3; switch bias "
         "correction on for panel 4")
    page = (Path(__file__).resolve().parents[1] / "docs" / "index.md").read_text()
    link = re.search(r"\[Try it in the playground\]\((playground\.md\?[^)]+)\)", page).group(1)
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    assert query["bias_correction"] == "off"
    settings = {"alpha": float(query["alpha"]), "steps": int(query["steps"])}
    surface = SURFACES[query["surface"]]
    off = race(surface, {**settings, "bias_correction": False})
    on = race(surface, {**settings, "bias_correction": True})
    for key, layer in (("sgd", "gd"), ("momentum", "momentum"), ("adam", "uncorrected")):
        assert np.array_equal(off[key], home.path(layer))
    assert np.array_equal(on["adam"], home.path("adam"))


def test_claim_the_maps_end_points_are_not_a_race():
    from snippets.optimizers import Adam, AdamNoBiasCorrection, trajectory
    from snippets.surfaces import VALLEY

    spec = figures.load_all()["layer-map"]
    assert "The end points are not a race" in spec.caption
    # 0.07 is near gradient descent's best rate on the valley (curvatures 1 and 25):
    # 2 / (1 + 25), where the slowest direction shrinks fastest.
    assert abs(home.LR - 2 / (1 + 25)) < 0.01
    # Adam's 40 steps fall short of the minimum although 40 steps of alpha would cover the
    # start's distance (2.5 along x): its steps along x shrink; yet with 100 steps it is ahead
    # of the uncorrected run: the end ranking of panels 3 and 4 is the run's length.
    assert "Adam's steps along the valley shrink as it flattens" in spec.caption
    assert home.STEPS * home.LR > abs(VALLEY.start[0] - VALLEY.minimum[0])
    steps_x = home.step_lengths("adam")[:, 0]
    assert home.adam_last_step() == steps_x[-1] < 0.5 * steps_x[0]
    assert home.adam_closest_x() > 0 and home.adam_final_loss() > home.uncorrected_final_loss()
    # Why they shrink: at step 40 the root of v-hat along x, the RMS of the gradients so far,
    # is well above the gradient there (Adam's recursion written out on the valley).
    beta1, beta2 = home.BETAS
    p, m, v = np.array(VALLEY.start, float), np.zeros(2), np.zeros(2)
    for t in range(1, home.STEPS + 1):
        g = np.array([p[0], 25.0 * p[1]])
        m, v = beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g
        p = p - home.LR * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + 1e-8)
    assert np.allclose(p, home.path("adam")[-1])
    assert np.sqrt(v[0] / (1 - beta2**home.STEPS)) > 2 * abs(g[0])

    def loss_after(make, steps):
        return VALLEY.loss(*trajectory(make, VALLEY, steps=steps)[-1])

    adam = loss_after(lambda p: Adam(p, lr=home.LR, betas=home.BETAS), 100)
    uncorrected = loss_after(lambda p: AdamNoBiasCorrection(p, lr=home.LR, betas=home.BETAS), 100)
    assert adam < uncorrected
