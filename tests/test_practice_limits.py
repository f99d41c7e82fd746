"""snippets/practice_limits.py: /practice/ sections 6-10, and the claims the page makes."""

from __future__ import annotations

import numpy as np
import pytest
from need import need

from snippets import lab, pitfalls, variants
from snippets import practice_limits as pl

PAGE = "practice.md"


# The edge of stability ------------------------------------------------------------------


def test_claim_the_limit_is_where_a_root_leaves_through_minus_one_and_it_is_sharp(says):
    says(PAGE, "a real root could leave only through $z = 1$, which needs $s = 0$, or through "
         "$z = -1$")
    says(PAGE, "With $\\beta_1 = 0$ (no momentum) the formula gives gradient descent's 2.")
    assert pl.stability_limit(0.9) == pytest.approx(pitfalls.STABILITY_LIMIT)  # one number
    assert pl.stability_limit(0.0) == 2
    for beta1 in (0.0, 0.5, 0.9, 0.99):
        limit = pl.stability_limit(beta1)
        # the growth factor is the spectral radius of the step's 2 x 2 matrix on (m, x)
        for s in (0.3 * limit, 0.999 * limit, 1.001 * limit):
            a = 1.0  # alpha / sqrt(v_hat); s = a * curvature
            step = np.array([[beta1, (1 - beta1) * s / a],
                             [-a * beta1, 1 - (1 - beta1) * s]])  # (m, x) -> (m', x')
            assert pl.growth_per_step(s, beta1) == pytest.approx(
                np.abs(np.linalg.eigvals(step)).max(), rel=1e-9)
        assert pl.growth_per_step(0.999 * limit, beta1) < 1 < pl.growth_per_step(
            1.001 * limit, beta1)
    # the runs 1% on each side: one shrinks, one grows, as the factors say
    runs = pl._eos_runs()
    assert runs["below"][-1] < 1e-3 and runs["above"][-1] > 1e10
    assert pl.eos_growth_below() == pytest.approx(np.sqrt(0.9))  # complex roots, |z| = sqrt(b1)
    growth = runs["above"][-1] / runs["above"][-51]
    assert growth ** (1 / 50) == pytest.approx(pl.eos_growth_above(), rel=1e-3)


def test_frozen_adam_is_the_linear_iteration_whose_roots_the_page_solves():
    curvature, v_hat, lr = pl.eos_curvature(0.9, 0.99), pl.EOS_V_HAT, pl.EOS_LR
    a, beta1 = lr / (np.sqrt(v_hat) + 1e-8), 0.9
    step = np.array([[beta1, (1 - beta1) * curvature],  # (m, x) -> (m', x')
                     [-a * beta1, 1 - a * (1 - beta1) * curvature]])
    state, xs = np.array([0.0, 1.0]), [1.0]
    for _ in range(60):
        state = step @ state
        xs.append(abs(state[1]))
    np.testing.assert_allclose(pl.frozen_adam(curvature, v_hat, lr, steps=60), xs, rtol=1e-9)
    # the pair (m, curvature * x) of the page: trace and determinant of its matrix
    s = a * curvature
    assert np.trace(step) == pytest.approx(1 + beta1 - (1 - beta1) * s)
    assert np.linalg.det(step) == pytest.approx(beta1)


def test_claim_the_late_spike_run_passed_2_long_before_its_spike_and_spiked_at_38(says):
    says(PAGE, "$\\alpha$ times the sharpness passed 2 at step")
    says(PAGE, "while the loss was still falling")
    losses, sharp = pl.spike_start()
    crossed_2, crossed_38 = pl.eos_spike_crossed_2(), pl.eos_spike_crossed_38()
    assert crossed_2 < 200 < 3000 < crossed_38
    assert crossed_38 == 10 * (int(np.argmax(sharp > pitfalls.STABILITY_LIMIT)) + 1)
    # at crossed_2 the loss is falling steadily and far above float64's floor
    window = losses[crossed_2 - 50 : crossed_2 + 50]
    assert np.all(np.diff(window) < 0) and window[-1] > 1e-12
    # the same run as pitfalls.train (reference Adam), its first 500 steps
    X, y, H = pitfalls.least_squares()
    with pitfalls.lean_adam():
        reference, ref_sharp = pitfalls.train(X, y, H, steps=500, every=10)
    np.testing.assert_array_equal(losses[:500], reference)
    np.testing.assert_array_equal(sharp[:50], ref_sharp)


