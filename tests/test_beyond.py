"""The optimizers of /beyond/ (snippets/beyond.py), checked against the frameworks that ship them.

Each comparison runs our NumPy class and the framework on the same random gradients (several
shapes, float64 unless the framework computes in another precision, 500+ steps) and compares
the parameters at the end. Tolerances: in float64 the two compute the same formula with the
operations in a different order, so each step differs by a few units of 2^-52; over 500 steps
those rounding errors add up to about 1e-12 of the weights' size, and we allow 1e-10
(relative). A wrong formula (a missed factor, an off-by-one step count) is off by 1e-3 or
more. In float32 (Muon's and Adafactor's extra runs) the weights round differently at each
step: one float32 unit (2^-24 relative) per step. Muon is compared at bfloat16 precision,
since torch.optim.Muon orthogonalises in bfloat16 (see its test). Where a framework differs
from its paper or from another framework, a test pins the difference and the class's
docstring states it.

Compiling dominates the cost of the Optax and Keras runs: each framework's runs are compiled
together into one loop (the module fixtures optax_runs and keras_runs).
"""

from __future__ import annotations

import inspect
import math
import os

import numpy as np
import pytest
from need import need

from snippets import beyond
from snippets.beyond import Lion

frameworks = pytest.mark.frameworks
STEPS = 500
RTOL = 1e-10  # float64: rounding only (see the module docstring)
SHAPES = [(3, 4), (5,)]  # a matrix and a vector (small: compiling dominates)


def gradients(shapes, steps=STEPS, seed=0, scale=1.0):
    """steps lists of float64 gradients, one per shape, from a fixed seed."""
    rng = np.random.default_rng(seed)
    return [[scale * rng.standard_normal(s) for s in shapes] for _ in range(steps)]


