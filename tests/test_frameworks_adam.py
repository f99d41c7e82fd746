"""snippets.adam.Adam against torch.optim.Adam/AdamW and optax.adam/adamw, option by option.

Needs the packages of requirements-frameworks.txt (``make frameworks``); each test is
skipped, saying which package is missing, where they are not installed.

What "the same" means: in float64, within 1e-12 of the largest parameter of each array
after 1000 steps of random gradients (element-wise relative error means nothing where a
parameter crosses zero). In float32, each library's error is measured against a float64
run of the same library on the same (float32) numbers, pooled over all parameters: ours
may be at most twice PyTorch's or Optax's own error, plus 4 units in the last place.

Known differences, each shown by a test below:
- optax.adamw multiplies weight_decay by the learning rate, as torch.optim.AdamW does (no
  difference in scaling); only the defaults differ (1e-4 in Optax, 1e-2 in PyTorch), and
  optax.adam has no L2 option: chain optax.add_decayed_weights before it for that.
- optax.amsgrad keeps the maximum of the bias-corrected v_hat; PyTorch (and this Adam)
  keep the maximum of v and then correct it.
"""

from __future__ import annotations

import numpy as np
import pytest
from need import need

from snippets.adam import Adam
from snippets.optimizers import SGD, AdaGrad, HeavyBall, RMSProp

pytestmark = pytest.mark.frameworks

STEPS = 1000
SHAPES = [(7, 5), (17_000,), ()]  # 17,000 float64 are more than one 128 KiB block
LR, BETAS, EPS = 1e-2, (0.85, 0.995), 1e-6  # not the defaults, so a mix-up shows
OPTIONS = {
    "plain": {},
    "amsgrad": {"amsgrad": True},
    "maximize": {"maximize": True},
    "l2": {"weight_decay": 0.1},
    "adamw": {"weight_decay": 0.1, "decoupled_weight_decay": True},
    "l2+amsgrad+maximize": {"weight_decay": 0.1, "amsgrad": True, "maximize": True},
    "adamw+amsgrad+maximize": {
        "weight_decay": 0.1,
        "decoupled_weight_decay": True,
        "amsgrad": True,
        "maximize": True,
    },
}


@pytest.fixture(scope="module")
def problem():
    """Start values and 1000 steps of gradients, all exactly representable in float32."""
    rng = np.random.default_rng(2024)
    p0 = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(STEPS)]
    return p0, grads


@pytest.fixture(scope="module")
def torch():
    torch = need("torch")
    torch.set_num_threads(1)
    return torch


@pytest.fixture(scope="module")
def jax_optax():
    jax = need("jax")
    optax = need("optax")
    jax.config.update("jax_enable_x64", True)  # else JAX computes float64 input in float32
    return jax, optax


def run_ours(problem, dtype, make=Adam, **options):
    p0, grads = problem
    params = [a.astype(dtype) for a in p0]
    optimizer = make(params, **options)
    for gs in grads:
        optimizer.step([g.astype(dtype) for g in gs])
    return params


def run_torch(torch, problem, dtype, make, **options):
    p0, grads = problem
    params = [torch.tensor(a.astype(dtype), requires_grad=True) for a in p0]
    optimizer = make(params, **options)
    for gs in grads:
        for p, g in zip(params, gs, strict=True):
            p.grad = torch.tensor(g.astype(dtype))
        optimizer.step()
    return [p.detach().numpy() for p in params]


def run_optax(jax_optax, problem, dtype, transform, negate=False):
    jax, optax = jax_optax
    p0, grads = problem
    params = [jax.numpy.asarray(a.astype(dtype)) for a in p0]
    state = transform.init(params)

    @jax.jit
    def step(params, state, grads):
        updates, state = transform.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    for gs in grads:
        params, state = step(
            params, state, [jax.numpy.asarray((-g if negate else g).astype(dtype)) for g in gs]
        )
    return [np.asarray(p) for p in params]


def assert_same_in_float64(ours, theirs):
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == b.dtype == np.float64
        assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(b))


def assert_as_accurate_in_float32(ours, theirs, reference):
    """Ours is as close to the float64 reference as theirs is, and as close to theirs.

    Errors are pooled over all parameters, each relative to the scale of its array: the
    max over 17,036 elements is a steady statistic, the error of one scalar is not.
    """
    assert all(a.dtype == b.dtype == np.float32 for a, b in zip(ours, theirs, strict=True))

    def error(xs, ys):
        return max(
            np.max(np.abs(x - y)) / np.max(np.abs(r))
            for x, y, r in zip(xs, ys, reference, strict=True)
        )

    their_error = error(theirs, reference)
    assert their_error < 1e-4  # float32 rounding, not a different algorithm
    allowed = 2 * their_error + 4 * np.finfo(np.float32).eps
    assert error(ours, reference) <= allowed
    assert error(ours, theirs) <= allowed


def torch_adam(torch, options):
    """torch.optim.AdamW for decoupled weight decay, torch.optim.Adam otherwise."""
    options = dict(options, lr=LR, betas=BETAS, eps=EPS)
    if options.pop("decoupled_weight_decay", False):
        return lambda params: torch.optim.AdamW(params, **options)
    return lambda params: torch.optim.Adam(params, **options)


# -- PyTorch ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", OPTIONS)
def test_matches_torch_adam_in_float64(torch, problem, name):
    ours = run_ours(problem, np.float64, lr=LR, betas=BETAS, eps=EPS, **OPTIONS[name])
    assert_same_in_float64(
        ours, run_torch(torch, problem, np.float64, torch_adam(torch, OPTIONS[name]))
    )