def test_claim_faq_the_spike_limit_is_on_the_preconditioned_sharpness_not_alpha_times_h(says):
    says("faq.md", "when the effective learning rate\n    $\\alpha/(\\sqrt{\\hat v}+\\varepsilon)$ "
         "times that curvature passes")
    says("faq.md", "kept that product\n    [[value: pitfalls-spike-cosine-margin]] below the "
         "limit")
    says("faq.md", "A limit its momentum sets, and the regime where training sits at it.")
    says("faq.md", "stable only while its *preconditioned sharpness*\n    "
         "$\\alpha\\,\\lambda_{\\max}(PH)$")
    _, sharp = pl.spike_start()
    _, _, H = pitfalls.least_squares()
    lr = 0.01  # pitfalls.train's default, the late-spike run's alpha
    assert lr * np.linalg.eigvalsh(H)[-1] < 0.1  # alpha times the curvature: far from 38
    assert sharp.max() > pitfalls.STABILITY_LIMIT  # the preconditioned sharpness passes it
    assert 0 < pitfalls.spike_cosine_margin() < 0.05  # and the cosine run's stays just below


# Generalization ---------------------------------------------------------------------------


def test_claim_at_the_tuned_rate_the_seeds_spreads_overlap(says):
    says(PAGE, "At\n[[value: practice-gen-adam-lr]] the spreads overlap")
    says("faq.md", "tested with three seeds,\n    the two overlap")
    seeds = pl._seeds()
    sgd, adam = seeds["SGD"], seeds["Adam"]
    assert len(sgd) == len(adam) == 3
    assert max(sgd.min(), adam.min()) < min(sgd.max(), adam.max())  # the ranges overlap
    assert abs(sgd.mean() - adam.mean()) < max(np.ptp(sgd), np.ptp(adam))
    # the tuned rate is the best on validation, and not at an end of the grid
    for name in ("SGD", "Adam"):
        assert pl.tuned(name) in pl.SWEEP[name][1:-1]


def test_claim_adams_two_best_rates_tied_and_the_rule_takes_the_smaller(says):
    says(PAGE, "Adam's [[value: practice-gen-adam-lr]] and\n[[value: practice-gen-adam-tied-lr]] "
         "tied at [[value: practice-gen-adam-val]]\non validation; the rule takes the smaller.")
    says(PAGE, "With seed 0, at SGD's rate and\nAdam's [[value: practice-gen-adam-lr]], both "
         "reach about the same training\nloss")
    assert pl.tied("Adam") == [pl.ADAM_TIED_LR] and pl.tuned("Adam") < pl.ADAM_TIED_LR
    assert pl.tied("SGD") == []
    tied = pl._seed_runs()[("Adam", pl.ADAM_TIED_LR, 0.01)]
    assert len(tied) == 3  # three seeds, as at the tuned rate
    assert pl.gen_adam_tied_test_min() == tied.min() < tied.max() == pl.gen_adam_tied_test_max()
    assert pl.gen_sgd_loss() == pytest.approx(pl.gen_adam_loss(), rel=0.1)


def test_claim_at_the_tied_rate_adams_seeds_sit_at_the_top_of_sgds_range(says):
    says(PAGE, "at\n[[value: practice-gen-adam-tied-lr]], which tied on validation, Adam's "
         "three\nseeds sit at the top of SGD's range, above all of SGD's seeds but the best.\n"
         "On this problem Adam generalizes no worse, and three seeds cannot say whether\n"
         "it does better.")
    seeds = pl._seed_runs()
    sgd, tied = seeds[("SGD", pl.tuned("SGD"), 0.01)], seeds[("Adam", pl.ADAM_TIED_LR, 0.01)]
    assert len(tied) == 3 and np.sort(sgd)[-2] < tied.min() < sgd.max() < tied.max()
    assert pl.gen_adam_test_mean() >= pl.gen_sgd_test_mean() - np.ptp(sgd)  # no worse