def starts(shapes, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def run_ours(make, shapes, grads, seed=1):
    params = starts(shapes, seed)
    optimizer = make(params)
    for gs in grads:
        optimizer.step(gs)
    return params


def assert_close(ours, theirs, rtol=RTOL):
    for a, b in zip(ours, theirs, strict=True):
        b = np.asarray(b, dtype=np.float64)
        assert a.shape == b.shape
        assert np.max(np.abs(a - b)) <= rtol * max(1.0, np.max(np.abs(a))), np.max(np.abs(a - b))


def assert_differ(ours, theirs, at_least=1e-4):
    gap = max(np.max(np.abs(a - np.asarray(b))) for a, b in zip(ours, theirs, strict=True))
    assert gap > at_least, gap


# -- Frameworks, imported once per module ---------------------------------------------------


@pytest.fixture(scope="module")
def torch():
    torch = need("torch")
    torch.set_num_threads(1)
    return torch


@pytest.fixture(scope="module")
def jax_optax():
    jax = need("jax")
    optax = need("optax")
    need("optax.contrib")
    jax.config.update("jax_enable_x64", True)  # else JAX computes float64 input in float32
    return jax, optax


@pytest.fixture(scope="module")
def keras(jax_optax):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = need("keras")
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend than JAX before this test")
    return keras


def spiked(grads, at=200, factor=100.0):
    """The gradients with one spike: step `at` times `factor` (ADOPT's clipping acts on it)."""
    return [[factor * g for g in gs] if k == at else gs for k, gs in enumerate(grads)]


def stack(grads):
    """Per parameter, its gradients of every step in one array (steps, *shape)."""
    return [np.stack([gs[i] for gs in grads]) for i in range(len(grads[0]))]


# Every Optax and Keras run of this file: compiling dominates their cost, so each framework's
# runs are compiled together, into one loop (lax.scan) over the steps. name -> (make, spike)
OPTAX_RUNS = {
    "lion": (lambda o: o.lion(3e-3, b1=0.8, b2=0.95, weight_decay=0.5), False),
    "adopt": (lambda o: o.contrib.adopt(3e-3, b1=0.8, b2=0.99, eps=1e-4, nesterov=True), True),
    "adopt unclipped": (lambda o: o.contrib.adopt(1e-2, use_clipping=False), True),
    "ademamix": (lambda o: o.contrib.ademamix(3e-3, b1=0.8, b2=0.99, b3=0.999, alpha=8.0,
                                              eps=1e-6, weight_decay=0.1), False),
    "lamb": (lambda o: o.lamb(3e-3, b1=0.8, b2=0.99, eps=1e-4, weight_decay=0.1), False),
    "schedule free": (lambda o: o.contrib.schedule_free_adamw(
        1e-2, b1=0.8, b2=0.99, eps=1e-6, weight_decay=0.1, weight_lr_power=1.0), False),
    "schedule free warmup": (lambda o: o.contrib.schedule_free_adamw(1e-2, warmup_steps=50),
                             False),
}
# name -> (make, whether params[0] is kept out of the weight decay)
KERAS_RUNS = {
    "lion": (lambda k: k.optimizers.Lion(learning_rate=3e-3, beta_1=0.8, beta_2=0.95,
                                         weight_decay=0.5), False),
    "lamb": (lambda k: k.optimizers.Lamb(learning_rate=3e-3, beta_1=0.8, beta_2=0.99,
                                         epsilon=1e-4, weight_decay=0.1), True),
    "schedule free": (lambda k: k.optimizers.ScheduleFreeAdamW(learning_rate=1e-2,
                                                               weight_decay=0.1), True),
    "schedule free warmup": (lambda k: k.optimizers.ScheduleFreeAdamW(learning_rate=1e-2,
                                                                      warmup_steps=50), False),
}


@pytest.fixture(scope="module")
def optax_runs(jax_optax):
    """name -> (final params, final state, the params after each step) of each OPTAX_RUNS."""
    jax, optax = jax_optax
    grads = gradients(SHAPES)
    transforms = {name: make(optax) for name, (make, _) in OPTAX_RUNS.items()}
    xs = {name: stack(spiked(grads) if spike else grads)
          for name, (_, spike) in OPTAX_RUNS.items()}
    w = [jax.numpy.asarray(p) for p in starts(SHAPES)]

    def body(carry, g):
        out = {}
        for name, transform in transforms.items():
            w, state = carry[name]
            updates, state = transform.update(g[name], state, w)
            out[name] = (optax.apply_updates(w, updates), state)
        return out, {name: w for name, (w, _) in out.items()}

    carry = {name: (w, transform.init(w)) for name, transform in transforms.items()}
    final, history = jax.lax.scan(body, carry, xs)
    return {name: ([np.asarray(a) for a in final[name][0]], final[name][1],
                   [np.asarray(h) for h in history[name]]) for name in transforms}


@pytest.fixture(scope="module")
def keras_runs(jax_optax, keras):
    """name -> final params of each KERAS_RUNS (JAX backend, float64, one compiled loop)."""
    jax = jax_optax[0]
    keras.config.set_floatx("float64")  # the learning rates in float64 too
    try:
        variables, optimizers = {}, {}
        for name, (make, no_decay_on_first) in KERAS_RUNS.items():
            variables[name] = [keras.Variable(p, dtype="float64") for p in starts(SHAPES)]
            optimizers[name] = make(keras)
            if no_decay_on_first:
                optimizers[name].exclude_from_weight_decay(var_list=variables[name][:1])
            optimizers[name].build(variables[name])

        def body(carry, g):
            return {name: optimizer.stateless_apply(carry[name][1], g, carry[name][0])
                    for name, optimizer in optimizers.items()}, None

        carry = {name: ([v.value for v in variables[name]],
                        [v.value for v in optimizer.variables])
                 for name, optimizer in optimizers.items()}
        final, _ = jax.lax.scan(body, carry, stack(gradients(SHAPES)))
    finally:
        keras.config.set_floatx("float32")
    return {name: [np.asarray(v) for v in values] for name, (values, _) in final.items()}


def run_torch(torch, make, shapes, grads, seed=1, dtype=None):
    dtype = dtype or torch.float64
    w = [torch.tensor(p, dtype=dtype, requires_grad=True) for p in starts(shapes, seed)]
    optimizer = make(w)
    for gs in grads:
        for p, g in zip(w, gs, strict=True):
            p.grad = torch.tensor(g, dtype=dtype)
        optimizer.step()
    return [p.detach().double().numpy() for p in w]


# -- Lion -------------------------------------------------------------------------------------


def defaults(f, names):
    """The defaults of f's arguments named in names (ours: theirs), under our names."""
    parameters = inspect.signature(f).parameters
    return {ours: parameters[theirs].default for ours, theirs in names.items()}


def our_defaults(cls, names):
    parameters = inspect.signature(cls).parameters
    out = {}
    for name in names:
        if name.startswith("beta") and name[4:].isdigit():  # betas=(b1, b2, ...)
            out[name] = parameters["betas"].default[int(name[4:]) - 1]
        else:
            out[name] = parameters[name].default
    return out


@frameworks
def test_lion_matches_optax_lion_and_keras_lion(jax_optax, optax_runs, keras, keras_runs):
    """Keras's defaults differ (lr 1e-3, no decay, beta_1 > 0); its steps, given ours, do not."""
    optax = jax_optax[1]
    names = dict(beta1="b1", beta2="b2", weight_decay="weight_decay")
    assert our_defaults(Lion, names) == defaults(optax.lion, names)  # lr: optax has none
    ours = run_ours(lambda ps: Lion(ps, lr=3e-3, betas=(0.8, 0.95), weight_decay=0.5),
                    SHAPES, gradients(SHAPES))
    assert_close(ours, optax_runs["lion"][0])
    assert_close(ours, keras_runs["lion"])
    names = dict(learning_rate="learning_rate", weight_decay="weight_decay")
    assert defaults(keras.optimizers.Lion, names) == dict(learning_rate=1e-3, weight_decay=None)
    with pytest.raises(ValueError, match="beta_1"):
        keras.optimizers.Lion(beta_1=0.0)
    Lion([np.zeros(2)], betas=(0.0, 0.99))  # ours, as optax, takes beta1 = 0: sign(g)


# -- What every optimizer shares ------------------------------------------------------------


def makers():
    """name -> a factory of each optimizer with its defaults (Muon: 2-D parameters only)."""
    return {name: getattr(beyond, name) for name in beyond.OPTIMIZERS}


def state_arrays(optimizer):
    """The per-parameter state the optimizer holds: every list of arrays but its params."""
    return [a for key, value in vars(optimizer).items() if key != "params"
            and isinstance(value, list) for a in value if isinstance(a, np.ndarray)]


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5,), (2, 3, 4)])
@pytest.mark.parametrize("name", beyond.OPTIMIZERS)
def test_state_numbers_counts_the_state_the_optimizer_keeps(name, shape):
    cls = getattr(beyond, name)
    if name == "Muon" and len(shape) != 2:
        return  # matrices only
    p = np.ones(shape)
    optimizer = cls([p])
    optimizer.step([np.random.default_rng(0).standard_normal(shape)])
    assert sum(a.size for a in state_arrays(optimizer)) == cls.state_numbers(shape)


