"""Pitfalls (snippets/pitfalls.py): each failure happens as the page says, and each fix works.

Tests marked ``frameworks`` compare with PyTorch and are skipped where it is not installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from need import need

from snippets.adam import Adam
from snippets.pitfalls import (
    all_float16,
    clip_by_global_norm,
    clipped_run,
    cosine,
    decay_run,
    embedding_run,
    excess,
    fine_tune,
    first_step,
    least_squares,
    minibatch_gradients,
    noisy_least_squares,
    sharpness,
    sparse_adam_step,
    steps_after_bad_batch,
    steps_after_growth,
    train,
    training_memory,
)

LIMIT = 2 * (1 + 0.9) / (1 - 0.9)  # momentum's stability limit for beta1 = 0.9


# float16 ---------------------------------------------------------------------


def test_float16_first_step_is_infinite_where_v_underflows_and_nan_for_a_zero_gradient():
    step = first_step([0.1, 0.01, 0.001, 0.0], np.float16)
    assert step[0] == pytest.approx(1.0, abs=0.01)
    assert step[1] == pytest.approx(0.92, abs=0.01)  # v is a subnormal with one bit
    assert np.isinf(step[2]) and np.isnan(step[3])


def test_float16_eps_of_1e_4_gives_a_finite_but_tenfold_step():
    step = first_step([0.001, 0.0], np.float16, eps=1e-4)
    assert step[0] == pytest.approx(10.0, rel=0.01)  # lr * |g| / eps, since v = 0
    assert step[1] == 0.0


def test_the_float16_step_is_infinite_exactly_where_v_rounds_to_zero():
    g = all_float16()
    assert len(g) == 31_743 and np.all(np.diff(g.astype(np.float64)) > 0)
    with np.errstate(over="ignore"):
        v = np.float16(1 - 0.999) * g * g  # v after one step, in float16 as Adam has it
        step = first_step(g, np.float16)
    np.testing.assert_array_equal(~np.isfinite(step), v == 0)
    # v = 0.001 g^2 rounds to 0 below half the smallest subnormal, 2**-25:
    threshold = math.sqrt(2.0**-25 / 0.001)
    assert g[~np.isfinite(step)].max() == pytest.approx(threshold, rel=2e-3)


def test_float32_state_takes_a_first_step_of_lr_for_every_nonzero_gradient():
    step = first_step([0.1, 0.01, 0.001, 1e-5, 0.0], np.float32)
    np.testing.assert_allclose(step, [1, 1, 1, 1, 0], atol=2e-3)


def test_the_reference_adam_refuses_a_gradient_computed_from_nan_weights():
    w = np.zeros(2, dtype=np.float16)
    opt = Adam([w], lr=1e-3)
    with np.errstate(divide="ignore", invalid="ignore"):
        opt.step([np.array([1e-3, 0.0], dtype=np.float16)])
    before = (w.copy(), opt.t, [a.copy() for a in opt.m])
    with pytest.raises(ValueError, match="step was not taken"):
        opt.step([w * np.float16(2)])
    np.testing.assert_array_equal(w, before[0])
    assert opt.t == before[1]


@pytest.mark.frameworks
def test_torch_adam_on_float16_tensors_gives_the_same_first_step():
    torch = need("torch")
    grads = [0.1, 0.01, 0.001, 0.0]
    for eps in (1e-8, 1e-4):
        p = torch.nn.Parameter(torch.zeros(4, dtype=torch.float16))
        opt = torch.optim.Adam([p], lr=1e-3, eps=eps)
        p.grad = torch.tensor(grads, dtype=torch.float16)
        opt.step()
        theirs = -p.detach().double().numpy() / 1e-3
        ours = first_step(grads, np.float16, eps)
        np.testing.assert_array_equal(np.isfinite(theirs), np.isfinite(ours))
        np.testing.assert_array_equal(np.isnan(theirs), np.isnan(ours))
        finite = np.isfinite(ours)  # equal to float16 rounding (another order of operations)
        np.testing.assert_allclose(theirs[finite], ours[finite], rtol=2e-3)


# Late spikes -----------------------------------------------------------------


def test_sharpness_of_a_diagonal_problem_is_lr_times_the_largest_h_over_sqrt_v():
    h = np.array([1.0, 4.0, 9.0])
    w = np.zeros(3)
    opt = Adam([w], lr=0.1)
    opt.step([np.array([2.0, 0.5, 1.0])])  # t = 1: v_hat = g^2
    expected = 0.1 * max(h / (np.array([2.0, 0.5, 1.0]) + 1e-8))
    assert sharpness(opt, np.diag(h)) == pytest.approx(expected, rel=1e-9)


@pytest.fixture(scope="module")
def spike_run():
    X, y, H = least_squares()
    return (X, y, H), train(X, y, H)


def test_the_loss_jumps_back_within_200_steps_of_the_sharpness_passing_38(spike_run):
    _, (losses, sharp) = spike_run
    tiny = np.argmax(losses < 1e-25)
    back = tiny + np.argmax(losses[tiny:] > 1e-12) + 1
    crossed = 20 * (np.argmax(sharp > LIMIT) + 1)
    assert 3000 < crossed < back < crossed + 200
    assert losses[tiny:back - 1].max() < 1e-12  # no spike before the crossing
    assert losses[back:].max() > 1e-6


def test_over_10000_steps_the_cosine_and_a_large_eps_keep_the_loss_down(spike_run):
    (X, y, H), _ = spike_run
    assert train(X, y, H, schedule=cosine)[0][5000:].max() < 1e-25
    eps = 0.01 * np.linalg.eigvalsh(H)[-1] / LIMIT * 1.01
    losses, sharp = train(X, y, H, eps=eps)
    assert sharp.max() < LIMIT and losses[5000:].max() < 1e-25


def test_beta2_of_0_95_stays_at_the_edge_of_stability_with_losses_near_1e_5(spike_run):
    (X, y, H), _ = spike_run
    losses, sharp = train(X, y, H, beta2=0.95)
    assert 1e-6 < losses[5000:].max() < 1e-4
    assert np.all(np.abs(sharp[50:] / LIMIT - 1) < 0.3)


def test_cosine_schedule_runs_from_one_to_zero():
    assert cosine(1, 100) == 1.0
    assert cosine(51, 100) == pytest.approx(0.5)
    assert cosine(101, 100) == pytest.approx(0.0, abs=1e-15)


# β2 --------------------------------------------------------------------------


@pytest.mark.parametrize("beta2", [0.999, 0.99, 0.95])
def test_steps_after_growth_follow_the_closed_form(beta2):
    quiet, small, large = 3000, 0.01, 1.0
    k = np.arange(1, 201)
    t = quiet + k
    m = 0.9**k * small * (1 - 0.9**quiet) + (1 - 0.9**k) * large
    v = beta2**k * small**2 * (1 - beta2**quiet) + (1 - beta2**k) * large**2
    expected = m / (1 - 0.9**t) / (np.sqrt(v / (1 - beta2**t)) + 1e-8)
    np.testing.assert_allclose(steps_after_growth(beta2, loud=200), expected, rtol=1e-9)


@pytest.mark.parametrize(("beta2", "largest"), [(0.999, 6.41), (0.99, 2.14), (0.95, 1.10)])
def test_the_largest_step_after_growth_stays_under_the_ceiling(beta2, largest):
    ceiling = 0.1 / math.sqrt((1 - beta2) * (1 - 0.81 / beta2))
    steps = steps_after_growth(beta2)
    assert steps.max() == pytest.approx(largest, abs=0.005)
    assert steps.max() < ceiling


# Warmup and resuming ----------------------------------------------------------


@pytest.fixture(scope="module")
def noisy():
    return noisy_least_squares()


def test_the_first_step_from_the_best_weights_costs_lr_squared_over_2_times_sHs(noisy):
    X, y, w_best, H = noisy
    lr = 0.1
    first = fine_tune(Adam([w_best.copy()], lr=lr), X, y, w_best, H, 1, lr)[0]
    batch = np.random.default_rng(1).integers(0, len(y), 32)
    s = np.sign(X[batch].T @ (X[batch] @ w_best - y[batch]))
    assert first == pytest.approx(lr**2 / 2 * s @ H @ s, rel=1e-6)
    assert excess(w_best, w_best, H) == 0.0


def test_warmup_keeps_the_first_steps_small_and_settles_at_the_same_level(noisy):
    X, y, w_best, H = noisy
    runs = {w: fine_tune(Adam([w_best.copy()], lr=0.1), X, y, w_best, H, 6000, 0.1, w)
            for w in (0, 2000)}
    assert runs[0][:10].max() > 1.0 and runs[2000][:10].max() < 1e-3
    settled = [run[4000:].mean() for run in runs.values()]
    assert settled[1] == pytest.approx(settled[0], rel=0.1)
    assert runs[0][0] > 5 * settled[0]


def test_resuming_with_the_state_is_the_uninterrupted_run_and_without_it_a_restart(noisy):
    X, y, w_best, H = noisy
    opt = Adam([w_best.copy()], lr=0.1)
    fine_tune(opt, X, y, w_best, H, 300, 0.1)
    saved_w, saved = opt.params[0].copy(), opt.state_dict()
    straight = fine_tune(opt, X, y, w_best, H, 50, 0.1, seed=2)
    resumed = Adam([saved_w.copy()], lr=0.1)
    resumed.load_state_dict(saved)
    np.testing.assert_array_equal(fine_tune(resumed, X, y, w_best, H, 50, 0.1, seed=2),
                                  straight)
    fresh = Adam([saved_w.copy()], lr=0.1)
    fine_tune(fresh, X, y, w_best, H, 1, 0.1, seed=2)
    np.testing.assert_allclose(np.abs(fresh.params[0] - saved_w), 0.1, rtol=1e-4)


# Weight decay -----------------------------------------------------------------


def test_decoupled_decay_shrinks_both_weights_alike_l2_kills_the_small_gradient_one():
    l2, decoupled = decay_run(False)[-1], decay_run(True)[-1]
    factor = (1 - 1e-3 * 0.01) ** 5000
    np.testing.assert_allclose(decoupled, factor, rtol=0.005)
    assert l2[0] == pytest.approx(factor, rel=0.005)  # sqrt(v_hat) = 1: as AdamW
    assert abs(l2[1]) < 1e-3


# Memory ---------------------------------------------------------------------------


def test_training_memory_counts_bytes_per_parameter():
    per = {name: training_memory(1.0, **kw)["total"] for name, kw in {
        "sgd": {"state": 0}, "adam": {}, "amsgrad": {"state": 3},
        "mixed": {"weights": 2, "grads": 2, "master": 4}}.items()}
    assert per == {"sgd": 8, "adam": 16, "amsgrad": 20, "mixed": 16}


@pytest.mark.parametrize(("amsgrad", "copies"), [(False, 2), (True, 3)])
def test_the_reference_adam_keeps_two_copies_of_the_weights_three_with_amsgrad(
    amsgrad, copies
):
    w = [np.zeros((30, 20), np.float32), np.zeros(7, np.float32)]
    opt = Adam(w, amsgrad=amsgrad)
    state = opt.m + opt.v + (opt.v_max or [])
    assert sum(a.nbytes for a in state) == copies * sum(p.nbytes for p in w)


# Clipping ------------------------------------------------------------------------


def test_clipping_scales_the_joint_norm_down_to_max_norm_and_leaves_small_ones_alone():
    grads = [np.array([3.0, 0.0]), np.array([[4.0]])]
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == 5.0
    total = math.sqrt(sum(float(np.sum(g * g)) for g in clipped))
    assert total == pytest.approx(1.0, rel=1e-6)
    same, _ = clip_by_global_norm(grads, 10.0)
    np.testing.assert_array_equal(same[0], grads[0])


def test_adam_without_eps_ignores_a_constant_scale_of_the_gradients():
    grads = np.random.default_rng(0).normal(0.5, 1.0, size=(200, 3))
    ends = []
    for scale in (1.0, 1e-3):
        w = np.zeros(3)
        opt = Adam([w], lr=1e-3, eps=0.0)
        for g in grads:
            opt.step([scale * g])
        ends.append(w)
    np.testing.assert_allclose(ends[0], ends[1], rtol=1e-12, atol=1e-15)


def test_one_bad_batch_step_follows_from_m_and_v():
    steps = steps_after_bad_batch()
    t = 2001
    m = 0.9 * (1 - 0.9**2000) + 0.1 * 100
    v = 0.999 * (1 - 0.999**2000) + 0.001 * 100**2
    assert steps[0] == pytest.approx(m / (1 - 0.9**t) / math.sqrt(v / (1 - 0.999**t)))
    assert steps[100] < 0.35 and steps[-1] < 0.9  # v remembers the bad batch
    clipped = steps_after_bad_batch(max_norm=2.0)
    assert np.all(np.abs(clipped - 1) < 0.11)


@pytest.mark.frameworks
def test_clip_by_global_norm_matches_torch():
    torch = need("torch")
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal((4, 5)), rng.standard_normal(3)]
    params = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_(params, 0.5)
    ours, _ = clip_by_global_norm(grads, 0.5)
    for p, g in zip(params, ours, strict=True):
        np.testing.assert_allclose(p.grad.numpy(), g, rtol=1e-12)


# Sparse gradients -----------------------------------------------------------------


def test_dense_adam_moves_a_row_whose_gradient_is_zero():
    moved = embedding_run(lazy=False, steps=100)
    assert moved[0, 1] == pytest.approx(1.0, rel=1e-6)
    assert np.all(np.diff(moved[:, 1]) > 0)  # it moves at every one of the 99 steps after
    assert moved[-1, 1] == pytest.approx(6.01, abs=0.005)


def test_the_lazy_update_leaves_absent_rows_alone_and_its_rare_steps_grow():
    moved = embedding_run(lazy=True)
    rare = moved[:, 1]
    at = np.arange(0, 1000, 100)
    assert np.all(np.diff(rare)[np.setdiff1d(np.arange(999), at - 1)] == 0)
    jumps = np.diff(np.concatenate([[0], rare[at]]))
    assert jumps[0] == pytest.approx(1.0, rel=1e-6) and np.all(np.diff(jumps) > 0)
    np.testing.assert_allclose(moved[:, 0], np.arange(1, 1001), rtol=1e-5)


@pytest.mark.frameworks
def test_the_lazy_update_is_torch_sparse_adam():
    torch = need("torch")
    rng = np.random.default_rng(5)
    table = rng.standard_normal((6, 3))
    emb = torch.nn.Embedding(6, 3, sparse=True, _weight=torch.tensor(table))
    opt = torch.optim.SparseAdam(emb.parameters(), lr=0.01)
    w, m, v = table.copy(), np.zeros_like(table), np.zeros_like(table)
    for t in range(1, 30):
        rows = np.unique(rng.integers(0, 6, 2))
        target = rng.standard_normal((len(rows), 3))
        opt.zero_grad()
        out = emb(torch.tensor(rows))
        (0.5 * ((out - torch.tensor(target)) ** 2).sum()).backward()
        g = w[rows] - target  # the gradient of the same loss
        sparse_adam_step(w, rows, g, m, v, t, lr=0.01)
        opt.step()
        np.testing.assert_allclose(emb.weight.detach().numpy(), w, rtol=1e-10, atol=1e-12)


@pytest.mark.frameworks
def test_torch_adam_skips_a_parameter_without_grad_but_moves_one_with_zero_grad():
    torch = need("torch")
    a, b = (torch.nn.Parameter(torch.ones(2, dtype=torch.float64)) for _ in range(2))
    opt = torch.optim.Adam([a, b], lr=0.1)
    a.grad, b.grad = torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    opt.step()
    before_a, before_b = a.detach().clone(), b.detach().clone()
    a.grad, b.grad = None, torch.zeros(2, dtype=torch.float64)
    opt.step()
    assert torch.equal(a.detach(), before_a)
    assert not torch.equal(b.detach(), before_b)


# Claims ------------------------------------------------------------------------------


def test_claim_with_v_zero_the_float16_step_is_lr_times_g_over_eps(says):
    says("pitfalls.md", r"with $v = 0$ the step is $\alpha\,|g|/\varepsilon$, so it grows "
         "with the gradient instead of being $\\alpha$")
    g = all_float16()
    with np.errstate(over="ignore"):
        v_zero = np.float16(1 - 0.999) * g * g == 0  # v after one step, in float16
    step = first_step(g, np.float16, eps=1e-4)
    assert np.all(np.diff(step[v_zero]) >= 0)  # it grows with the gradient
    shown = v_zero & (g >= 1e-4)  # steps of lr and more, to float16 rounding (a few 0.1%)
    expected = g[shown].astype(np.float64) / 1e-4  # m_hat / eps = g / eps, in lr
    np.testing.assert_allclose(step[shown], expected, rtol=5e-3)
    # the largest such step: just below sqrt(2**-25 / 0.001), where v stops rounding to 0
    assert step[v_zero].max() == pytest.approx(math.sqrt(2.0**-25 / 0.001) / 1e-4, rel=2e-3)
    assert 50 < step[v_zero].max() < 60 and step[v_zero][g[v_zero] == np.float16(1e-3)] > 9.9


@pytest.mark.frameworks
def test_torch_float16_adam_with_eps_1e_4_takes_g_over_eps_just_below_the_threshold():
    torch = need("torch")
    g = float(np.nextafter(np.float16(math.sqrt(2.0**-25 / 0.001)), np.float16(0)))
    p = torch.nn.Parameter(torch.zeros(1, dtype=torch.float16))
    opt = torch.optim.Adam([p], lr=1e-3, eps=1e-4)
    p.grad = torch.tensor([g], dtype=torch.float16)
    opt.step()
    assert opt.state[p]["exp_avg_sq"].item() == 0.0  # v rounded to 0
    assert -p.item() / 1e-3 == pytest.approx(g / 1e-4, rel=5e-3)


def test_claim_a_smaller_beta2_does_not_remove_the_spikes(says, spike_run):
    says("pitfalls.md", r"A smaller $\beta_2$ does not remove the spikes.")
    says("pitfalls.md", r"(a smaller $\beta_2$ is not enough)")
    (X, y, H), (plain, _) = spike_run
    losses, sharp = train(X, y, H, beta2=0.95)
    high, high_plain = losses[5000:].max(), plain[5000:].max()
    assert high > 1e-6 and high > high_plain / 10  # as high as the unfixed run's spikes
    assert losses.min() > 1e-9 > 1e-25 > plain.min()  # and it never gets near the minimum
    assert np.all(np.abs(sharp[25:] / LIMIT - 1) < 0.3)  # at the edge of stability, step 500 on


def test_claim_decaying_the_learning_rate_slows_the_growth_but_does_not_bound_it(says):
    from snippets import pitfalls

    says("pitfalls.md", "Decaying the learning rate slows the growth down; it does not bound it.")
    says("pitfalls.md", "decaying the learning rate delays the spikes, and avoids them only if "
         "$\\alpha$ falls fast enough")
    runs = pitfalls._spike_runs()  # sharpness every 10 steps
    cos, plain = runs["cosine"][1], runs["plain"][1]
    # the cosine run's alpha * sharpness still grows for thousands of steps, more slowly
    says("pitfalls.md", "So in this run $\\alpha$ times the sharpness still grows")
    at = {step: cos[step // 10 - 1] for step in (2000, 4000, 6000)}
    assert at[2000] < at[4000] < at[6000] < LIMIT
    assert at[2000] < plain[199] and at[4000] < plain[399]
    assert at[2000] == pitfalls.spike_cosine_sharpness_2000()
    assert at[6000] == pitfalls.spike_cosine_sharpness_6000()
    # the mechanism: with g ~ 0, sqrt(v_hat) falls by sqrt(beta2) per step, so from step
    # 4000 to 6000 alpha * sharpness grows by the cosine's lr ratio times beta2^-1000
    expected = cosine(6000, 10_000) / cosine(4000, 10_000) * 0.999**-1000
    assert at[6000] / at[4000] == pytest.approx(expected, rel=0.02)
    # it turns where the cosine's lr starts falling faster than sqrt(beta2) per step
    turn = pitfalls.cosine_turn(10_000)
    for t, faster in ((turn - 50, False), (turn + 50, True)):
        ratio = cosine(round(t) + 1, 10_000) / cosine(round(t), 10_000)
        assert (ratio < math.sqrt(0.999)) is faster
    assert abs(pitfalls.spike_cosine_peak_step() - turn) <= 20
    says("pitfalls.md", "it misses the limit of")
    assert 0 < pitfalls.spike_cosine_margin() == 1 - cos.max() / LIMIT < 0.01
    # stretched over 15,000 steps the same cosine lets the sharpness pass the limit
    says("pitfalls.md", "Stretch the same cosine over 15,000 steps, so that $\\alpha$ falls "
         "more slowly, and the sharpness passes the limit")
    losses, sharp = pitfalls._spike_stretched()
    assert len(losses) == 15_000 and sharp.max() > LIMIT
    assert pitfalls.spike_stretched_sharpness() == sharp.max()
    crossed = pitfalls.spike_stretched_crossed()
    assert crossed == 10 * (np.argmax(sharp > LIMIT) + 1)
    assert losses.min() < 1e-25  # it had reached the floor
    tiny = np.argmax(losses < 1e-25)
    back = tiny + np.argmax(losses[tiny:] > 1e-12) + 1
    assert crossed < back < crossed + 200 and losses[back:].max() > 1e-7
    assert pitfalls.spike_stretched_back() == round(back, -2)
    # where alpha falls more slowly, the turn comes later than the spike
    assert pitfalls.cosine_turn(15_000) > back


def test_runs_of_different_lengths_side_by_side_are_trains(spike_run):
    from snippets.pitfalls import STRETCHED_STEPS, _spike_runs, _train_rows

    (X, y, H), _ = spike_run
    runs, lengths = [(0.999, cosine), (0.999, cosine), (0.95, None)], [300, 200, 200]
    for (beta2, schedule), steps, ours in zip(
            runs, lengths, _train_rows(X, y, H, runs, lengths=lengths), strict=True):
        theirs = train(X, y, H, steps=steps, beta2=beta2, schedule=schedule, every=10)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a, b)
    losses, sharp = _spike_runs()["stretched"]
    assert STRETCHED_STEPS == len(losses) == 15_000 and len(sharp) == 1500


def test_claim_only_a_larger_eps_bounds_the_sharpness(says, spike_run):
    from snippets import pitfalls

    says("pitfalls.md", "Of the three, only the larger $\\varepsilon$ bounds the sharpness "
         "below the limit, whatever the schedule and the length of the run.")
    says("pitfalls.md", "with it the sharpness stays below [[value: pitfalls-spike-eps-bound]], "
         "whatever the schedule and however long the run")
    (X, y, H), (plain, _) = spike_run
    bound = pitfalls.spike_eps_bound()
    assert bound == pytest.approx(0.01 * np.linalg.eigvalsh(H)[-1] / 1e-3) and bound < LIMIT
    # the worst case, v = 0, reaches the bound: alpha * lambda_max(H) / eps
    opt = Adam([np.zeros(20)], lr=0.01, eps=1e-3)
    opt.t = 1
    assert sharpness(opt, H) == pytest.approx(bound, rel=1e-12)
    # and any v only lowers it (random states, and the run itself)
    rng = np.random.default_rng(0)
    for _ in range(20):
        opt.v[0] = rng.random(20) ** 8
        assert sharpness(opt, H) <= bound * (1 + 1e-12)
    assert plain[5000:].max() > 1e-6  # the run it fixes
    with pitfalls.lean_adam():
        losses, sharp = train(X, y, H, eps=1e-3)
    assert sharp.max() <= bound and losses[5000:].max() < 1e-25
    # a smaller beta2 does not bound it (it sits at the limit), nor does the cosine
    assert pitfalls._spike_runs()["beta2"][1].max() > LIMIT
    assert pitfalls._spike_stretched()[1].max() > LIMIT


@pytest.fixture(scope="module")
def clipping_runs(noisy):
    """Adam(lr=0.01), 3000 steps, clipped to norm 1e-3 or not, as on the page."""
    X, y, w_best, H = noisy
    Xe, ye, _ = least_squares()
    runs = {}
    for clipped, max_norm in (("free", None), ("clipped", 1e-3)):
        for start, w0 in (("zero", np.zeros(20)), ("best", w_best)):
            runs[start, clipped] = clipped_run(minibatch_gradients(X, y),
                                               lambda w: excess(w, w_best, H), w0.copy(),
                                               max_norm=max_norm)
        runs["exact", clipped] = clipped_run(lambda w: Xe.T @ (Xe @ w - ye) / len(ye),
                                             lambda w: 0.5 * np.mean((Xe @ w - ye) ** 2),
                                             np.zeros(20), max_norm=max_norm)
    return runs


def test_claim_momentum_and_v_hat_taking_in_the_zeros_both_carry_a_rare_row(says):
    from snippets import pitfalls

    says("pitfalls.md", "$m$ still carries the last gradient, and $\\hat v$ shrinks as it takes "
         "in the zeros, so the row keeps moving")
    says("pitfalls.md", "with $\\hat v$ held at its value of step 1, that alone would move the "
         "row [[value: pitfalls-sparse-coasting-momentum]] times as far again")

    def coast(hold_v_hat: bool) -> float:
        """The reference Adam on one weight: gradient 1 at step 1, then 99 zeros."""
        w = np.zeros(1)
        opt = Adam([w], lr=1e-3)
        opt.step([np.ones(1)])
        first = -w[0]
        for t in range(2, 101):
            if hold_v_hat:  # so that this step's v / (1 - beta2^t) is step 1's v_hat, 1
                opt.v[0][:] = (1 - 0.999**t) / 0.999
            opt.step([np.zeros(1)])
        return (-w[0] - first) / first

    assert coast(hold_v_hat=True) == pytest.approx(pitfalls.sparse_coasting_momentum(),
                                                   rel=1e-6)
    assert coast(hold_v_hat=False) == pytest.approx(pitfalls.sparse_coasting(), rel=1e-6)
    assert pitfalls.sparse_coasting() > 2 * pitfalls.sparse_coasting_momentum()
    # v_hat's fall: v decays by beta2 while 1 - beta2^t grows (about 1/t of v_hat_1 here)
    says("pitfalls.md", "by step 100 $\\hat v$ is down to [[value: pitfalls-sparse-vhat-100]] "
         "of its value at step 1")
    w = np.zeros(1)
    opt = Adam([w], lr=1e-3)
    for t in range(1, 101):
        opt.step([np.array([1.0 if t == 1 else 0.0])])
        v_hat = opt.v[0][0] / (1 - 0.999**t)
        if t == 1:
            v_hat_1 = v_hat
    assert v_hat / v_hat_1 == pytest.approx(pitfalls.sparse_vhat_100(), rel=1e-9)
    assert v_hat / v_hat_1 == pytest.approx(1 / 100, rel=0.06)
    assert pitfalls.sparse_vhat_100_gain() == pytest.approx((v_hat / v_hat_1) ** -0.5)


def test_claim_clipping_at_every_step_changes_adams_path(says, clipping_runs, noisy):
    says("pitfalls.md", "So clipping at every step changes Adam's path.")
    says("pitfalls.md", "clipping at every step changes how training converges")
    for key in (("zero", "clipped"), ("best", "clipped"), ("exact", "clipped")):
        assert clipping_runs[key][1] == 3000  # active at every step
    free, clipped = (clipping_runs["zero", k][0][2000:].mean() for k in ("free", "clipped"))
    assert clipped > 2 * free  # the noisy problem, from w = 0
    assert clipping_runs["exact", "free"][0][-1] < 1e-25 < 1e-8 < clipping_runs[
        "exact", "clipped"][0][-1]
    # A constant scale (1e-3 at every step) does not change the path; the clipping's
    # scale, different at every step, does:
    X, y, w_best, H = noisy
    gradients = minibatch_gradients(X, y)
    scaled, _ = clipped_run(lambda w: 1e-3 * gradients(w), lambda w: excess(w, w_best, H),
                            np.zeros(20))
    np.testing.assert_allclose(scaled, clipping_runs["zero", "free"][0], rtol=1e-3)


def test_claim_clipped_adam_runs_on_max_norm_times_the_unit_gradient(says, noisy):
    says("pitfalls.md", r"Adam then runs on $\text{max\_norm}\cdot g_t/\|g_t\|$")
    X, y, w_best, H = noisy
    ours, theirs = np.zeros(20), np.zeros(20)  # clipped_run moves them in place
    clipped_run(minibatch_gradients(X, y), lambda w: 0.0, ours, steps=300, max_norm=1e-3)
    gradients = minibatch_gradients(X, y)  # the same batches, normalised by hand

    def unit(w):
        g = gradients(w)
        return 1e-3 * g / np.linalg.norm(g)

    clipped_run(unit, lambda w: 0.0, theirs, steps=300)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-8)
    assert np.linalg.norm(ours) > 1.0  # they went somewhere


def test_claim_what_clipping_took_away_is_the_memory_of_larger_gradients(says, clipping_runs):
    says("pitfalls.md", "what clipping took away is that memory")
    free_zero, free_best, clipped_zero, clipped_best = (
        clipping_runs[key][0][2000:].mean()
        for key in (("zero", "free"), ("best", "free"), ("zero", "clipped"), ("best", "clipped")))
    # with no large early gradients to remember, no clipping is close to clipping:
    assert free_best == pytest.approx(clipped_best, rel=0.2)
    assert clipped_zero == pytest.approx(clipped_best, rel=0.2)
    assert free_zero < free_best / 2  # the memory of the first steps keeps steps small


def test_claim_the_last_memory_steps_carry_about_1_minus_1_over_e_of_the_weight(says):
    says("pitfalls.md", r"so the last $1/(1-\beta_2)$ steps carry "
         r"$1-\beta_2^{1/(1-\beta_2)}$ of the weight, about $1 - 1/e$")
    for beta2 in (0.999, 0.99, 0.95):
        n = round(1 / (1 - beta2))
        weights = (1 - beta2) * beta2 ** np.arange(100_000)  # the EMA's weights, newest first
        assert weights[:n].sum() == pytest.approx(1 - beta2**n, rel=1e-9)
        assert weights[:n].sum() == pytest.approx(1 - 1 / math.e, abs=0.01)


def test_claim_a_gradient_growing_by_beta2_over_beta1_approaches_the_ceiling(says):
    says("pitfalls.md", r"a gradient that grows by the factor $\beta_2/\beta_1$ at every "
         "step comes as close to it as one likes")
    for beta2 in (0.95, 0.99):
        ceiling = 0.1 / math.sqrt((1 - beta2) * (1 - 0.81 / beta2))
        w = np.zeros(1)
        opt = Adam([w], lr=1.0, betas=(0.9, beta2), eps=0.0)
        steps = []
        for t in range(1, 3001):
            before = w[0]
            opt.step([np.array([(beta2 / 0.9) ** t])])
            steps.append(before - w[0])
        assert max(steps) < ceiling * (1 + 1e-12)  # up to rounding
        assert steps[-1] == pytest.approx(ceiling, rel=1e-3)
    assert steps_after_growth(0.95).max() < 0.95 * (0.1 / math.sqrt(0.05 * (1 - 0.81 / 0.95)))


def test_claim_in_both_kinds_of_weight_decay_lambda_is_multiplied_by_alpha(says):
    says("pitfalls.md", r"In both kinds $\lambda$ is multiplied by $\alpha$")
    for decoupled in (False, True):
        # the weight with gradients of size 1, where sqrt(v_hat) is about 1:
        shrink = [-math.log(decay_run(decoupled, lr=lr)[-1, 0]) for lr in (1e-3, 5e-4)]
        assert shrink[0] / shrink[1] == pytest.approx(2.0, rel=0.02)


# The build's faster runs: the same numbers as the page's code ----------------------
# The page's values and figures come from LeanAdam and from runs done several at once
# (snippets/pitfalls.py, _train_rows and the like), to keep the build fast. They must
# give the numbers the page's code gives, to the last bit.


def test_lean_adam_is_adam_to_the_last_bit():
    from snippets.pitfalls import LeanAdam

    rng = np.random.default_rng(7)
    grads = [[rng.standard_normal(5) * 10.0 ** rng.integers(-6, 3), rng.standard_normal(3)]
             for _ in range(300)]
    for kwargs in ({}, {"lr": 0.3, "betas": (0.8, 0.95), "eps": 1e-3},
                   {"weight_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True}):
        ours, theirs = ([np.ones(5), np.full(3, -2.0)] for _ in range(2))
        lean, adam = LeanAdam(ours, **kwargs), Adam(theirs, **kwargs)
        for k, g in enumerate(grads):
            lean.lr = adam.lr = kwargs.get("lr", 1e-3) * cosine(k + 1, len(grads))
            lean.step(g)
            adam.step(g)
        for a, b in zip(ours + lean.m + lean.v, theirs + adam.m + adam.v, strict=True):
            np.testing.assert_array_equal(a, b)


def test_the_spike_runs_of_the_values_are_trains(spike_run):
    from snippets.pitfalls import _spike_runs, _train_rows

    (X, y, H), (losses, sharp) = spike_run  # train(X, y, H): sharpness every 20 steps
    plain = _spike_runs()["plain"]
    np.testing.assert_array_equal(plain[0], losses)
    np.testing.assert_array_equal(plain[1][1::2], sharp)
    runs = [(0.999, None), (0.999, cosine), (0.95, None)]
    for (beta2, schedule), ours in zip(runs, _train_rows(X, y, H, runs, steps=400),
                                       strict=True):
        theirs = train(X, y, H, steps=400, beta2=beta2, schedule=schedule, every=10)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a, b)


def test_the_warmup_runs_of_the_values_are_fine_tunes(noisy):
    from snippets.pitfalls import LeanAdam, _fine_tune_rows, _state

    X, y, w_best, H = noisy
    runs, (W, M, V, t, lr) = _fine_tune_rows(steps=300, warmups=(0, 100), resume_at=200)
    for warmup, ours in runs.items():
        theirs = fine_tune(Adam([w_best.copy()], lr=0.1), X, y, w_best, H, 300, 0.1, warmup)
        np.testing.assert_array_equal(ours, theirs)
    opt = Adam([w_best.copy()], lr=0.1)
    fine_tune(opt, X, y, w_best, H, 200, 0.1, warmup=100)
    resumed = _state(W, M, V, -1, t, lr, 0.999, 1e-8)
    assert isinstance(resumed, LeanAdam) and resumed.t == opt.t == 200
    for a, b in zip(resumed.params + resumed.m + resumed.v, opt.params + opt.m + opt.v,
                    strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_growth_and_bad_batch_runs_of_the_values_are_the_pages():
    from snippets.pitfalls import _bad_batch_rows, _growth_rows

    for beta2, steps in _growth_rows((0.999, 0.95), quiet=300, loud=200).items():
        np.testing.assert_array_equal(steps, steps_after_growth(beta2, quiet=300, loud=200))
    for max_norm, steps in _bad_batch_rows((None, 2.0), before=100, after=200).items():
        np.testing.assert_array_equal(
            steps, steps_after_bad_batch(max_norm, before=100, after=200))


def test_the_clipping_values_are_the_pages_clipped_runs(clipping_runs):
    from snippets.pitfalls import _clip_every

    ours = _clip_every()
    for start in ("zero", "best"):
        for clipped in ("free", "clipped"):
            losses, active = clipping_runs[start, clipped]
            assert ours[f"noisy-{start}-{clipped}"] == float(losses[2000:].mean())
            assert ours[f"noisy-{start}-{clipped}-active"] == active
    for clipped in ("free", "clipped"):
        losses, active = clipping_runs["exact", clipped]
        assert ours[f"exact-{clipped}"] == float(losses[-1])
        assert ours[f"exact-{clipped}-active"] == active