def test_claim_the_full_code_trains_each_tied_rate_with_three_seeds(says):
    says(PAGE, "and trains\n    [[value: practice-gen-networks]] networks (a few seconds): each "
         "rate of the\n    grids, then three seeds at each rate with the best validation accuracy.")
    grids = sum(len(grid) for grid in pl.SWEEP.values())
    best_rates = len(pl.SWEEP) + len(pl.tied("SGD")) + len(pl.tied("Adam"))
    assert pl.gen_networks() == grids + len(pl.SEEDS) * best_rates == 19
    assert set(pl.seed_runs()) == {(name, lr, 0.01) for name in pl.SWEEP
                                   for lr in [pl.tuned(name), *pl.tied(name)]}


def test_the_lockstep_seed_is_trains_seed():
    runs = pl.seed_runs()  # as _seed_runs: cached
    run = runs[1]
    lockstep = lab._runs_together(runs, 1)[run]
    direct = lab.train(lab.make_optimizer("Adam", run[1]), lab.lab_data(), seed=1)
    for a, b in zip(lockstep["params"], direct["params"], strict=True):
        np.testing.assert_array_equal(a, b)
    assert lockstep["val_accuracy"] == direct["val_accuracy"][-1]


# The convergence proof ----------------------------------------------------------------------


def test_claim_gamma_is_negative_for_adam_never_for_amsgrad_and_adam_0999_still_converges(says):
    says(PAGE, "the assumption failing\nis not the same as Adam failing")
    says("faq.md", "Adam's $v_t$ shrinks\n    whenever $g_t^2$ is below it")
    for beta2 in (None, 0.999):
        np.testing.assert_array_equal(pl.online_v(3000, beta2=beta2),
                                      variants._online_v(3000, 3.0, beta2, 3))
    # Gamma from its definition, step by step
    v = pl.online_v(100)
    alpha_t = 0.5 / np.sqrt(np.arange(1, 101))
    direct = [np.sqrt(v[t]) / alpha_t[t] - np.sqrt(v[t - 1]) / alpha_t[t - 1]
              for t in range(1, 100)]
    np.testing.assert_allclose(pl.gamma(v), direct, rtol=1e-12)
    assert pl.gamma_adam_negative() > 0.6
    # negative exactly at the two steps after each large gradient (t mod 3 = 2 and 0)
    says(PAGE, "the two steps after each\nlarge gradient, where $v$ falls back")
    t = np.arange(2, pl.GAMMA_STEPS + 1)
    negative = pl._gamma_runs()["adam"][0] < 0
    np.testing.assert_array_equal(negative[t > 3], (t[t > 3] % 3 != 1))
    assert pl.gamma_amsgrad_negative() == 0
    assert pl.gamma_0999_negative() > 0.5
    # beta2 = 0.999: first negative at the step the page gives, then exactly at the two steps
    # after each large gradient
    says(PAGE, "is first\nnegative at step [[value: practice-gamma-0999-first-negative]], and "
         "from then on\nat the two steps after each large gradient")
    negative = pl._gamma_runs()["adam-0999"][0] < 0
    first = pl.gamma_0999_first_negative()
    assert not negative[t < first].any() and negative[t == first].all()
    np.testing.assert_array_equal(negative[t >= first], t[t >= first] % 3 != 1)
    assert pl.gamma_0999_x() < -0.99  # next to the optimum -1
    assert variants._online(30_000)[0][-1] == 1.0  # Adam with beta2 = 1/(1 + C^2): the worst


def test_claim_which_theorems_fix_the_betas_first_and_what_the_later_proofs_give(says):
    """Wording checked against the papers (Reddi et al. 2018, Theorems 1-3; Zhang et al.
    2022): the counterexample the page runs sets beta2 from C, so it is Theorem 1's."""
    says(PAGE, "Reddi et al.'s Theorems 2 and 3 take the other\n  order")
    # the neighbourhood is Zhang et al.'s (beta2 fixed for the problem); tied to the run,
    # Defossez et al. give AdaGrad's rate: the parenthesis goes with the first case only
    says("faq.md", "converges when $\\beta_2$ is\n    close enough to 1 for the problem (to a "
         "neighbourhood of stationary\n    points set by the gradient noise), or tied to the "
         "length of the run")
    says(PAGE, "neighbourhood of stationary points whose size depends on the gradient")
    says(PAGE, "$C = 3$,\n$\\beta_1 = 0$, $\\beta_2 = 1/(1+C^2)$")
    np.testing.assert_array_equal(pl.online_v(30), pl.online_v(30, beta2=1 / (1 + 3.0**2)))