@pytest.mark.parametrize("name", beyond.OPTIMIZERS)
def test_bad_arguments_say_what_is_wrong(name):
    cls = getattr(beyond, name)
    with pytest.raises(ValueError, match="lr must be finite and >= 0"):
        cls([np.ones((2, 2))], lr=-1.0)
    with pytest.raises(TypeError, match="params must be a list of arrays"):
        cls(np.ones((2, 2)))
    p = np.ones((2, 2))
    optimizer = cls([p])
    with pytest.raises(ValueError, match="grads\\[0\\] holds nan"):
        optimizer.step([np.array([[1.0, np.nan], [0.0, 0.0]])])
    assert (p == 1).all()  # nothing changed
    with pytest.raises(ValueError, match="shape"):
        optimizer.step([np.ones(3)])


@pytest.mark.parametrize(("name", "options", "message"), [
    ("Lion", dict(betas=(0.9, 1.0)), "beta2 must be in \\[0, 1\\)"),
    ("Lion", dict(weight_decay=-1.0), "weight_decay must be finite and >= 0"),
    ("Muon", dict(momentum=1.0), "momentum must be in \\[0, 1\\)"),
    ("Muon", dict(ns_steps=100), "ns_steps must be an int in \\[0, 100\\)"),
    ("Muon", dict(ns_steps=2.5), "ns_steps must be an int"),
    ("Muon", dict(ns_coefficients=(1.0, 2.0)), "ns_coefficients must be 3 numbers"),
    ("Muon", dict(nesterov="yes"), "nesterov must be True or False"),
    ("Muon", dict(ns_dtype="float16"), "ns_dtype must be 'bfloat16'"),
    ("Adafactor", dict(beta2_decay=0.5), "beta2_decay must be <= 0"),
    ("Adafactor", dict(d=0.5), "d must be finite and >= 1"),
    ("Adafactor", dict(eps=(None,)), "eps must be a pair"),
    ("Adafactor", dict(eps=(-1.0, 1e-3)), "eps\\[0\\] must be None"),
    ("ADOPT", dict(eps=-1.0), "eps must be finite and >= 0"),
    ("AdEMAMix", dict(betas=(0.9, 0.999)), "betas must be 3 rates"),
    ("AdEMAMix", dict(betas=(0.9, 0.999, 1.0)), "beta3 must be in \\[0, 1\\)"),
    ("LAMB", dict(betas=(1.5, 0.999)), "beta1 must be in \\[0, 1\\)"),
    ("ScheduleFreeAdamW", dict(betas=(0.0, 0.999)), "beta1 must be in \\(0, 1\\)"),
    ("ScheduleFreeAdamW", dict(warmup_steps=-1), "warmup_steps must be None or an int"),
    ("AdamAtan2", dict(a=-1.0), "a must be finite and >= 0"),
])
def test_bad_options_say_which_and_how(name, options, message):
    with pytest.raises((ValueError, TypeError), match=message):
        getattr(beyond, name)([np.ones((2, 2))], **options)


