"""snippets/adam.py: what a reader who copies adam_step or Adam may rely on."""

from __future__ import annotations

import ast
import math
import re
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import benchmark
from snippets.adam import Adam, adam_step

ADAM_PY = Path(__file__).resolve().parents[1] / "snippets" / "adam.py"


def algorithm_1(theta0, grads, alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Algorithm 1 of Kingma & Ba (2015), line by line, one Python float at a time.

    Returns theta after every step. Written independently of snippets.adam: plain Python
    floats and math.sqrt, each line of the paper's loop in the paper's order.
    """
    theta = [float(x) for x in theta0]
    m = [0.0] * len(theta)  # initialize 1st moment vector
    v = [0.0] * len(theta)  # initialize 2nd moment vector
    path = []
    for t, g in enumerate(grads, start=1):  # t <- t + 1; g_t <- gradient
        for i, gi in enumerate(map(float, g)):
            m[i] = beta1 * m[i] + (1 - beta1) * gi
            v[i] = beta2 * v[i] + (1 - beta2) * (gi * gi)
            m_hat = m[i] / (1 - beta1**t)
            v_hat = v[i] / (1 - beta2**t)
            theta[i] = theta[i] - alpha * m_hat / (math.sqrt(v_hat) + eps)
        path.append(list(theta))
    return np.array(path)


def bound(t: int, beta1: float, beta2: float) -> float:
    """The largest |m_hat / sqrt(v_hat)| any gradients can give at step t (derived below).

    m_t = (1-b1) sum_k b1^k g_{t-k} and v_t = (1-b2) sum_k b2^k g_{t-k}^2, so by
    Cauchy-Schwarz |m_t| <= (1-b1) sqrt(sum_k (b1^2/b2)^k) sqrt(v_t / (1-b2)), with equality
    when g_{t-k} is proportional to (b1/b2)^k. Dividing by the bias corrections gives this.
    """
    gamma = beta1**2 / beta2
    series = t if gamma == 1 else (1 - gamma**t) / (1 - gamma)
    return (1 - beta1) / (1 - beta1**t) * math.sqrt(series * (1 - beta2**t) / (1 - beta2))


def run_adam(p0, grads, **options):
    """Run Adam on a copy of p0 (one array) for each gradient; return p after every step."""
    p = np.array(p0, copy=True)
    optimizer = Adam([p], **options)
    path = []
    for g in grads:
        optimizer.step([g])
        path.append(p.copy())
    return np.array(path)


def run_adam_step(p0, grads, lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Run adam_step from p0 for each gradient; return p after every step."""
    p, m, v = np.array(p0), np.zeros_like(p0), np.zeros_like(p0)
    path = []
    for t, g in enumerate(grads, start=1):
        p, m, v = adam_step(p, g, m, v, t, lr, beta1, beta2, epsilon)
        path.append(p)
    return np.array(path)


def rng_grads(seed, steps, shape, dtype=np.float64, scale=1.0):
    rng = np.random.default_rng(seed)
    return [(scale * rng.standard_normal(shape)).astype(dtype) for _ in range(steps)]


# -- exact: the paper's algorithm -------------------------------------------------------


@pytest.mark.parametrize(
    "hyper",
    [
        {},
        {"alpha": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3},
        {"alpha": 1e-4, "beta1": 0.0, "beta2": 0.0, "eps": 0.0},
    ],
)
def test_adam_step_is_algorithm_1_bit_for_bit_in_float64(hyper):
    theta0 = np.random.default_rng(1).standard_normal(12)
    grads = rng_grads(2, 60, 12, scale=3.0)
    expected = algorithm_1(theta0, grads, **hyper)
    names = {"alpha": "lr", "eps": "epsilon"}
    got = run_adam_step(theta0, grads, **{names.get(k, k): x for k, x in hyper.items()})
    np.testing.assert_array_equal(got, expected)


def test_first_step_of_the_source_posts_example():
    # By hand: m_hat = g and v_hat = g**2 at t = 1, so each parameter moves by
    # lr * g / (|g| + eps) = 0.001 * 0.1 / (0.1 + 1e-8) against its gradient.
    params, m, v = adam_step(
        np.array([1.0, 2.0]), np.array([0.1, -0.2]), np.zeros(2), np.zeros(2), 1
    )
    np.testing.assert_allclose(
        params, [1 - 0.001 * 0.1 / (0.1 + 1e-8), 2 + 0.001 * 0.2 / (0.2 + 1e-8)], rtol=0, atol=1e-15
    )
    np.testing.assert_allclose(m, [0.01, -0.02], rtol=1e-15)  # (1 - 0.9) * g
    np.testing.assert_allclose(v, [1e-5, 4e-5], rtol=1e-12)  # (1 - 0.999) * g**2


def test_Adam_matches_algorithm_1_in_float64():
    # Adam.step folds the bias corrections into alpha and eps_hat, so it rounds differently
    # from the paper's order: a few units in the last place per step, nowhere near 1e-12.
    theta0 = np.random.default_rng(3).standard_normal(12)
    grads = rng_grads(4, 200, 12)
    expected = algorithm_1(theta0, grads, alpha=0.01, beta1=0.8, beta2=0.99, eps=1e-6)
    got = run_adam(theta0, grads, lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    assert np.max(np.abs(got - expected)) <= 1e-12 * np.max(np.abs(expected))


@settings(max_examples=60, deadline=None)
@given(
    shape=st.sampled_from([(), (1,), (5,), (3, 4), (2, 3, 2)]),
    steps=st.integers(1, 12),
    lr=st.floats(1e-4, 1.0),
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.0, 0.9999),
    epsilon=st.floats(0.0, 1e-3),
    seed=st.integers(0, 2**32 - 1),
)
def test_adam_step_and_Adam_agree(shape, steps, lr, beta1, beta2, epsilon, seed):
    rng = np.random.default_rng(seed)
    p0 = rng.standard_normal(shape)
    grads = [rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3) for _ in range(steps)]
    textbook = run_adam_step(p0, grads, lr, beta1, beta2, epsilon)
    fast = run_adam(p0, grads, lr=lr, betas=(beta1, beta2), eps=epsilon)
    # Both round each step to a few ulp of its size: compare to the distance travelled.
    moves = np.abs(np.diff(textbook, axis=0, prepend=p0[None]))
    scale = np.max(np.abs(p0)) + np.max(moves.reshape(steps, -1).sum(axis=0))
    np.testing.assert_allclose(fast, textbook, rtol=0, atol=1e-13 * scale)