# Memory and precision -------------------------------------------------------------------------


def test_claim_in_float16_eps_always_and_v_only_for_small_gradients_round_to_0(says):
    says(PAGE, "in float16 its\n$\\varepsilon$, and $v$ for gradients below about\n"
         "[[value: pitfalls-fp16-v-zero-below]] at the first step, round to 0")
    assert np.float16(1e-8) == 0
    below = pitfalls.fp16_v_zero_below()  # the largest gradient whose float16 v is 0
    v_first = lambda g: np.float16((1 - 0.999) * g**2)  # noqa: E731 - v after one step
    assert v_first(0.99 * below) == 0 and v_first(1.01 * below) > 0
    assert 0.004 < below < 0.006  # "about 0.005"


def test_the_codes_have_256_levels_and_quantize_returns_levels_times_the_scale():
    for signed in (True, False):
        for code in (pl.dynamic_code(signed), pl.linear_code(signed)):
            assert len(np.unique(code)) <= 256 and code.max() == 1.0
            assert code.min() >= -1.0 and (signed or code.min() == 0.0)
        code = pl.dynamic_code(signed)
        assert len(np.unique(code)) == 256
        x = np.random.default_rng(0).choice(code, 4096) * 3.0
        x[0] = 3.0  # the block's largest magnitude
        np.testing.assert_allclose(pl.quantize(x, code, 4096), x, rtol=1e-12)


def test_claim_blocks_confine_the_outliers_damage(says):
    says(PAGE, "Blocks of 2048 confine the damage")
    assert pl.q8_linear_zero() > 0.99
    assert pl.q8_block_zero() < pl.q8_dynamic_zero() < pl.q8_linear_zero()
    assert pl.q8_block_error() < pl.q8_dynamic_error() < pl.q8_linear_error()
    assert pl.q8_outlier_blocks() < pl.q8_blocks() / 4
    assert pl.q8_block_error_clean() < pl.q8_block_error() / 2


def test_claim_one_linear_scale_zeroes_most_of_m_too_and_the_other_steps_are_m_over_eps(says):
    says(PAGE, "store almost every\n$v$ as 0, and most of $m$ too")
    says(PAGE, "of the steps become 0 (their $m$ is\nstored as 0) and the rest, but for the "
         "outliers' own, $m/\\varepsilon$,\nenormous")
    q = pl.linear_one_scale()
    m8, v8, step = q["m8"], q["v8"], q["step"]
    assert pl.q8_linear_m_zero() > 0.9
    assert pl.q8_linear_step_zero() == pl.q8_linear_m_zero()  # m = 0: the step is 0
    rest = step != 0
    m, v = pl._states()
    outliers = np.abs(m) > 50  # as _outlier_blocks
    np.testing.assert_array_equal(v8 != 0, outliers)  # the rest: m / eps, but the outliers'
    np.testing.assert_allclose(step[rest & ~outliers], m8[rest & ~outliers] / 1e-8)
    assert np.all(np.abs(step[outliers]) < np.abs(m / (np.sqrt(v) + 1e-8)).max())  # ordinary
    assert pl.q8_linear_step_largest() > 1e6 * np.abs(m / (np.sqrt(v) + 1e-8)).max()


def test_to_bf16_is_ml_dtypes_rounding_and_stochastic_rounding_is_unbiased():
    import ml_dtypes
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(50_000) * 10.0 ** rng.integers(-30, 30, 50_000)).astype(np.float32)
    x[:4] = [1 + 2**-8, 1 + 3 * 2**-8, 0.0, -2.0]  # ties, to even
    np.testing.assert_array_equal(pl.to_bf16(x), x.astype(ml_dtypes.bfloat16).astype(np.float32))
    y = np.full(100_000, 1 + 0.3 * 2**-7, np.float32)  # 30% of the way to the next number
    rounded = pl.to_bf16_stochastic(y, rng)
    assert set(np.unique(rounded)) == {1.0, 1 + 2**-7}
    assert np.mean(rounded == 1 + 2**-7) == pytest.approx(0.3, abs=0.01)