def test_each_section_runs_pasted_after_setup_with_numpy_only():
    """The page shows each class alone: it must run after setup, the checks and the base class."""
    from pathlib import Path

    def section(path, name):
        text = Path(path).read_text()
        return text.split(f"# --8<-- [start:{name}]\n")[1].split(f"# --8<-- [end:{name}]")[0]

    base = "".join([section("snippets/adam.py", "setup"), section("snippets/adam.py", "checks"),
                    section("snippets/optimizers.py", "optimizer"),
                    section("snippets/beyond.py", "setup")])
    for name, cls in zip(beyond.SECTIONS, beyond.OPTIMIZERS, strict=True):
        namespace = {"__name__": "page"}
        exec(compile(base + section("snippets/beyond.py", name), name, "exec"), namespace)
        p, ours = np.ones((3, 2)), np.ones((3, 2))
        pasted, optimizer = namespace[cls]([p]), getattr(beyond, cls)([ours])
        for k in range(3):  # the pasted class runs, and takes our steps
            g = np.full((3, 2), k - 0.5) + np.arange(6).reshape(3, 2)
            pasted.step([g])
            optimizer.step([g])
        assert np.array_equal(p, ours), name
        assert namespace[cls].state_numbers((3, 2)) == optimizer.state_numbers((3, 2))


# -- Muon -------------------------------------------------------------------------------------

MUON_SHAPES = [(4, 6), (6, 4)]  # wide and tall
MUON_OPTIONS = [{}, dict(lr=0.02, weight_decay=0.01, momentum=0.9, nesterov=False, ns_steps=3,
                         ns_coefficients=(2.0, -1.5, 0.5), eps=1e-5,
                         adjust_lr_fn="match_rms_adamw")]


@frameworks
def test_muon_matches_torch_muon_in_bfloat16(torch):
    """Rounded to bfloat16 after each operation as torch does, ours takes torch's steps.

    Tolerance: about 1 in 200 orthogonalisations differs from torch's in one entry by one
    bfloat16 unit (2^-8 of it: torch sums the products in float32 in another order), so
    after 500 steps the weights may differ by a few such units of one step, lr x scale x
    2^-8 each; we allow 1/100 of one step (in float32 weights: one float32 unit per step, as
    the two round the weights differently). A wrong formula is off by whole steps.
    """
    for kw, shapes in ((MUON_OPTIONS[0], MUON_SHAPES), (MUON_OPTIONS[1], MUON_SHAPES[1:2])):
        grads = gradients(shapes)
        theirs = run_torch(torch, lambda ps, kw=kw: torch.optim.Muon(ps, **kw), shapes, grads)
        ours = run_ours(lambda ps, kw=kw: beyond.Muon(ps, **kw), shapes, grads)
        for a, b in zip(ours, theirs, strict=True):
            step = kw.get("lr", 1e-3) * beyond.Muon.ADJUST_LR[kw.get("adjust_lr_fn")](*a.shape)
            assert np.max(np.abs(a - b)) <= 0.01 * step
    grads32 = [[g.astype(np.float32) for g in gs] for gs in gradients(MUON_SHAPES[:1])]
    theirs = run_torch(torch, torch.optim.Muon, MUON_SHAPES[:1], grads32, dtype=torch.float32)
    ours = [p.astype(np.float32) for p in starts(MUON_SHAPES[:1])]
    optimizer = beyond.Muon(ours)
    for gs in grads32:
        optimizer.step(gs)
    for a, b in zip(ours, theirs, strict=True):  # in float32, each step rounds the weights
        assert np.max(np.abs(a - b)) <= STEPS * 2.0**-24 * np.max(np.abs(a))  # a unit each