# -- properties of the update -----------------------------------------------------------

gradients = st.lists(
    st.floats(1e-3, 1e3).flatmap(lambda x: st.sampled_from([x, -x])), min_size=1, max_size=8
)


@settings(max_examples=100, deadline=None)
@given(g=gradients, lr=st.floats(1e-5, 1.0), p0=st.floats(-1.0, 1.0))
def test_first_step_moves_every_parameter_by_lr_against_the_gradient_sign(g, lr, p0):
    # At t = 1, m_hat = g and v_hat = g**2: the step is lr * g / (|g| + eps), which is lr
    # to within a relative eps / |g| <= 1e-5 for |g| >= 1e-3.
    g = np.array(g)
    p = np.full_like(g, p0)
    for new in (
        adam_step(p, g, np.zeros_like(g), np.zeros_like(g), 1, lr)[0],
        run_adam(p, [g], lr=lr)[0],
    ):
        moved = new - p
        assert np.all(np.sign(moved) == -np.sign(g))
        np.testing.assert_allclose(np.abs(moved), lr, rtol=1e-8 / 1e-3 + 1e-12, atol=1e-15)


@settings(max_examples=80, deadline=None)
@given(
    signs=st.lists(st.sampled_from([-1.0, 1.0]), min_size=6, max_size=6),
    exponents=st.lists(st.floats(-1, 1), min_size=6, max_size=6),
    c=st.floats(1e-2, 1e2),
    steps=st.integers(1, 10),
)
def test_update_is_invariant_to_scaling_all_gradients_by_c(signs, exponents, c, steps):
    # m_hat scales by c and sqrt(v_hat) by c, so m_hat / sqrt(v_hat) does not change; only
    # eps breaks the tie, by a relative eps / (c |g|) <= 1e-8 / 1e-3 per step.
    rng = np.random.default_rng(len(signs) * steps)
    base = np.array(signs) * 10.0 ** np.array(exponents)  # |g| in [0.1, 10]
    grads = [base * rng.uniform(0.5, 2.0, base.shape) for _ in range(steps)]
    lr = 0.01
    plain = run_adam(np.zeros(6), grads, lr=lr)
    scaled = run_adam(np.zeros(6), [c * g for g in grads], lr=lr)
    np.testing.assert_allclose(
        scaled, plain, rtol=0, atol=steps * lr * bound(steps, 0.9, 0.999) * 1e-4
    )