def test_claim_bf16_weights_rounded_to_nearest_never_move(says):
    says(PAGE, "Rounded to nearest, the weights never move")
    says(PAGE, "within a few times the lowest loss any\nbfloat16 weights can have here")
    says("faq.md", "is rounded away, and the\n    weight never moves")
    runs = pl._bf16_runs()
    assert np.all(runs["bf16"] == runs["bf16"][0])
    # every Adam step is below half the spacing of bfloat16 numbers at the weights (>= 1)
    assert pl.bf16_half_ulp_1() > 3.2 * 1e-3  # Adam's steps stay below ~3.16 alpha
    floor = pl.bf16_floor()
    for name in ("stochastic", "kahan"):
        assert floor < runs[name][-1] < 4 * floor < runs[name][0] / 10
    assert runs["float32"][-1] < 1e-9 < floor


# Sparse gradients in PyTorch ----------------------------------------------------------------------


def _sparse_embedding_grad(torch, sparse: bool):
    torch.manual_seed(0)
    embedding = torch.nn.Embedding(6, 3, sparse=sparse)
    embedding(torch.tensor([0, 2])).sum().backward()
    return embedding


def test_claim_torch_adam_and_adamw_raise_on_sparse_gradients_with_this_message(says):
    torch = need("torch")
    message = "Adam does not support sparse gradients, please consider SparseAdam instead"
    says(PAGE, "RuntimeError: " + message)
    for optimizer in (torch.optim.Adam, torch.optim.AdamW):
        embedding = _sparse_embedding_grad(torch, sparse=True)
        assert embedding.weight.grad.is_sparse
        with pytest.raises(RuntimeError) as error:
            optimizer(embedding.parameters(), lr=0.1).step()
        assert str(error.value) == message


def test_claim_sparse_adam_refuses_dense_gradients_and_weight_decay(says):
    torch = need("torch")
    message = "SparseAdam does not support dense gradients, please consider Adam instead"
    says(PAGE, f"(`{message}`)")
    says(PAGE, "It has no `weight_decay` argument.")
    embedding = _sparse_embedding_grad(torch, sparse=False)
    with pytest.raises(RuntimeError) as error:
        torch.optim.SparseAdam(embedding.parameters()).step()
    assert str(error.value) == message
    with pytest.raises(TypeError):
        torch.optim.SparseAdam(embedding.parameters(), weight_decay=0.01)


def test_claim_sparse_adam_leaves_absent_rows_m_and_v_while_dense_adam_decays_them(says):
    torch = need("torch")
    says(PAGE, "every\nother row keeps its $m$ and $v$ as they were")
    says("faq.md", "rows not\n    in the batch keep their $m$ and $v$ undecayed")
    states = {}
    for sparse in (True, False):
        torch.manual_seed(0)
        embedding = torch.nn.Embedding(6, 3, sparse=sparse)
        opt = (torch.optim.SparseAdam if sparse else torch.optim.Adam)(
            embedding.parameters(), lr=0.01)
        for rows in ([0, 2], [1], [1], [1]):  # rows 0 and 2 absent from step 2 on
            opt.zero_grad()
            embedding(torch.tensor(rows)).pow(2).sum().backward()
            opt.step()
        state = opt.state[embedding.weight]
        states[sparse] = (state["exp_avg"].to_dense(), state["exp_avg_sq"].to_dense())
    (m_lazy, v_lazy), (m_dense, v_dense) = states[True], states[False]
    assert torch.all(m_lazy[[0, 2]] != 0)
    # lazy: as after step 1; dense: decayed three times by beta1 and beta2
    torch.testing.assert_close(m_dense[[0, 2]], m_lazy[[0, 2]] * 0.9**3)
    torch.testing.assert_close(v_dense[[0, 2]], v_lazy[[0, 2]] * 0.999**3)
    assert pl.absent_row(3)["dense"] == pytest.approx((0.9**3, 0.999**3))
    assert pl.absent_row(3)["lazy"] == (1.0, 1.0)


def test_claim_to_dense_before_adam_is_the_dense_update(says):
    torch = need("torch")
    says(PAGE, "That is the dense update")
    weights = []
    for sparse in (True, False):
        embedding = _sparse_embedding_grad(torch, sparse)
        if sparse:
            embedding.weight.grad = embedding.weight.grad.to_dense()
        torch.optim.Adam(embedding.parameters(), lr=0.1).step()
        weights.append(embedding.weight.detach().clone())
    torch.testing.assert_close(weights[0], weights[1], rtol=0, atol=0)
