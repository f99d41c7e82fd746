"""/practice/ sections 1-5 (snippets/practice_setup.py): each claim checked in the numbers,
and each framework claim in that framework (skipped where it is missing, failing under
CI=true, through tests/need.py)."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from need import need

from snippets import practice_setup as page
from snippets.adam import Adam
from snippets.optimizers import SGD, AdamNoBiasCorrection, trajectory
from snippets.playground import race
from snippets.surfaces import BOWL, rotated

LR, WD, STEPS = 0.1, 0.5, 10  # decay factor (1 - 0.05)^10 per matrix weight


# 1. Which parameters get weight decay --------------------------------------------------


def _expect_decayed(matrix, vector, start=1.0, rel=1e-6):
    """The matrices shrank by (1 - lr wd)^steps, the vectors did not move."""
    factor = (1 - LR * WD) ** STEPS
    assert np.asarray(matrix) == pytest.approx(start * factor, rel=rel)
    assert np.asarray(vector) == pytest.approx(start, rel=1e-12)


def test_claim_numpy_groups_decay_the_matrices_only(says):
    says("practice.md", "The reference `Adam` has no parameter groups")
    W, b = np.ones((2, 3)), np.ones(3)
    opt = page.DecayOnlyMatrices([W, b], lr=LR, weight_decay=WD)
    for _ in range(STEPS):
        opt.step([np.zeros((2, 3)), np.zeros(3)])
    _expect_decayed(W, b, rel=1e-12)


@pytest.mark.frameworks
def test_claim_torch_param_groups_leave_biases_and_gains_undecayed_and_match_numpy(says):
    torch = need("torch")
    says("practice.md", "Parameter groups: a list of dicts, each with its own `weight_decay`.")
    says("practice.md", "PyTorch,\nOptax, Keras and MLX all multiply $\\lambda$ by the learning "
         "rate")  # each framework's test: the matrices shrink by (1 - lr wd) per step
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0)
    opt = page.torch_adamw(model, lr=LR, weight_decay=WD)
    for _ in range(STEPS):
        for p in model.parameters():
            p.grad = torch.zeros_like(p)
        opt.step()
    linear, norm = model
    _expect_decayed(linear.weight.detach(), linear.bias.detach())
    _expect_decayed(linear.weight.detach(), norm.weight.detach())
    assert norm.bias.detach().numpy() == pytest.approx(1.0)
    # With gradients, the groups compute what the NumPy version computes.
    rng = np.random.default_rng(0)
    params = [p.detach().numpy().copy() for p in model.parameters()]
    numpy_opt = page.DecayOnlyMatrices(params, lr=LR, weight_decay=WD)
    opt = page.torch_adamw(model, lr=LR, weight_decay=WD)
    for _ in range(20):
        grads = [rng.standard_normal(p.shape) for p in params]
        numpy_opt.step(grads)
        for p, g in zip(model.parameters(), grads, strict=True):
            p.grad = torch.from_numpy(g)
        opt.step()
    for p, q in zip(model.parameters(), params, strict=True):
        assert p.detach().numpy() == pytest.approx(q, rel=1e-10, abs=1e-12)


@pytest.mark.frameworks
def test_claim_optax_mask_leaves_the_vectors_undecayed(says):
    jnp = need("jax.numpy")
    optax = need("optax")
    says("practice.md", "`True` where the decay applies")
    params = {"w": jnp.ones((2, 3)), "b": jnp.ones(3)}
    opt = page.optax_adamw(LR, WD)
    state = opt.init(params)
    zeros = {k: jnp.zeros_like(v) for k, v in params.items()}
    for _ in range(STEPS):
        updates, state = opt.update(zeros, state, params)
        params = optax.apply_updates(params, updates)
    _expect_decayed(params["w"], params["b"], rel=1e-5)


@pytest.mark.frameworks
def test_claim_keras_excludes_biases_and_layer_norm_by_name(says):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = need("keras")
    says("practice.md", "Variables excluded by name (or by `var_list=`), before the optimizer "
         "is\n    built.")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_initializer="ones",
                                                                    bias_initializer="ones"),
                              keras.layers.LayerNormalization(beta_initializer="ones")])
    opt = page.keras_adamw(LR, WD)
    variables = model.trainable_variables
    for _ in range(STEPS):
        opt.apply([keras.ops.zeros(v.shape) for v in variables], variables)
    kernel, bias, gamma, beta = (np.array(v.value) for v in variables)
    _expect_decayed(kernel, bias, rel=1e-5)
    _expect_decayed(kernel, gamma, rel=1e-5)
    assert beta == pytest.approx(1.0)


@pytest.mark.frameworks
def test_claim_mlx_multioptimizer_sends_the_vectors_to_an_adamw_without_decay(says):
    mx = need("mlx.core")
    nn = need("mlx.nn")
    says("practice.md", "`AdamW` decays everything it is given; `MultiOptimizer` sends the")
    from mlx.utils import tree_map

    model = nn.Sequential(nn.Linear(3, 2), nn.LayerNorm(2))
    model.update(tree_map(lambda p: mx.ones_like(p), model.parameters()))
    opt = page.mlx_adamw(LR, WD)
    for _ in range(STEPS):
        opt.update(model, tree_map(lambda p: mx.zeros_like(p), model.parameters()))
        mx.eval(model.parameters())
    linear, norm = model.layers
    _expect_decayed(np.array(linear.weight), np.array(linear.bias), rel=1e-5)
    _expect_decayed(np.array(linear.weight), np.array(norm.weight), rel=1e-5)
    # and a plain AdamW decays the vectors too
    plain = nn.Linear(3, 2)
    plain.update(tree_map(lambda p: mx.ones_like(p), plain.parameters()))
    need("mlx.optimizers").AdamW(LR, weight_decay=WD).update(
        plain, tree_map(lambda p: mx.zeros_like(p), plain.parameters()))
    assert np.array(plain.bias) == pytest.approx(1 - LR * WD, rel=1e-6)


def test_claim_the_decay_timescale_is_1_over_alpha_lambda_and_follows_alpha(says):
    says("practice.md", "halve $\\alpha$ and the\ndecay takes twice as long")
    says("faq.md", "With decoupled\n    decay a weight with no gradient shrinks by the factor "
         "$e$ in about\n    $1/(\\alpha\\lambda)$ steps")
    for lr, wd in ((1e-3, 0.01), (0.01, 0.01), (0.01, 1.0)):
        steps = page.decay_timescale(lr, wd)
        assert steps == pytest.approx(1 / (lr * wd), rel=lr * wd)
        assert page.decay_factor(lr, wd, steps) == pytest.approx(1 / math.e, rel=1e-9)
        assert page.decay_timescale(lr / 2, wd) == pytest.approx(2 * steps, rel=lr * wd)
    # a weight with no gradient under the reference AdamW, for that many steps
    w = np.ones(1)
    opt = Adam([w], lr=0.01, weight_decay=1.0, decoupled_weight_decay=True)
    for _ in range(page.wd_strong_timescale()):
        opt.step([np.zeros(1)])
    assert w[0] == pytest.approx(1 / math.e, rel=0.01)


def test_claim_at_the_labs_lambda_the_exclusion_cannot_change_much(says):
    says("practice.md", "over the whole run: the exclusion cannot change much")
    says("practice.md", "at the lab's own $\\lambda$ the choice hardly matters, because the "
         "decay's\ntimescale is longer than the run")
    assert page.wd_lab_steps() == 1300
    assert page.wd_timescale_lab() > 5 * page.wd_lab_steps()
    assert page.wd_lab_left() > 0.85
    assert page.wd_strong_timescale() < page.wd_lab_steps() / 10
    assert page.wd_strong_left() < 1e-5


def test_claim_at_the_strong_decay_excluding_the_biases_keeps_them_and_the_accuracy(says):
    says("practice.md", "That is one seed, on a small network, at a decay a hundred times the "
         "lab's")
    assert page.WD_STRONG == 100 * page.WD_LAB
    assert page.wd_bias_norm_excluded() > 1.5 * page.wd_bias_norm_all()
    assert page.wd_acc_excluded() > page.wd_acc_all() + 0.05
    says("practice.md", "at each of those epochs the\nrun with the biases left out is ahead")
    last = {name: run["val_accuracy"][-page.LAST_EPOCHS:]
            for name, run in page.exclusion_runs().items()}
    assert np.all(last["biases excluded"] > last["all decayed"])
    assert page.wd_loss_excluded() < page.wd_loss_all()
    assert page.wd_bias_count() + page.wd_matrix_count() == sum(
        p.size for p in page.init_mlp())


# 2. The learning rate you set is the one Adam uses --------------------------------------


def test_claim_the_steps_are_of_one_size_whatever_the_gradients_scale(says):
    says("practice.md", "lr stays; the steps are of one size, whatever the gradients'")
    rng = np.random.default_rng(0)
    scales = np.array([1e-3, 1.0, 1e3])
    w = np.zeros(3)
    opt = Adam([w], lr=0.01)
    for _ in range(200):
        before = w.copy()
        opt.step([scales * (1 + rng.standard_normal())])
        step = (before - w) / 0.01
        assert step == pytest.approx(np.full(3, step[1]), rel=1e-4)
    assert opt.lr == 0.01


@pytest.mark.frameworks
def test_claim_torch_keeps_lr_and_load_state_dict_restores_the_saved_one(says):
    torch = need("torch")
    says("practice.md", "`optimizer.load_state_dict(saved)` restores the saved hyperparameters "
         "with\nthe state")
    says("faq.md", "the `lr` in the checkpoint replaces the one you passed when you\n"
         "    built the optimizer, in PyTorch and in the reference `Adam`")
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=0.01)
    for scale in (1e-3, 1.0, 1e3) * 10:
        p.grad = torch.full_like(p, scale)
        opt.step()
    assert opt.param_groups[0]["lr"] == 0.01  # Adam never changes it
    saved = opt.state_dict()
    resumed = torch.optim.Adam([p], lr=0.001)
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == 0.01  # the checkpoint's, not the one set
    for group in resumed.param_groups:
        group["lr"] = 0.001
    assert resumed.param_groups[0]["lr"] == 0.001


@pytest.mark.frameworks
def test_claim_with_a_scheduler_it_depends_on_the_class_and_on_initial_lr(says):
    torch = need("torch")
    for name in ("practice.md", "faq.md"):
        says(name, "`LambdaLR` computes the lr from the")
        says(name, "scheduler's `base_lrs` (set those), while `StepLR` and `ExponentialLR` go")
        says(name, "takes the checkpoint's")
        says(name, "`initial_lr` as its base, so set `group[\"initial_lr\"]` too.")
    lr_scheduler = torch.optim.lr_scheduler
    classes = {"LambdaLR": lambda opt: lr_scheduler.LambdaLR(opt, lambda epoch: 0.5**epoch),
               "ExponentialLR": lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.5),
               "StepLR": lambda opt: lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)}
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))

    def resumed(name, how):
        """The lrs of two steps after resuming at a tenth of a checkpoint saved mid-schedule."""
        opt = torch.optim.Adam([p], lr=1.0)
        scheduler = classes[name](opt)
        for _ in range(2):
            opt.step()
            scheduler.step()
        assert opt.param_groups[0]["lr"] == 0.25  # the checkpoint's lr, in all three
        saved, saved_scheduler = opt.state_dict(), scheduler.state_dict()
        opt = torch.optim.Adam([p], lr=1.0)
        opt.load_state_dict(saved)
        if how != "build after":
            scheduler = classes[name](opt)
            scheduler.load_state_dict(saved_scheduler)
        for group in opt.param_groups:
            group["lr"] = 0.025
            if how == "build after, initial_lr set":
                group["initial_lr"] = 0.1
        if how == "base_lrs set":
            scheduler.base_lrs = [0.1]
        if how.startswith("build after"):
            scheduler = classes[name](opt)
        lrs = []
        for _ in range(2):
            opt.step()
            scheduler.step()
            lrs.append(opt.param_groups[0]["lr"])
        return pytest.approx(lrs)

    assert resumed("LambdaLR", "keep") == [0.125, 0.0625]  # the old schedule, lr set undone
    assert resumed("LambdaLR", "base_lrs set") == [0.0125, 0.00625]
    assert resumed("LambdaLR", "build after") == [0.5, 0.25]  # from the checkpoint's initial_lr
    assert resumed("LambdaLR", "build after, initial_lr set") == [0.05, 0.025]
    for name in ("ExponentialLR", "StepLR"):  # go on from the group's lr, either way
        assert resumed(name, "keep") == [0.0125, 0.00625]
        assert resumed(name, "build after") == [0.0125, 0.00625]


def test_claim_the_reference_adam_restores_the_saved_lr_too(says):
    says("practice.md", "The\nreference `Adam` saves `lr` in its `state_dict()` too, and does the "
         "same")
    saved = Adam([np.zeros(3)], lr=0.01).state_dict()
    resumed = Adam([np.zeros(3)], lr=0.001)
    resumed.load_state_dict(saved)
    assert resumed.lr == 0.01


# 3. Skipping bias correction -----------------------------------------------------------


@pytest.mark.parametrize("warmup", page.WARMUPS)
def test_warmup_steps_are_the_steps_of_adam_with_and_without_correction(warmup, says):
    says("practice.md", "With the correction, the steps of a\nsteady gradient are $\\alpha$ "
         "times the warmup's factor from the first one")
    # A steady gradient of 1 (eps is 1e-8 of it), lr set by the warmup before each step.
    for bc, make in ((True, Adam), (False, AdamNoBiasCorrection)):
        w = np.zeros(1)
        opt = make([w], lr=1.0)
        steps = []
        for t in range(1, 2501):
            opt.lr = min(t / warmup, 1.0) if warmup else 1.0
            before = w[0]
            opt.step([np.ones(1)])
            steps.append(before - w[0])
        expected = page.warmup_steps(2500, warmup, bc)
        assert np.array(steps) == pytest.approx(expected, rel=1e-6)  # eps: 3e-7 of sqrt(v_1)


def test_claim_warmup_cannot_change_the_factor_and_only_a_long_one_makes_it_harmless(says):
    says("practice.md", "it scales the steps with and\nwithout the correction alike, so it "
         "cannot change the factor")
    says("practice.md", "**Whether a warmup\nmakes the omission harmless depends on its length "
         "beside $\\beta_2$'s memory")
    says("faq.md", "A linear warmup scales the steps\n    with and without the correction alike")
    factor = page.warmup_steps(10_000, 0, False)
    for warmup in page.WARMUPS:
        ratio = page.warmup_steps(10_000, warmup, False) / page.warmup_steps(10_000, warmup, True)
        assert ratio == pytest.approx(factor, rel=1e-12)
    assert page.bc_first() == pytest.approx(0.1 / math.sqrt(0.001))
    assert page.bc_largest_none() > 6 and page.bc_largest_at_none() == 12
    assert page.bc_largest_2000() < 1.1  # hardly above alpha
    assert page.bc_largest_100() > 3  # at full learning rate, steps 3x too large
    assert page.warmup_steps(10_000, 100, False)[1999] > 1.05  # still above at step 2000


@pytest.mark.frameworks
def test_claim_mlx_adam_leaves_out_bias_correction_by_default(says):
    mx = need("mlx.core")
    optim = need("mlx.optimizers")
    says("practice.md", "MLX's `Adam` and `AdamW` still leave it out unless you pass\n"
         "`bias_correction=True`")
    for make in (optim.Adam, lambda lr: optim.AdamW(lr, weight_decay=0.0)):
        for bc in (False, True):
            opt = make(0.01) if not bc else (
                optim.Adam(0.01, bias_correction=True) if make is optim.Adam
                else optim.AdamW(0.01, weight_decay=0.0, bias_correction=True))
            params = {"w": mx.zeros((1,))}
            params = opt.apply_gradients({"w": mx.ones((1,))}, params)
            step = -float(np.array(params["w"])[0]) / 0.01
            assert step == pytest.approx(1.0 if bc else page.bc_first(), rel=1e-4)


# 4. Batch size and Adam ---------------------------------------------------------------


def test_claim_each_rule_keeps_its_optimizer_where_it_settles(says):
    says("practice.md", "With its rule, each optimizer settles at about the same loss at every "
         "batch\nsize")
    says("practice.md", "Adam with SGD's linear rule settles")
    says("faq.md", "By the square root of the batch size, where the gradient noise "
         "dominates\n    (as with small batches), not in proportion to it as for SGD")
    assert page.batch_spread_sgd() < 1.4
    assert page.batch_spread_sqrt() < 1.4
    assert page.batch_spread_linear() > 2.5
    linear = [page.batch_floor("Adam, linear", b) for b in page.BATCHES]
    assert linear[0] < linear[1] < linear[2]  # higher with every larger batch
    assert page.batch_spread_linear() == pytest.approx(linear[2] / linear[0])


def test_claim_where_the_mean_gradient_dominates_larger_batches_start_slower(says):
    says("practice.md", "and the larger batches, which take\nfewer steps, start slower")
    says("practice.md", "At the start,\nwhere the mean gradient is as large as the noise of "
         "the larger batches,\nAdam's steps are closer to $\\alpha$ there than where the "
         "noise dominates")
    # at batch 256 the steep coordinate's noise is 8 / 16 = 0.5 against a mean of 1 at the
    # start; at batch 16 it is 2: the mean step alpha / sqrt(1 + (noise / mean)^2)
    assert page.NOISE / np.sqrt(page.BATCHES[-1]) <= page.CURVATURES[0]
    assert page.NOISE / np.sqrt(page.BATCHES[0]) > page.CURVATURES[0]
    runs = page.batch_runs()
    early = [runs["Adam, square root", b][page.SAMPLES // 16 // b - 1] for b in page.BATCHES]
    assert early[0] < early[1] < early[2]


# 5. Adam is not rotation invariant -----------------------------------------------------


def _turn(points: np.ndarray, degrees: float) -> np.ndarray:
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return points @ np.array([[c, s], [-s, c]])


def test_claim_sgds_path_turns_with_the_bowl_and_adams_does_not(says):
    says("practice.md", "its path is the same path,\nturned")
    says("faq.md", "turn the problem and SGD's path turns with\n    it, Adam's does not")
    says("practice.md", "Turned by\n45°, each coordinate mixes both directions, and at this "
         "$\\alpha$ the advantage\nis gone")
    says("faq.md", "At the same learning rate, Adam is much faster than\n    SGD on a bowl "
         "whose steep direction lies along a coordinate, and loses\n    that lead when the "
         "bowl is turned")
    turned = rotated(BOWL, 45)
    for make, equal in ((lambda p: SGD(p, lr=0.05), True), (lambda p: Adam(p, lr=0.05), False)):
        path_0 = trajectory(make, BOWL, steps=200)
        path_45 = trajectory(make, turned, steps=200)
        same = np.allclose(_turn(path_0, 45), path_45, atol=1e-9)
        assert same == equal
    races = page.rotation_races()
    assert np.allclose(_turn(races[0]["sgd"], 45), races[45]["sgd"], atol=1e-9)
    assert page.rotation_sgd_0() == pytest.approx(page.rotation_sgd_45(), rel=1e-9)
    assert page.rotation_adam_0() < 1e-6 * page.rotation_sgd_0()
    assert page.rotation_adam_45() > page.rotation_sgd_45()  # slower than SGD, turned


def test_the_sweep_is_the_playgrounds_racers_at_each_rate():
    """sweep() scales steps taken with lr = 1: the same losses as the racers run one by one."""
    for degrees in page.ANGLES:
        surface = rotated(BOWL, degrees)
        for name, key in (("SGD", "sgd"), ("Momentum", "momentum"), ("RMSProp", "rmsprop"),
                          ("Adam", "adam")):
            rates = [page.tuned()[name, degrees][1], 0.05]
            losses = page.sweep(page.RACERS[name], rates, degrees)
            for lr, loss in zip(rates, losses, strict=True):
                path = race(BOWL, {"rotate": degrees, "alpha": lr})[key]
                expected = surface.loss(*path[-1]) - surface.loss(*surface.minimum)
                assert loss == pytest.approx(expected, rel=1e-6, abs=1e-300)


def test_claim_with_tuned_rates_adam_keeps_its_lead_and_the_turn_costs_rmsprop(says):
    says("practice.md", "With each optimizer's $\\alpha$ tuned, Adam still ends far below SGD "
         "on the\nturned bowl")
    says("practice.md", "as momentum alone does")
    says("practice.md", "RMSProp, which has no momentum, goes from")
    says("faq.md", "with tuned rates it still beats SGD\n    there, as momentum alone does.")
    best = page.tuned()
    for name in ("SGD", "Momentum"):  # they turn with the bowl: the same best either way
        assert best[name, 45] == pytest.approx(best[name, 0], rel=1e-6)
    assert best["Adam", 45][0] < 1e-3 * best["SGD", 45][0]
    says("practice.md", "though its best $\\alpha$ moves\nfrom")
    assert best["Adam", 45][1] > 3 * best["Adam", 0][1]  # the turned bowl wants a larger one
    assert best["Momentum", 45][0] < 1e-3 * best["SGD", 45][0]
    assert best["RMSProp", 0][0] == 0.0  # printed as 0
    assert best["RMSProp", 45][0] > 1e3 * best["Adam", 45][0]
    assert best["RMSProp", 45][0] > best["SGD", 45][0]  # the turn costs it everything
    # at the shared alpha of the figure, turned, Adam is behind SGD: the first paragraph
    assert page.rotation_adam_45() > page.rotation_sgd_45()


@pytest.mark.parametrize(("name", "panels"), [("practice-uncorrected-warmup", 1),
                                              ("practice-batch-size", 2),
                                              ("practice-rotation", 2)])
def test_alt_text_says_how_many_panels_the_figure_has(name, panels):
    from matplotlib.figure import Figure

    from snippets.figures import REGISTRY, THEMES

    spec = REGISTRY[name]
    fig = Figure(figsize=spec.size)
    spec.draw(fig, THEMES["light"])
    assert len(fig.axes) == panels
    words = {1: "one line per", 2: "two panels"}
    if "panel" in spec.alt or panels == 1:
        assert words[panels] in spec.alt
    for wrong in ("three panels", "two panels" if panels == 1 else "three panels"):
        assert wrong not in spec.alt


def test_claim_the_first_step_is_a_sign_step(says):
    says("practice.md", "The first step is exactly a sign step")
    g = np.array([1e-3, 1.0, -1e3, 1e-6])
    w = np.zeros(4)
    Adam([w], lr=0.01).step([g])
    assert -w == pytest.approx(0.01 * np.sign(g), rel=1e-2)  # 1e-6: eps is 1% of it
    assert -w[:3] == pytest.approx(0.01 * np.sign(g[:3]), rel=1e-5)


def test_claim_as_the_noise_grows_adams_progress_shrinks_and_its_steps_level_off(says):
    says("practice.md", "as the\nnoise grows, Adam's progress shrinks like $\\mu/\\sigma$, "
         "and its step lengths\nfall from $\\alpha$ to about "
         "[[value: practice-sign-length-limit]] $\\alpha$")
    says("faq.md", "later steps stay\n    sign steps only while the gradient's noise is small "
         "beside its mean, and\n    their mean progress shrinks as the noise grows")
    # the step length levels off where the text says, and is near it at noise 30 x the mean
    assert page.steady_state_steps(30.0)[1] == pytest.approx(page.sign_length_limit(), rel=0.05)
    assert page.sign_length_limit() == pytest.approx(0.2, abs=0.05)  # the "about 0.2"
    says("practice.md", "its average progress is close to\n$\\alpha\\,\\mu/\\sigma$")
    for ratio, (drift, length) in page.sign_table().items():
        assert drift == pytest.approx(1 / math.sqrt(1 + ratio**2), rel=0.03)
        assert length <= 1.0 + 1e-9
    drift, length = page.sign_table()[10.0]
    assert drift == pytest.approx(1 / 10, rel=0.05)
    assert 1.5 * drift < length < 0.3  # steps far shorter than alpha, often backwards