def test_scaling_gradients_by_a_power_of_two_changes_nothing_bit_for_bit():
    # With eps = 0 every operation commutes exactly with multiplying by 2**k.
    grads = rng_grads(5, 50, 10)
    plain = run_adam(np.ones(10), grads, eps=0.0)
    for k in (-20, -3, 7, 30):
        np.testing.assert_array_equal(
            run_adam(np.ones(10), [g * 2.0**k for g in grads], eps=0.0), plain
        )


@settings(max_examples=100, deadline=None)
@given(
    beta1=st.floats(0.0, 0.99),
    beta2=st.floats(0.5, 0.9999),
    log_sizes=st.lists(st.floats(-6, 6), min_size=1, max_size=30),
    amsgrad=st.booleans(),
)
def test_every_step_obeys_the_exact_bound(beta1, beta2, log_sizes, amsgrad):
    # |step| <= lr * bound(t): see bound(); eps and AMSGrad's max(v) only make it smaller.
    lr = 0.01
    p = np.zeros(2)
    optimizer = Adam([p], lr=lr, betas=(beta1, beta2), amsgrad=amsgrad)
    for t, s in enumerate(log_sizes, start=1):
        before = p.copy()
        optimizer.step([np.array([10.0**s, -(10.0**-s)])])
        assert np.all(np.abs(p - before) <= lr * bound(t, beta1, beta2) * (1 + 1e-9) + 1e-15)


def test_exact_bound_is_reached_by_gradients_growing_by_beta2_over_beta1():
    beta1, beta2, lr, t = 0.9, 0.999, 0.01, 50
    grads = [np.array([(beta2 / beta1) ** k]) for k in range(1, t + 1)]
    path = run_adam(np.zeros(1), grads, lr=lr)
    step = abs(path[-1, 0] - path[-2, 0])
    assert step == pytest.approx(lr * bound(t, beta1, beta2), rel=1e-6)


def test_papers_bound_holds_at_the_first_step_and_for_default_betas_up_to_200_steps():
    # The paper: |step| <= lr * max(1, (1 - beta1) / sqrt(1 - beta2)). Through bound():
    paper = max(1, 0.1 / math.sqrt(0.001))
    assert all(bound(t, 0.9, 0.999) <= paper for t in range(1, 201))
    assert all(bound(1, b1, b2) == pytest.approx(1) for b1 in (0, 0.5, 0.9) for b2 in (0.5, 0.999))


def test_papers_bound_is_exceeded_by_gradients_growing_by_beta2_over_beta1():
    # The paper calls its bound an upper bound; gradients that grow by beta2 / beta1 per
    # step (1.11x) beat it after about 250 steps with the default betas.
    beta1, beta2, lr, t = 0.9, 0.999, 0.01, 400
    grads = [np.array([(beta2 / beta1) ** k]) for k in range(1, t + 1)]
    path = run_adam(np.zeros(1), grads, lr=lr)
    assert abs(path[-1, 0] - path[-2, 0]) > 1.1 * lr * (1 - beta1) / math.sqrt(1 - beta2)


# -- pure, in place, fast ---------------------------------------------------------------


def test_adam_step_never_changes_its_inputs_and_returns_new_arrays():
    p, g, m, v = (np.random.default_rng(i).standard_normal(5) for i in range(4))
    v = np.abs(v)
    copies = [a.copy() for a in (p, g, m, v)]
    out = adam_step(p, g, m, v, 3)
    for a, c in zip((p, g, m, v), copies, strict=True):
        np.testing.assert_array_equal(a, c)
    assert not any(np.shares_memory(o, a) for o in out for a in (p, g, m, v))