@frameworks
def test_newton_schulz_in_float32_or_float64_lands_a_few_percent_from_torchs(torch):
    """Measured: each orthogonalised step differs by a few % of its largest entry.

    In bfloat16 ours equals torch's bit for bit on these matrices (on about 1 random matrix
    in 200, one entry differs by one bfloat16 unit: float32 sums in another order).
    """
    from torch.optim._muon import _zeropower_via_newtonschulz

    rng = np.random.default_rng(3)
    for shape in [(4, 6), (6, 4), (32, 16)]:
        G = rng.standard_normal(shape)
        theirs = _zeropower_via_newtonschulz(torch.tensor(G), (3.4445, -4.775, 2.0315), 5, 1e-7)
        theirs = theirs.double().numpy()
        assert np.array_equal(beyond.newton_schulz(G), theirs)  # bfloat16: bit for bit
        for dtype in ("float32", "float64"):
            gap = np.max(np.abs(beyond.newton_schulz(G, dtype=dtype) - theirs))
            assert 1e-3 < gap / np.max(np.abs(theirs)) < 0.1, (shape, dtype, gap)
    for dtype in (np.float32, np.float64):  # to_bfloat16 rounds as torch rounds, ties too
        x = (rng.standard_normal(10_000) * 10.0 ** rng.integers(-30, 30, 10_000)).astype(dtype)
        x[:3] = [1 + 2**-8, 1 + 3 * 2**-8, -(1 + 2**-8)]  # ties: to even
        assert np.array_equal(beyond.to_bfloat16(x), torch.tensor(x).bfloat16().float().numpy())
    tiny = rng.standard_normal((3, 4)) * 1e-8  # norm below eps: divided by eps in bfloat16
    theirs = _zeropower_via_newtonschulz(torch.tensor(tiny), (3.4445, -4.775, 2.0315), 5, 1e-7)
    assert np.array_equal(beyond.newton_schulz(tiny), theirs.double().numpy())


def test_muon_average_momentum_takes_the_steps_of_the_documented_sum():
    """torch's docs write B = mu B + g and g + mu B; its code (and ours) keeps the average."""
    grads = [gs[0] for gs in gradients([(4, 6)], steps=200)]
    ours = starts([(4, 6)])
    optimizer = beyond.Muon(ours, lr=0.01, ns_dtype="float64")
    theirs, B = starts([(4, 6)])[0], np.zeros((4, 6))
    for g in grads:
        optimizer.step([g])
        B = 0.95 * B + g  # the documented sum, and its Nesterov look-ahead
        O_t = beyond.newton_schulz(g + 0.95 * B, dtype="float64")
        theirs = theirs * (1 - 0.01 * 0.1) - 0.01 * O_t  # 4 x 6: scale 1
    assert_close(ours, [theirs])


@frameworks
def test_muon_takes_only_matrices_as_torch_does(torch):
    for shape in [(5,), (2, 3, 4)]:
        with pytest.raises(ValueError, match="only supports 2D"):
            torch.optim.Muon([torch.zeros(shape, requires_grad=True)])
        with pytest.raises(ValueError, match="Muon orthogonalises matrices"):
            beyond.Muon([np.zeros(shape)])
    for bad in ("none", "rms"):
        with pytest.raises(ValueError, match="not supported"):
            torch.optim.Muon([torch.zeros((2, 2), requires_grad=True)], adjust_lr_fn=bad)
        with pytest.raises(ValueError, match="adjust_lr_fn must be"):
            beyond.Muon([np.zeros((2, 2))], adjust_lr_fn=bad)
    theirs = inspect.signature(torch.optim.Muon).parameters
    ours = inspect.signature(beyond.Muon).parameters
    assert all(ours[k].default == v.default for k, v in theirs.items() if k != "params")


# -- Adafactor --------------------------------------------------------------------------------

ADAFACTOR_SHAPES = [(4, 6), (7,), (2, 3, 5)]