@pytest.mark.parametrize("name", OPTIONS)
def test_matches_torch_adam_in_float32_to_its_rounding(torch, problem, name):
    make = torch_adam(torch, OPTIONS[name])
    ours = run_ours(problem, np.float32, lr=LR, betas=BETAS, eps=EPS, **OPTIONS[name])
    theirs = run_torch(torch, problem, np.float32, make)
    assert_as_accurate_in_float32(ours, theirs, run_torch(torch, problem, np.float64, make))


def test_matches_torch_adam_with_its_defaults_and_flags_spelled_as_torch_spells_them(
    torch, problem
):
    ours = run_ours(problem, np.float64, weight_decay=0.01, decoupled_weight_decay=True)
    make = lambda params: torch.optim.Adam(params, weight_decay=0.01, decoupled_weight_decay=True)  # noqa: E731
    assert_same_in_float64(ours, run_torch(torch, problem, np.float64, make))


def test_matches_torch_fused_adam_in_float64(torch, problem):
    make = lambda params: torch.optim.Adam(params, lr=LR, betas=BETAS, eps=EPS, fused=True)  # noqa: E731
    assert_same_in_float64(
        run_ours(problem, np.float64, lr=LR, betas=BETAS, eps=EPS),
        run_torch(torch, problem, np.float64, make),
    )


@pytest.mark.parametrize(
    ("ours", "theirs", "options"),
    [
        (SGD, "SGD", {"lr": 0.01}),
        (HeavyBall, "SGD", {"lr": 0.01, "momentum": 0.8}),
        (RMSProp, "RMSprop", {"lr": 0.001, "alpha": 0.95, "eps": 1e-6}),
        (AdaGrad, "Adagrad", {"lr": 0.05, "eps": 1e-8}),
    ],
)
def test_other_optimizers_match_torch_in_float64(torch, problem, ours, theirs, options):
    mine = run_ours(problem, np.float64, ours, **options)
    make = lambda params: getattr(torch.optim, theirs)(params, **options)  # noqa: E731
    assert_same_in_float64(mine, run_torch(torch, problem, np.float64, make))


# -- Optax ------------------------------------------------------------------------------


def optax_transforms(optax):
    """name -> the Optax transform that computes what Adam(**OPTIONS[name]) computes."""
    adam = optax.adam(LR, b1=BETAS[0], b2=BETAS[1], eps=EPS)
    return {
        "plain": (adam, False),
        "maximize": (adam, True),  # Optax has no maximize: climb by negating the gradient
        "l2": (optax.chain(optax.add_decayed_weights(0.1), adam), False),
        "adamw": (optax.adamw(LR, b1=BETAS[0], b2=BETAS[1], eps=EPS, weight_decay=0.1), False),
    }


@pytest.mark.parametrize("name", ["plain", "maximize", "l2", "adamw"])
def test_matches_optax_in_float64(jax_optax, problem, name):
    transform, negate = optax_transforms(jax_optax[1])[name]
    ours = run_ours(problem, np.float64, lr=LR, betas=BETAS, eps=EPS, **OPTIONS[name])
    assert_same_in_float64(ours, run_optax(jax_optax, problem, np.float64, transform, negate))


@pytest.mark.parametrize("name", ["plain", "l2", "adamw"])
def test_matches_optax_in_float32_to_its_rounding(jax_optax, problem, name):
    transform, negate = optax_transforms(jax_optax[1])[name]
    ours = run_ours(problem, np.float32, lr=LR, betas=BETAS, eps=EPS, **OPTIONS[name])
    theirs = run_optax(jax_optax, problem, np.float32, transform, negate)
    reference = run_optax(jax_optax, problem, np.float64, transform, negate)
    assert_as_accurate_in_float32(ours, theirs, reference)


def test_optax_adamw_scales_weight_decay_by_the_learning_rate_as_torch_does(jax_optax):
    # One step from p = 2 with g = 0: the Adam part is 0, so only the decay moves p.
    jax, optax = jax_optax
    p = [jax.numpy.asarray(np.array([2.0]))]
    adamw = optax.adamw(0.1, weight_decay=0.5)
    updates, _ = adamw.update([jax.numpy.zeros(1)], adamw.init(p), p)
    ours = np.array([2.0])
    Adam([ours], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True).step([np.zeros(1)])
    np.testing.assert_allclose(2.0 + np.asarray(updates[0]), 2.0 * (1 - 0.1 * 0.5), rtol=1e-15)
    np.testing.assert_allclose(ours, 2.0 * (1 - 0.1 * 0.5), rtol=1e-15)


def test_optax_amsgrad_differs_it_keeps_the_max_of_v_hat_not_of_v(jax_optax, torch):
    # A large gradient, then 0: PyTorch's max(v) / (1 - beta2**2) halves the first
    # denominator at t = 2; Optax's max(v_hat) keeps it, so Optax steps about 1.4x less.
    grads = [[np.array([4.0], np.float32)], [np.array([0.0], np.float32)]]
    problem = ([np.zeros(1, np.float32)], grads)
    ours = run_ours(problem, np.float64, lr=0.1, amsgrad=True)
    mine_vs_torch = run_torch(
        torch, problem, np.float64, lambda ps: torch.optim.Adam(ps, lr=0.1, amsgrad=True)
    )
    assert_same_in_float64(ours, mine_vs_torch)
    theirs = run_optax(jax_optax, problem, np.float64, jax_optax[1].amsgrad(0.1))
    first_step = 0.1  # both: lr against the sign at t = 1
    ratio = (ours[0][0] + first_step) / (theirs[0][0] + first_step)
    # PyTorch divides by sqrt(v_1 / (1 - beta2**2)), Optax by sqrt(v_1 / (1 - beta2)):
    assert ratio == pytest.approx(np.sqrt((1 - 0.999**2) / (1 - 0.999)), rel=1e-6)