def test_step_updates_the_callers_arrays_in_place():
    p = np.ones((3, 4))
    address = p.ctypes.data
    optimizer = Adam([p])
    optimizer.step([np.ones((3, 4))])
    assert optimizer.params[0] is p and p.ctypes.data == address
    np.testing.assert_allclose(p, 1 - 0.001 / (1 + 1e-8))


def test_step_allocates_no_parameter_sized_temporary():
    n = 2_000_000  # 16 MB of float64 per array
    p = np.zeros(n)
    g = np.random.default_rng(0).standard_normal(n)
    optimizer = Adam([p])
    optimizer.step([g])  # the first step makes the two block-sized scratch arrays
    tracemalloc.start()
    try:
        optimizer.step([g])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * Adam.block_bytes + 100_000 < p.nbytes / 10


def test_blocks_give_the_same_result_as_one_block():
    shapes = [(), (7,), (33, 5), (250,)]
    rng = np.random.default_rng(6)
    p0 = [rng.standard_normal(s) for s in shapes]
    grads = [[rng.standard_normal(s) for s in shapes] for _ in range(20)]
    results = []
    for block_bytes in (8, 24, 800, 10**9):  # 1, 3, 100 elements, everything at once
        params = [a.copy() for a in p0]
        optimizer = Adam(params, lr=0.1, weight_decay=0.1, amsgrad=True, maximize=True)
        optimizer.block_bytes = block_bytes
        for gs in grads:
            optimizer.step(gs)
        results.append(params)
    for params in results[1:]:
        for a, b in zip(params, results[0], strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_strided_gradient_gives_the_same_step_as_a_contiguous_one():
    g = np.random.default_rng(11).standard_normal((40, 30))
    a, b = np.ones((30, 40)), np.ones((30, 40))
    Adam([a], lr=0.1).step([g.T])  # a transposed view: not C-contiguous
    Adam([b], lr=0.1).step([np.ascontiguousarray(g.T)])
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_without_upcasting(dtype):
    p = np.ones(5, dtype)
    optimizer = Adam([p], amsgrad=True, weight_decay=0.1)
    optimizer.step([np.ones(5, dtype)])
    assert p.dtype == dtype
    assert all(a[0].dtype == dtype for a in (optimizer.m, optimizer.v, optimizer.v_max))
    p, m, v = adam_step(
        np.ones(5, dtype), np.ones(5, dtype), np.zeros(5, dtype), np.zeros(5, dtype), 1
    )
    assert p.dtype == m.dtype == v.dtype == dtype


def test_float32_matches_float64_to_float32_rounding():
    # Each step rounds p to float32 (relative 6e-8) and its few operations round the step;
    # over 100 steps such errors add up to well under 1e-5 of the parameters' scale.
    grads32 = rng_grads(7, 100, 50, np.float32)
    p32 = np.random.default_rng(8).standard_normal(50).astype(np.float32)
    path32 = run_adam(p32, grads32, lr=0.01)
    path64 = run_adam(p32.astype(np.float64), [g.astype(np.float64) for g in grads32], lr=0.01)
    assert np.max(np.abs(path32 - path64)) <= 1e-5 * np.max(np.abs(path64))


# -- PyTorch's options, by hand ---------------------------------------------------------


def test_weight_decay_adds_weight_decay_times_p_to_the_gradient():
    # L2: Adam on g sees g + wd * p, the same as Adam fed that gradient directly.
    p0, g = np.array([2.0, -3.0]), np.array([0.5, 0.25])
    with_decay = run_adam(p0, [g], lr=0.1, weight_decay=0.2)
    by_hand = run_adam(p0, [g + 0.2 * p0], lr=0.1)
    np.testing.assert_array_equal(with_decay, by_hand)


def test_decoupled_weight_decay_shrinks_p_by_lr_times_weight_decay_first():
    # AdamW: p <- p * (1 - lr * wd), then the plain Adam step (lr here, at t = 1).
    p0, g = np.array([2.0, -3.0]), np.array([0.5, 0.25])
    got = run_adam(p0, [g], lr=0.1, weight_decay=0.2, decoupled_weight_decay=True)[0]
    np.testing.assert_allclose(got, p0 * (1 - 0.1 * 0.2) - 0.1 * np.sign(g), rtol=1e-7)


def test_maximize_climbs_the_gradient():
    grads = rng_grads(9, 30, 4)
    up = run_adam(np.zeros(4), grads, maximize=True)
    down = run_adam(np.zeros(4), [-g for g in grads])
    np.testing.assert_array_equal(up, down)


def test_amsgrad_divides_by_the_largest_v_so_far():
    # A large gradient, then small ones: v shrinks, max(v) does not. At t = 2 with g = 0:
    # m = 0.09 G, max(v) = v_1 = 0.001 G**2, so the step is
    # lr * (0.09 / 0.19) / (sqrt(0.001 / 0.001999)) against G (eps negligible).
    G, lr = 4.0, 0.01
    path = run_adam(np.zeros(1), [np.array([G]), np.array([0.0])], lr=lr, amsgrad=True)
    expected = lr * (0.09 / 0.19) / math.sqrt(0.001 / (1 - 0.999**2))
    assert path[0, 0] - path[1, 0] == pytest.approx(expected, rel=1e-7)


# -- state_dict -------------------------------------------------------------------------


@pytest.mark.parametrize("amsgrad", [False, True])
def test_state_dict_resumes_training_exactly(amsgrad):
    shapes = [(3, 2), (5,)]
    rng = np.random.default_rng(10)
    grads = [[rng.standard_normal(s) for s in shapes] for _ in range(20)]
    params = [np.ones(s) for s in shapes]
    optimizer = Adam(params, lr=0.05, weight_decay=0.01, amsgrad=amsgrad)
    for gs in grads[:10]:
        optimizer.step(gs)
    saved_params, saved_state = [p.copy() for p in params], optimizer.state_dict()
    for gs in grads[10:]:
        optimizer.step(gs)

    resumed_params = [p.copy() for p in saved_params]
    resumed = Adam(resumed_params, amsgrad=amsgrad)  # hyperparameters come from the state
    resumed.load_state_dict(saved_state)
    assert resumed.lr == 0.05 and resumed.weight_decay == 0.01 and resumed.t == 10
    for gs in grads[10:]:
        resumed.step(gs)
    for a, b in zip(resumed_params, params, strict=True):
        np.testing.assert_array_equal(a, b)


def test_state_dict_is_a_copy_that_later_steps_leave_alone():
    p = np.ones(3)
    optimizer = Adam([p])
    optimizer.step([np.ones(3)])
    state = optimizer.state_dict()
    m = state["m"][0].copy()
    optimizer.step([np.ones(3)])
    np.testing.assert_array_equal(state["m"][0], m)
    assert state["t"] == 1


def test_load_state_dict_copies_so_the_saved_state_stays_as_saved():
    optimizer = Adam([np.ones(3)], amsgrad=True)
    optimizer.step([np.ones(3)])
    state = optimizer.state_dict()
    saved = {k: [a.copy() for a in state[k]] for k in ("m", "v", "v_max")}
    optimizer.load_state_dict(state)
    optimizer.step([np.full(3, 5.0)])
    for k in saved:
        np.testing.assert_array_equal(state[k][0], saved[k][0])


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda s: s.pop("v"), ValueError, "keys"),
        (lambda s: s.update(m=[np.zeros(4)]), ValueError, r"state\['m'\]\[0\] has shape"),
        (
            lambda s: s.update(v=[np.zeros(3, np.float32)]),
            TypeError,
            r"state\['v'\]\[0\] has dtype",
        ),
        (
            lambda s: s.update(v=[-np.ones(3)]),
            ValueError,
            r"state\['v'\]\[0\] must be finite and >= 0",
        ),
        (
            lambda s: s.update(m=[np.full(3, np.nan)]),
            ValueError,
            r"state\['m'\]\[0\] must be finite",
        ),
        (lambda s: s.update(m=[]), ValueError, r"state\['m'\] must be a list of 1"),
        (lambda s: s.update(t=-1), ValueError, r"state\['t'\]"),
        (lambda s: s.update(lr=-1.0), ValueError, "lr must be"),
        (lambda s: s.update(amsgrad=True), ValueError, "v_max"),
    ],
)
def test_load_state_dict_rejects_a_state_that_does_not_fit(change, error, match):
    optimizer = Adam([np.ones(3)])
    optimizer.step([np.ones(3)])
    state = optimizer.state_dict()
    before = optimizer.state_dict()
    change(state)
    with pytest.raises(error, match=match):
        optimizer.load_state_dict(state)
    assert optimizer.t == before["t"]
    np.testing.assert_array_equal(optimizer.m[0], before["m"][0])