@frameworks
def test_adafactor_matches_torch_adafactor(torch):
    """2-D, 1-D and 3-D parameters, float64 and float32, its defaults and other settings."""
    grads = gradients(ADAFACTOR_SHAPES)
    for kw in ({}, dict(lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=2.0,
                        weight_decay=0.1, maximize=True)):
        theirs = run_torch(torch, lambda ps, kw=kw: torch.optim.Adafactor(ps, **kw),
                           ADAFACTOR_SHAPES, grads)
        assert_close(run_ours(lambda ps, kw=kw: beyond.Adafactor(ps, **kw),
                              ADAFACTOR_SHAPES, grads), theirs)
    grads32 = [[gs[0].astype(np.float32)] for gs in grads]  # float32: the matrix
    theirs = run_torch(torch, torch.optim.Adafactor, ADAFACTOR_SHAPES[:1], grads32,
                       dtype=torch.float32)
    ours = [p.astype(np.float32) for p in starts(ADAFACTOR_SHAPES)[:1]]
    optimizer = beyond.Adafactor(ours)
    for gs in grads32:
        optimizer.step(gs)
    assert_close(ours, theirs, rtol=STEPS * 2.0**-24)  # one float32 unit per step


@frameworks
def test_adafactor_takes_torchs_arguments_and_scalars(torch):
    theirs = inspect.signature(torch.optim.Adafactor).parameters
    ours = inspect.signature(beyond.Adafactor).parameters
    assert {k: v.default for k, v in theirs.items() if k != "params"} == {
        k: v.default for k, v in ours.items() if k != "params"}
    grads = gradients([()])  # a 0-D parameter: torch keeps its g^2 unfactored, as we do
    assert_close(run_ours(lambda ps: beyond.Adafactor(ps, foreach=True), [()], grads),
                 run_torch(torch, lambda ps: torch.optim.Adafactor(ps, foreach=True), [()], grads))


@frameworks
def test_torch_adafactor_shrinks_tiny_float32_steps_where_the_paper_would_not(torch):
    """eps1 = float32's epsilon floors the estimate: a 1e-9 gradient moves 1e-9 / 1.2e-7 as far."""
    g = np.full((3, 4), 1e-9, dtype=np.float32)
    steps = {}
    for scale in (1.0, 1e-9):
        w = torch.ones((3, 4), dtype=torch.float32, requires_grad=True)
        w.grad = torch.tensor(g / 1e-9 * scale)
        torch.optim.Adafactor([w]).step()
        p = np.ones((3, 4), dtype=np.float32)
        beyond.Adafactor([p]).step([g / np.float32(1e-9) * np.float32(scale)])
        steps[scale] = 1 - w.detach().numpy()[0, 0]
        assert 1 - p[0, 0] == pytest.approx(steps[scale], rel=1e-5)
    # a gradient of 1 moves by lr x RMS(p) = 1e-2; one of 1e-9 by 1e-9 / eps32 of that
    assert steps[1.0] == pytest.approx(1e-2, rel=1e-5)
    assert steps[1e-9] == pytest.approx(1e-2 * 1e-9 / np.finfo(np.float32).eps, rel=1e-2)


@frameworks
def test_torch_adafactor_takes_eps1_from_the_first_parameters_dtype(torch):
    """The class takes each parameter's own dtype; torch's loop, the first one's for all."""
    g = np.full((3, 4), 1e-9, dtype=np.float32)  # below float32's eps: its steps shrink

    def float32_step(first):
        w = torch.ones((3, 4), dtype=torch.float32, requires_grad=True)
        w.grad = torch.tensor(g)
        torch.optim.Adafactor([*first, w]).step()
        return 1 - float(w.detach()[0, 0])

    w64 = torch.ones(2, dtype=torch.float64, requires_grad=True)
    w64.grad = torch.ones(2, dtype=torch.float64)
    p = np.ones((3, 4), dtype=np.float32)
    beyond.Adafactor([np.ones(2), p]).step([np.ones(2), g])
    assert 1 - p[0, 0] == pytest.approx(float32_step([]), rel=1e-5)  # its own eps
    assert float32_step([w64]) == pytest.approx(1e-2, rel=1e-5)  # float64's eps: not shrunk
    assert float32_step([]) < 1e-3


# -- ADOPT, AdEMAMix, LAMB: against Optax -----------------------------------------------------