# -- bad input: a clear error, never a silent NaN ---------------------------------------


def step_args(**changes):
    args = {"params": np.ones(3), "grads": np.ones(3), "m": np.zeros(3), "v": np.zeros(3), "t": 1}
    return {**args, **changes}


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"t": 0}, ValueError, r"t must be >= 1.*counts steps from 1"),
        ({"t": -3}, ValueError, r"t must be >= 1"),
        ({"t": 1.0}, TypeError, r"t must be an integer"),
        ({"t": True}, TypeError, r"t must be an integer"),
        ({"grads": np.ones(4)}, ValueError, r"grads has shape \(4,\) but params has shape \(3,\)"),
        ({"m": np.zeros((3, 1))}, ValueError, r"m has shape \(3, 1\) but params"),
        ({"v": np.zeros(2)}, ValueError, r"v has shape \(2,\) but params"),
        ({"lr": -0.1}, ValueError, r"lr must be finite and >= 0, e\.g\. 1e-3"),
        ({"lr": float("nan")}, ValueError, r"lr must be"),
        ({"lr": float("inf")}, ValueError, r"lr must be"),
        ({"lr": "0.1"}, TypeError, r"lr must be a number"),
        ({"beta1": 1.0}, ValueError, r"beta1 must be in \[0, 1\)"),
        ({"beta1": -0.1}, ValueError, r"beta1 must be in \[0, 1\)"),
        ({"beta2": 1.5}, ValueError, r"beta2 must be in \[0, 1\)"),
        ({"beta2": float("nan")}, ValueError, r"beta2 must be in \[0, 1\)"),
        ({"epsilon": -1e-8}, ValueError, r"epsilon must be finite and >= 0"),
        ({"params": np.ones(3, int)}, TypeError, r"params has dtype int64.*np\.asarray"),
        ({"grads": np.ones(3, int)}, TypeError, r"grads has dtype int64"),
        ({"grads": np.ones(3, np.float32)}, TypeError, r"grads has dtype float32 .*astype"),
        ({"m": np.zeros(3, complex)}, TypeError, r"m has dtype complex128"),
        ({"grads": np.array([1.0, np.nan, 1.0])}, ValueError, r"grads holds nan at index \(1,\)"),
        ({"grads": np.array([1.0, 1.0, np.inf])}, ValueError, r"grads holds inf at index \(2,\)"),
    ],
)
def test_adam_step_rejects_bad_input_naming_the_argument(changes, error, match):
    with pytest.raises(error, match=match):
        adam_step(**step_args(**changes))