@frameworks
def test_adopt_matches_optax_adopt_with_and_without_clipping(jax_optax, optax_runs):
    optax = jax_optax[1]
    names = dict(beta1="b1", beta2="b2", eps="eps", nesterov="nesterov",
                 use_clipping="use_clipping")
    assert our_defaults(beyond.ADOPT, names) == defaults(optax.contrib.adopt, names)
    grads = spiked(gradients(SHAPES))
    ours = run_ours(lambda ps: beyond.ADOPT(ps, lr=3e-3, betas=(0.8, 0.99), eps=1e-4,
                                            nesterov=True), SHAPES, grads)
    assert_close(ours, optax_runs["adopt"][0])
    unclipped = run_ours(lambda ps: beyond.ADOPT(ps, lr=1e-2, use_clipping=False), SHAPES, grads)
    assert_close(unclipped, optax_runs["adopt unclipped"][0])
    assert_differ(run_ours(lambda ps: beyond.ADOPT(ps, lr=1e-2), SHAPES, grads), unclipped)
    first = run_ours(beyond.ADOPT, SHAPES, grads[:1])  # the first step only measures v
    assert all(np.array_equal(a, b) for a, b in zip(first, starts(SHAPES), strict=True))


@frameworks
def test_ademamix_matches_optax_ademamix(jax_optax, optax_runs):
    optax = jax_optax[1]
    names = dict(beta1="b1", beta2="b2", beta3="b3", alpha="alpha", eps="eps",
                 weight_decay="weight_decay")
    assert our_defaults(beyond.AdEMAMix, names) == defaults(optax.contrib.ademamix, names)
    assert_close(run_ours(lambda ps: beyond.AdEMAMix(
        ps, lr=3e-3, betas=(0.8, 0.99, 0.999), alpha=8.0, eps=1e-6, weight_decay=0.1),
        SHAPES, gradients(SHAPES)), optax_runs["ademamix"][0])
    # Optax's two entry points disagree on alpha's default (5 and 6); ours is ademamix's
    assert inspect.signature(optax.contrib.scale_by_ademamix).parameters["alpha"].default == 6.0


@frameworks
def test_lamb_matches_optax_lamb_and_keras_only_without_decay(jax_optax, optax_runs, keras_runs):
    optax = jax_optax[1]
    names = dict(beta1="b1", beta2="b2", eps="eps", weight_decay="weight_decay")
    assert our_defaults(beyond.LAMB, names) == defaults(optax.lamb, names)
    grads = gradients(SHAPES)
    lamb = lambda wd: (lambda ps: beyond.LAMB(  # noqa: E731
        ps, lr=3e-3, betas=(0.8, 0.99), eps=1e-4, weight_decay=wd))
    with_decay = run_ours(lamb(0.1), SHAPES, grads)
    assert_close(with_decay, optax_runs["lamb"][0])
    # Keras, with params[0] kept out of its weight decay: that one is ours without decay;
    # the others, decayed outside the trust ratio, are not ours with decay
    assert_close(keras_runs["lamb"][:1], run_ours(lamb(0.0), SHAPES, grads)[:1])
    assert_differ(keras_runs["lamb"][1:], with_decay[1:])


# -- Schedule-Free AdamW ----------------------------------------------------------------------


@frameworks
def test_schedule_free_adamw_matches_optax_and_its_eval_params(jax_optax, optax_runs):
    optax = jax_optax[1]
    names = dict(lr="learning_rate", beta1="b1", beta2="b2", eps="eps",
                 weight_decay="weight_decay", warmup_steps="warmup_steps",
                 weight_lr_power="weight_lr_power")
    assert our_defaults(beyond.ScheduleFreeAdamW, names) == defaults(
        optax.contrib.schedule_free_adamw, names)
    y, state, _ = optax_runs["schedule free"]
    params = starts(SHAPES)
    optimizer = beyond.ScheduleFreeAdamW(params, lr=1e-2, betas=(0.8, 0.99), eps=1e-6,
                                         weight_decay=0.1, weight_lr_power=1.0)
    for gs in gradients(SHAPES):
        optimizer.step(gs)
    assert_close(params, y)  # y, where the gradients are taken
    assert_close(optimizer.eval_params(), optax.contrib.schedule_free_eval_params(state, y))
    assert_close(optimizer.z, state.z)