def test_the_source_posts_t_0_gives_nan_and_adam_step_an_error():
    p, g, m, v, t = np.ones(2), np.ones(2), np.zeros(2), np.zeros(2), 0
    with np.errstate(divide="ignore", invalid="ignore"):  # the post's lines, at t = 0:
        m_hat = (0.9 * m + 0.1 * g) / (1 - 0.9**t)  # 0.1 / 0 = inf
        v_hat = (0.999 * v + 0.001 * g**2) / (1 - 0.999**t)  # inf
        new = p - 0.001 * m_hat / (np.sqrt(v_hat) + 1e-8)  # inf / inf = NaN
    assert np.isnan(new).all()
    with pytest.raises(ValueError, match="t must be >= 1"):
        adam_step(p, g, m, v, t)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: Adam(np.ones(3)), TypeError, r"params must be a list of arrays.*\[params\]"),
        (lambda: Adam([]), ValueError, r"params is empty"),
        (lambda: Adam(3.0), TypeError, r"params must be a list"),
        (lambda: Adam([[1.0, 2.0]]), TypeError, r"params\[0\] is a list.*np\.asarray"),
        (lambda: Adam([np.ones(2), np.ones(2, int)]), TypeError, r"params\[1\] has dtype int64"),
        (lambda: Adam([np.ones((4, 4))[:, 0]]), ValueError, r"params\[0\] is not C-contiguous"),
        (lambda: Adam([np.broadcast_to(1.0, (3,))]), ValueError, r"params\[0\] is read-only"),
        (lambda: Adam([np.ones(2)], lr=-1), ValueError, r"lr must be finite and >= 0"),
        (lambda: Adam([np.ones(2)], betas=(0.9, 1.0)), ValueError, r"beta2 must be in \[0, 1\)"),
        (lambda: Adam([np.ones(2)], betas=0.9), TypeError, r"betas must be a pair"),
        (lambda: Adam([np.ones(2)], eps=-1.0), ValueError, r"eps must be finite and >= 0"),
        (lambda: Adam([np.ones(2)], weight_decay=-0.1), ValueError, r"weight_decay must be"),
        (lambda: Adam([np.ones(2)], amsgrad=1), TypeError, r"amsgrad must be True or False"),
        (lambda: Adam([np.ones(2)], maximize="no"), TypeError, r"maximize must be True or False"),
    ],
)
def test_Adam_rejects_bad_arguments_naming_them(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    ("grads", "error", "match"),
    [
        ([np.ones(2)], ValueError, r"grads has 1 arrays but there are 2 params"),
        ([np.ones(2), np.ones(3), np.ones(1)], ValueError, r"grads has 3 arrays but there are 2"),
        (np.ones(2), TypeError, r"grads must be a list"),
        ([np.ones(2), np.ones(4)], ValueError, r"grads\[1\] has shape \(4,\) but params\[1\]"),
        ([np.ones(2), np.ones(3, np.float32)], TypeError, r"grads\[1\] has dtype float32"),
        ([np.ones(2), np.ones(3, int)], TypeError, r"grads\[1\] has dtype int64"),
        ([np.ones(2), np.array([0.0, -np.inf, 0.0])], ValueError, r"grads\[1\] holds -inf"),
    ],
)
def test_step_rejects_bad_grads_naming_them(grads, error, match):
    optimizer = Adam([np.ones(2), np.ones(3)])
    with pytest.raises(error, match=match):
        optimizer.step(grads)