@frameworks
def test_schedule_free_warmup_and_decay_differ_between_optax_keras_and_ours(optax_runs,
                                                                                 keras_runs):
    grads = gradients(SHAPES)
    ours = lambda **kw: (lambda ps: beyond.ScheduleFreeAdamW(ps, lr=1e-2, **kw))  # noqa: E731
    # Keras, with params[0] kept out of its weight decay: that one is ours (and Optax's)
    # without decay; the others, whose y Keras multiplies by (1 - lr λ), are not ours
    theirs = keras_runs["schedule free"]
    assert_close(theirs[:1], run_ours(ours(), SHAPES, grads)[:1])
    assert_differ(theirs[1:], run_ours(ours(weight_decay=0.1), SHAPES, grads)[1:])
    # warmup: Optax's first step has learning rate 0 and changes nothing; ours moves
    warm = run_ours(ours(warmup_steps=50), SHAPES, grads)
    optax_warm, _, history = optax_runs["schedule free warmup"]
    assert all(np.array_equal(h[0], p) for h, p in zip(history, starts(SHAPES), strict=True))
    assert_differ(run_ours(ours(warmup_steps=50), SHAPES, grads[:1]), starts(SHAPES), 1e-5)
    assert_differ(warm, optax_warm)
    # Keras warms z's steps up as ours, but averages with weights 1 / t whatever the warmup:
    # ours with weight_lr_power=0 (every weight lr^0 = 1)
    keras_warm = keras_runs["schedule free warmup"]
    assert_close(run_ours(ours(warmup_steps=50, weight_lr_power=0.0), SHAPES, grads), keras_warm)
    assert_differ(warm, keras_warm)


def test_schedule_free_warmup_weighs_each_point_by_its_rate_squared():
    """c_{t+1} = lr_t^2 / sum of lr_i^2, with lr_t = lr min(1, t / warmup_steps)."""
    optimizer = beyond.ScheduleFreeAdamW([np.ones(2)], lr=0.1, warmup_steps=10)
    for t in range(1, 21):
        optimizer.step([np.ones(2)])
        lrs = [0.1 * min(1, i / 10) for i in range(1, t + 1)]
        assert optimizer.lr_t == pytest.approx(lrs[-1], rel=1e-14)
        assert optimizer.c == pytest.approx(lrs[-1] ** 2 / sum(r * r for r in lrs), rel=1e-12)


def test_schedule_free_evaluates_the_average_x_not_y_or_z():
    """On a noisy quadratic, x (eval_params) ends closer to the minimum than y and z."""
    rng = np.random.default_rng(0)
    y = np.ones(50)
    optimizer = beyond.ScheduleFreeAdamW([y], lr=0.05)
    for _ in range(STEPS):
        optimizer.step([y + rng.standard_normal(50)])  # f = |w|^2 / 2, noisy gradient
    x = optimizer.eval_params()[0]
    assert np.linalg.norm(x) < np.linalg.norm(y) < np.linalg.norm(optimizer.z[0])


# -- Adam-atan2: no framework ships it; its properties ----------------------------------------


def test_adam_atan2_has_no_eps_is_scale_invariant_and_bounded():
    assert not {"eps", "epsilon"} & set(inspect.signature(beyond.AdamAtan2).parameters)
    grads = gradients(SHAPES, steps=200)
    grads[100] = [1e6 * g for g in grads[100]]  # a spike
    base = run_ours(lambda ps: beyond.AdamAtan2(ps, lr=0.01), SHAPES, grads)
    for scale in (1e-30, 1e-8, 1e3, 1e30):  # the same steps for gradients scaled by anything
        scaled = [[scale * g for g in gs] for gs in grads]
        assert_close(run_ours(lambda ps: beyond.AdamAtan2(ps, lr=0.01), SHAPES, scaled), base)
    # Adam's eps sets a floor: gradients of 1e-10 barely move it, where Adam-atan2 steps fully
    from snippets.adam import Adam

    tiny = gradients(SHAPES, steps=200, scale=1e-10)
    adam = run_ours(lambda ps: Adam(ps, lr=0.01), SHAPES, tiny)[0]
    atan2 = run_ours(lambda ps: beyond.AdamAtan2(ps, lr=0.01), SHAPES, tiny)[0]
    start = starts(SHAPES)[0]
    assert np.max(np.abs(adam - start)) < 0.05 * np.max(np.abs(atan2 - start))
    # bounded: no step is longer than lr a pi / 2, whatever the gradient
    p = np.zeros(3)
    optimizer = beyond.AdamAtan2([p], lr=1.0)
    for g in ([1.0, -1.0, 0.0], [1e150, -1e-300, 0.0], [0.0, 0.0, 0.0]):
        before = p.copy()
        optimizer.step([np.array(g)])
        assert np.all(np.abs(p - before) <= 1.27 * math.pi / 2) and np.isfinite(p).all()
    assert abs(beyond.AdamAtan2([np.zeros(1)]).a * math.pi / 4 - 1) < 3e-3  # a ~ 4 / pi