def test_a_schedule_may_change_lr_and_a_bad_value_is_caught_at_the_next_step():
    p = np.zeros(1)
    optimizer = Adam([p], lr=0.1)
    optimizer.lr = 0.5
    optimizer.step([np.ones(1)])
    assert p[0] == pytest.approx(-0.5)
    optimizer.lr = -0.5
    with pytest.raises(ValueError, match="lr must be"):
        optimizer.step([np.ones(1)])


def test_nan_gradient_raises_and_changes_nothing_like_a_skipped_step():
    params = [np.ones(3), np.ones(2, np.float32)]
    optimizer = Adam(params, amsgrad=True)
    optimizer.step([np.ones(3), np.ones(2, np.float32)])
    before = optimizer.state_dict()
    kept = [p.copy() for p in params]
    with pytest.raises(ValueError, match=r"grads\[1\] holds nan.*step was not taken.*GradScaler"):
        optimizer.step([np.full(3, 2.0), np.array([1.0, np.nan], np.float32)])
    for p, k in zip(params, kept, strict=True):
        np.testing.assert_array_equal(p, k)  # params[0] too: checked before any update
    assert optimizer.t == before["t"]
    for name in ("m", "v", "v_max"):
        for a, b in zip(getattr(optimizer, name), before[name], strict=True):
            np.testing.assert_array_equal(a, b)
    optimizer.step([np.ones(3), np.ones(2, np.float32)])  # and training goes on
    assert optimizer.t == 2


def test_huge_finite_gradients_are_not_mistaken_for_inf():
    # 1e19**2 fits in float32 but the sum of such squares overflows: still finite input.
    p = np.zeros(100, np.float32)
    Adam([p], lr=0.5).step([np.full(100, 1e19, np.float32)])
    np.testing.assert_allclose(p, -0.5, rtol=1e-6)


# -- the file a reader downloads --------------------------------------------------------


def test_adam_py_stands_alone_with_numpy_and_the_standard_library(tmp_path):
    copy = tmp_path / "adam.py"
    shutil.copy(ADAM_PY, copy)
    code = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("adam", {str(copy)!r})
adam = importlib.util.module_from_spec(spec)
spec.loader.exec_module(adam)
import numpy as np
p = np.zeros(3)
adam.Adam([p], lr=0.5).step([np.array([1.0, -2.0, 3.0])])
new, m, v = adam.adam_step(np.zeros(3), np.ones(3), np.zeros(3), np.zeros(3), 1, lr=0.5)
assert np.allclose(p, [-0.5, 0.5, -0.5]) and np.allclose(new, -0.5), (p, new)
assert not [name for name in sys.modules if name.startswith("snippets")]
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
    ran = subprocess.run(
        [sys.executable, "-I", str(copy)], cwd=tmp_path, capture_output=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr


def test_adam_py_imports_only_numpy_and_the_standard_library():
    tree = ast.parse(ADAM_PY.read_text())
    imported = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported - set(sys.stdlib_module_names) == {"numpy"}


def test_adam_py_carries_its_mit_licence():
    head = ADAM_PY.read_text().splitlines()[:4]
    assert head[0] == "# SPDX-License-Identifier: MIT"
    assert re.fullmatch(r"# Copyright \(c\) \d{4} Adam, Layer by Layer contributors", head[1])
    assert "Permission is hereby granted, free of charge" in ADAM_PY.read_text()


# -- sections the pages include ---------------------------------------------------------


def sections(path: Path) -> dict[str, str]:
    """Return name -> code of the `# --8<-- [start:name]` ... `[end:name]` sections of a file."""
    found, open_name, lines = {}, None, []
    for line in path.read_text().splitlines():
        marker = re.fullmatch(r"\s*# --8<-- \[(start|end):(\w+)\]", line)
        if marker and marker[1] == "start":
            assert open_name is None, (
                f"{marker[2]} starts inside {open_name}: sections may not nest"
            )
            assert marker[2] not in found, f"two sections named {marker[2]}"
            open_name, lines = marker[2], []
        elif marker:
            assert marker[2] == open_name, f"end:{marker[2]} closes {open_name}"
            found[open_name], open_name = "\n".join(lines), None
        elif open_name:
            lines.append(line)
    assert open_name is None, f"{open_name} never ends"
    return found


def test_adam_py_sections_run_in_page_order_after_setup():
    code = sections(ADAM_PY)
    assert list(code) == ["setup", "checks", "adam_step", "Adam"]
    namespace = {}
    for name in code:
        exec(compile(code[name], f"adam.py[{name}]", "exec"), namespace)
    p = np.zeros(2)
    namespace["Adam"]([p], lr=0.5).step([np.array([1.0, -1.0])])
    np.testing.assert_allclose(p, [-0.5, 0.5])
    assert namespace["adam_step"](np.zeros(1), np.ones(1), np.zeros(1), np.zeros(1), 1)[0] < 0


# -- the benchmark of /adam/ ------------------------------------------------------------


def test_benchmark_contenders_each_take_a_real_adam_step():
    steps = benchmark.contenders(1000, with_torch=False)
    assert list(steps) == ["textbook adam_step", "Adam.step"]
    params, m, v = steps["textbook adam_step"]()
    assert params.shape == (1000,) and params.dtype == np.float32
    assert benchmark.best_time(steps["Adam.step"], budget=0.01) > 0


def test_benchmark_prints_a_ratio_to_the_bandwidth_bound_and_to_the_textbook(capsys):
    rows = benchmark.main(sizes=(1000,), bandwidth_elements=1_000_000, with_torch=False)
    out = capsys.readouterr().out
    assert [name for _, name, _ in rows] == ["textbook adam_step", "Adam.step"]
    assert re.search(r"memory bandwidth, one thread: [\d.]+ GB/s", out)
    assert re.search(r"1e\+03\s+Adam\.step\s+[\d.]+ ms\s+[\d.]+\s+[\d.]+", out)
