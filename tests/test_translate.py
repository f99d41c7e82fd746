"""snippets/translate.py: every translation between the five frameworks keeps its promise.

For every ordered pair of frameworks, each optimizer and a grid of hyperparameters
(the defaults; each one changed; weight decay on; AMSGrad, maximize, eps_root, MLX's
bias correction where the source has them), the source optimizer and its translation run
on the same gradients, translate.PROBE (121 sizes from 1 down to 1e-12, each as a steady
gradient and as one varying in sign and size: 242 parameters, 1000 steps),
in float64 (MLX in float64 arrays, but its learning rate and bias corrections in float32):

- ``exact``: after every step the two agree to rounding. Each step rounds the new
  parameters once (at most eps/2 of |theta|) and computes the update with about ten
  roundings (each at most eps/2 of |update|, in MLX float32's eps); these add up, at worst,
  over the steps, so the tolerance after step t is the sum over s <= t of
  eps64 |theta_s| + 10 eps |update_s| (largest over the parameters): twice the worst case,
  and still 1e-9 or less of the differences an epsilon moved to another place makes.
- an approximate translation (only epsilon's place differs): no update differs from the
  source's by more than the bound its note states, in units of lr.
- where no setting of the target reproduces the source, ``exact`` is False and a note says
  what to do instead.

Each framework runs each configuration once, all of them together: PyTorch as one
optimizer with a parameter group per configuration, Optax, Keras and MLX as one optimizer
whose hyperparameters are arrays (one row per configuration), NumPy one Adam each. A test
checks that these vectorised runs are the frameworks' own, configuration by configuration.
Missing frameworks skip these tests, saying which; under CI=true they fail.
"""

from __future__ import annotations

import functools
import json
import os
from collections import defaultdict

import numpy as np
import pytest
from need import need
from test_browser import browser, server  # noqa: F401

from snippets import translate as tr
from snippets.adam import Adam
from snippets.translate import FRAMEWORKS, PROBE, Translation, translate

EPS64, EPS32 = float(np.finfo(np.float64).eps), float(np.finfo(np.float32).eps)


# ---- the grid -------------------------------------------------------------------------------

LR, BETA1, BETA2, EPS, DECAY = 0.02, 0.8, 0.99, 1e-6, 0.1  # the changed values


def _changes(framework: str, optimizer: str) -> dict[str, dict]:
    """Each hyperparameter of framework's optimizer changed, one at a time."""
    names = tr.DEFAULTS["optimizers"][framework][optimizer]
    lr = "lr" if "lr" in names else "learning_rate"
    out = {"lr": {lr: LR}}
    if "betas" in names:
        out |= {"beta1": {"betas": (BETA1, 0.999)}, "beta2": {"betas": (0.9, BETA2)}}
    else:
        b1, b2 = ("b1", "b2") if framework == "optax" else ("beta_1", "beta_2")
        out |= {"beta1": {b1: BETA1}, "beta2": {b2: BETA2}}
    eps = "epsilon" if framework == "keras" else "eps"
    out |= {"eps": {eps: EPS}, "eps 0": {eps: 0.0}}
    if "weight_decay" in names:
        out["weight decay"] = {"weight_decay": DECAY}
    for flag in ("amsgrad", "maximize", "bias_correction"):
        if flag in names:
            out[flag] = {flag: True}
    if "eps_root" in names:
        out["eps_root"] = {"eps_root": 1e-8}
    if "decoupled_weight_decay" in names:
        out["decoupled"] = {"weight_decay": DECAY, "decoupled_weight_decay": True}
    return out


def grid() -> list[tuple[str, str, str, dict]]:
    """(name, framework, optimizer, hyperparameters): every source the tests translate."""
    cases = []
    for framework in FRAMEWORKS:
        for optimizer in tr.OPTIMIZERS[framework]:
            required = {k: 1e-3 for k, v in tr.DEFAULTS["optimizers"][framework][optimizer]
                        .items() if v == tr.REQUIRED}
            for name, change in {"defaults": {}, **_changes(framework, optimizer)}.items():
                cases.append((name, framework, optimizer, {**required, **change}))
    cases.append(("all changed", "torch", "Adam", {"lr": LR, "betas": (BETA1, BETA2),
                  "eps": EPS, "weight_decay": DECAY, "amsgrad": True}))
    cases.append(("all changed", "keras", "AdamW", {"learning_rate": LR, "beta_1": BETA1,
                  "beta_2": BETA2, "epsilon": EPS, "weight_decay": DECAY, "amsgrad": True}))
    return cases


@functools.cache
def translations() -> dict[tuple[int, str], Translation]:
    """Every grid case translated to every other framework."""
    return {(i, to): translate(fw, opt, to, **h)
            for i, (_, fw, opt, h) in enumerate(grid()) for to in FRAMEWORKS if to != fw}


def key(optimizer: str, kwargs: dict) -> str:
    return optimizer + json.dumps({k: list(v) if isinstance(v, tuple) else v
                                   for k, v in kwargs.items()}, sort_keys=True)


def configs() -> dict[str, dict[str, tuple[str, dict]]]:
    """framework -> {key: (optimizer, kwargs)}: each configuration any pair needs, once."""
    out = defaultdict(dict)
    for _, fw, opt, h in grid():
        out[fw][key(opt, h)] = (opt, h)
    for t in translations().values():
        out[t.framework][key(t.optimizer, t.kwargs)] = (t.optimizer, t.kwargs)
    return out


def arg(framework: str, optimizer: str, kwargs: dict, name: str):
    default = tr.DEFAULTS["optimizers"][framework][optimizer].get(name)
    return kwargs.get(name, default)


# ---- each framework, every configuration at once --------------------------------------------
# Each returns {key: path}, a path being theta_0 = 1 and theta after each step, (1001, 25).


def with_start(path: np.ndarray) -> np.ndarray:
    return np.concatenate([np.ones((1, path.shape[1])), path])


def run_numpy(todo):
    out = {}
    for k, (_, kwargs) in todo.items():
        w = np.ones(PROBE.shape[1])
        opt = Adam([w], **kwargs)
        path = []
        for g in PROBE:
            opt.step([g.copy()])
            path.append(w.copy())
        out[k] = with_start(np.array(path))
    return out


def run_torch(todo):
    torch = need("torch")
    torch.set_num_threads(1)
    out = {}
    for name in ("Adam", "AdamW"):
        keys = [k for k, (opt, _) in todo.items() if opt == name]
        if not keys:
            continue
        w = torch.ones(len(keys), PROBE.shape[1], dtype=torch.float64)
        params = [row.detach().requires_grad_() for row in w]  # leaves, views of w's rows
        groups = [{"params": [p], **todo[k][1]} for p, k in zip(params, keys, strict=True)]
        # fused: one kernel per group (a test below checks it is the default's arithmetic)
        optimizer = getattr(torch.optim, name)(groups, fused=True)
        path = [w.clone()]
        for g in torch.tensor(PROBE):
            grads = g.expand_as(w).clone()
            for p, grad in zip(params, grads, strict=True):
                p.grad = grad
            optimizer.step()
            path.append(w.clone())
        path = torch.stack(path).numpy()
        out |= {k: path[:, i] for i, k in enumerate(keys)}
    return out


def _arrays(framework, optimizer, todo, keys, names, n):
    """{name: (configs, 1) array of each configuration's value}."""
    return {name: np.array([[float(arg(framework, optimizer, todo[k][1], name) or 0.0)]
                            for k in keys]) for name in names}


def run_optax(todo):
    jax, optax = need("jax"), need("optax")
    jax.config.update("jax_enable_x64", True)
    out = {}
    for name in ("adam", "adamw"):
        keys = [k for k, (opt, _) in todo.items() if opt == name]
        if not keys:
            continue
        names = list(tr.DEFAULTS["optimizers"]["optax"][name])
        h = {n: jax.numpy.asarray(a) for n, a in
             _arrays("optax", name, todo, keys, names, len(keys)).items()}
        transform = getattr(optax, name)(**h)  # hyperparameters as arrays, row by row

        rows = len(keys)

        @jax.jit
        def run(grads, transform=transform, rows=rows):
            w = jax.numpy.ones((rows, grads.shape[1]))

            def step(carry, g):
                w, state = carry
                u, state = transform.update(jax.numpy.broadcast_to(g, w.shape), state, w)
                w = optax.apply_updates(w, u)
                return (w, state), w

            return jax.lax.scan(step, (w, transform.init(w)), grads)[1]

        path = np.asarray(run(jax.numpy.asarray(PROBE)))
        out |= {k: with_start(path[:, i]) for i, k in enumerate(keys)}
    return out


def run_keras(todo):
    os.environ.setdefault("KERAS_BACKEND", "jax")
    jax = need("jax")
    jax.config.update("jax_enable_x64", True)
    keras = need("keras")
    if keras.backend.backend() != "jax":
        pytest.skip("Keras was imported with another backend than JAX before this test")
    out = {}
    for name in ("Adam", "AdamW"):
        for amsgrad in (False, True):
            keys = [k for k, (opt, kw) in todo.items()
                    if opt == name and kw.get("amsgrad", False) == amsgrad]
            if not keys:
                continue
            h = _arrays("keras", name, todo, keys,
                        ["learning_rate", "beta_1", "beta_2", "epsilon", "weight_decay"],
                        len(keys))
            keras.config.set_floatx("float64")
            try:
                w = keras.Variable(np.ones((len(keys), PROBE.shape[1])))
                opt = getattr(keras.optimizers, name)(amsgrad=amsgrad, weight_decay=0.0)
                opt.build([w])
            finally:
                keras.config.set_floatx("float32")
            # Keras reads these at each step: arrays make one optimizer of every row
            # (a decay of 0 leaves theta exactly as it is).
            opt.beta_1, opt.beta_2, opt.epsilon = h["beta_1"], h["beta_2"], h["epsilon"]
            opt.weight_decay = h["weight_decay"]
            lr = jax.numpy.asarray(h["learning_rate"])
            opt.learning_rate = lambda lr=lr: lr

            @jax.jit
            def run(grads, opt=opt, w=w):
                def step(carry, g):
                    variables, params = carry
                    params, variables = opt.stateless_apply(
                        variables, [jax.numpy.broadcast_to(g, params[0].shape)], params)
                    return (variables, params), params[0]

                start = ([v.value for v in opt.variables], [w.value])
                return jax.lax.scan(step, start, grads)[1]

            path = np.asarray(run(jax.numpy.asarray(PROBE)))
            out |= {k: with_start(path[:, i]) for i, k in enumerate(keys)}
    return out


def run_mlx(todo):
    mx, optim = need("mlx.core"), need("mlx.optimizers")
    out = {}
    for name in ("Adam", "AdamW"):
        for correct in (False, True):
            keys = [k for k, (opt, kw) in todo.items()
                    if opt == name and kw.get("bias_correction", False) == correct]
            if not keys:
                continue
            names = ["learning_rate", "eps"] + (["weight_decay"] if name == "AdamW" else [])
            h = _arrays("mlx", name, todo, keys, names, len(keys))
            betas = np.array([arg("mlx", name, todo[k][1], "betas") for k in keys])
            opt = getattr(optim, name)(learning_rate=1.0, bias_correction=correct)
            # MLX reads these at each step: arrays, one row per configuration. The
            # learning rate stays float32, as MLX keeps it.
            opt.learning_rate = mx.array(h["learning_rate"], dtype=mx.float32)
            f64 = functools.partial(mx.array, dtype=mx.float64)  # else MLX makes float32
            opt.betas = [f64(betas[:, :1]), f64(betas[:, 1:])]
            opt.eps = f64(h["eps"])
            if name == "AdamW":
                opt.weight_decay = f64(h["weight_decay"])
            params = {"w": mx.ones((len(keys), PROBE.shape[1]), dtype=mx.float64)}
            path = []
            for g in PROBE:
                g = mx.broadcast_to(mx.array(g, dtype=mx.float64), params["w"].shape)
                params = opt.apply_gradients({"w": g}, params)
                mx.eval(params, opt.state)
                path.append(np.array(params["w"]))
            path = np.array(path)
            out |= {k: with_start(path[:, i]) for i, k in enumerate(keys)}
    return out


RUN = {"numpy": run_numpy, "torch": run_torch, "optax": run_optax, "keras": run_keras,
       "mlx": run_mlx}


@functools.cache
def paths(framework: str) -> dict[str, np.ndarray]:
    """Each configuration's path in framework: computed once per test process."""
    return RUN[framework](configs()[framework])


# ---- the promise ------------------------------------------------------------------------------


def rounding_tolerance(path: np.ndarray, spec: tr.Spec, mlx: bool) -> np.ndarray:
    """After each step: the sum of eps64 |theta| + 10 eps |update| (see the docstring)."""
    update = np.abs(np.diff(path, axis=0)).max(axis=1)
    theta = np.abs(path[1:]).max(axis=1)
    t = np.arange(1, len(update) + 1)
    relative = 10 * EPS64
    if mlx and spec.bias_correction:  # MLX: lr and beta^t in float32 (translate's note)
        relative = 20 * tr.mlx_rounding(spec.beta1, spec.beta2, t)
    elif mlx:
        relative = 10 * EPS32
    return np.cumsum(EPS64 * theta + relative * update)


def gap_in_note(t: Translation) -> float:
    """The bound a note states: '... differ by up to <x> × lr'."""
    (note,) = [n for n in t.notes if "× lr (most" in n]
    return float(note.split("differ by up to ")[1].split(" × lr")[0])


def broken_promises(source: np.ndarray, target: np.ndarray, t: Translation, spec: tr.Spec,
                    mlx: bool) -> str | None:
    """What the two paths contradict in t's promise, or None."""
    if t.exact:
        over = np.abs(source - target).max(axis=1)[1:] / rounding_tolerance(source, spec, mlx)
        if over.max() > 1:
            return f"exact, but {over.max():.3g} times the rounding tolerance"
        return None
    if not any("× lr (most" in n for n in t.notes):  # no setting reproduces it: say so
        return None if t.notes else "neither exact nor a note"
    gap = np.abs(np.diff(source, axis=0) - np.diff(target, axis=0)).max() / spec.lr
    if gap > gap_in_note(t) + 1e-6:
        return f"updates differ by {gap:.3g} × lr, the note says up to {gap_in_note(t)}"
    return None


@pytest.mark.frameworks
def test_every_translation_keeps_its_promise_in_the_frameworks():
    broken = []
    for (i, to), t in translations().items():
        name, fw, opt, h = grid()[i]
        source = paths(fw)[key(opt, h)]
        target = paths(to)[key(t.optimizer, t.kwargs)]
        spec = tr.read(fw, opt, h)
        why = broken_promises(source, target, t, spec, "mlx" in (fw, to))
        if why:
            broken.append(f"{fw}.{opt} {name} {h} -> {t.code}: {why}")
    assert not broken, "\n".join(broken)
    assert len(translations()) >= 4 * len(grid())


@pytest.mark.frameworks
def test_every_translation_builds_from_its_kwargs():
    # As a reader would: getattr(optax, t.optimizer)(**t.kwargs), and so on.
    torch, optax, optim = need("torch"), need("optax"), need("mlx.optimizers")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    keras = need("keras")
    build = {
        "torch": lambda t: getattr(torch.optim, t.optimizer)(
            [torch.zeros(1, requires_grad=True)], **t.kwargs),
        "optax": lambda t: getattr(optax, t.optimizer)(**t.kwargs),
        "keras": lambda t: getattr(keras.optimizers, t.optimizer)(**t.kwargs),
        "mlx": lambda t: getattr(optim, t.optimizer)(**t.kwargs),
        "numpy": lambda t: Adam([np.zeros(1)], **t.kwargs),
    }
    built = [build[t.framework](t) for t in
             {key(t.optimizer, t.kwargs): t for t in translations().values()}.values()]
    assert len(built) > 100


def plain_path(framework: str, optimizer: str, kwargs: dict, steps: int) -> np.ndarray:
    """framework's optimizer(**kwargs) as a reader builds it, alone, for `steps` steps."""
    grads, w0 = PROBE[:steps], np.ones(PROBE.shape[1])
    if framework == "torch":
        torch = need("torch")
        w = torch.ones(len(w0), dtype=torch.float64, requires_grad=True)
        opt = getattr(torch.optim, optimizer)([w], **kwargs)
        path = []
        for g in grads:
            w.grad = torch.tensor(g)
            opt.step()
            path.append(w.detach().numpy().copy())
    elif framework == "optax":
        jax, optax = need("jax"), need("optax")
        transform = getattr(optax, optimizer)(**kwargs)
        w, state, path = jax.numpy.asarray(w0), None, []
        state = transform.init(w)
        update = jax.jit(transform.update)
        for g in grads:
            u, state = update(jax.numpy.asarray(g), state, w)
            w = optax.apply_updates(w, u)
            path.append(np.asarray(w))
    elif framework == "keras":
        keras = need("keras")
        keras.config.set_floatx("float64")
        try:
            w = keras.Variable(w0)
            opt = getattr(keras.optimizers, optimizer)(**kwargs)
            opt.build([w])
        finally:
            keras.config.set_floatx("float32")
        jax = need("jax")
        apply = jax.jit(opt.stateless_apply)
        variables, params, path = [v.value for v in opt.variables], [w.value], []
        for g in grads:
            params, variables = apply(variables, [jax.numpy.asarray(g)], params)
            path.append(np.asarray(params[0]))
    else:
        mx, optim = need("mlx.core"), need("mlx.optimizers")
        opt = getattr(optim, optimizer)(**kwargs)
        params, path = {"w": mx.array(w0, dtype=mx.float64)}, []
        for g in grads:
            params = opt.apply_gradients({"w": mx.array(g, dtype=mx.float64)}, params)
            mx.eval(params, opt.state)
            path.append(np.array(params["w"]))
    return with_start(np.array(path))


PLAIN = [("torch", "Adam", {"lr": LR, "betas": (BETA1, BETA2), "eps": EPS, "weight_decay": DECAY,
                            "amsgrad": True, "maximize": True}),
         ("torch", "AdamW", {"lr": LR, "weight_decay": DECAY}),
         ("optax", "adamw", {"learning_rate": LR, "b1": BETA1, "eps_root": 1e-8}),
         ("keras", "AdamW", {"learning_rate": LR, "beta_2": BETA2, "epsilon": EPS,
                             "amsgrad": True}),
         ("keras", "Adam", {"beta_1": BETA1}),
         ("mlx", "AdamW", {"learning_rate": LR, "betas": [BETA1, BETA2],
                           "bias_correction": True}),
         ("mlx", "Adam", {"learning_rate": LR})]


@pytest.mark.frameworks
@pytest.mark.parametrize(("framework", "optimizer", "kwargs"), PLAIN,
                         ids=[f"{fw}.{opt}" for fw, opt, _ in PLAIN])
def test_the_vectorised_runs_are_the_frameworks_own(framework, optimizer, kwargs):
    steps = 200
    todo = {"one": (optimizer, kwargs), "other": (optimizer, {**kwargs, "eps": 0.5})
            if "eps" in tr.DEFAULTS["optimizers"][framework][optimizer] else (optimizer, kwargs)}
    vectorised = RUN[framework](todo)["one"][: steps + 1]
    plain = plain_path(framework, optimizer, kwargs, steps)
    spec = tr.read("numpy" if framework == "torch" else framework,
                   "Adam" if framework == "torch" else optimizer,
                   {} if framework == "torch" else kwargs)
    tolerance = rounding_tolerance(plain, spec, framework == "mlx")
    assert np.all(np.abs(vectorised - plain).max(axis=1)[1:] <= tolerance)


# ---- the defaults file, regenerated from the installed frameworks ------------------------------

MODULES = {"torch": ("torch", "torch.optim"), "optax": ("optax", "optax"),
           "keras": ("keras", "keras.optimizers"), "mlx": ("mlx", "mlx.optimizers")}


def installed_defaults(framework: str) -> tuple[str | None, dict]:
    """(version, {optimizer: {argument: default}}) read from the installed framework."""
    import importlib.metadata
    import inspect

    if framework == "numpy":
        optimizers, version = {"Adam": Adam}, None
    else:
        package, module = MODULES[framework]
        if package == "keras":
            os.environ.setdefault("KERAS_BACKEND", "jax")
        optimizers = need(module)
        version = importlib.metadata.version(package).split("+")[0]  # 2.13.0+cpu: 2.13.0
        optimizers = {name: getattr(optimizers, name) for name in tr.OPTIMIZERS[framework]}
    out = {}
    for name, function in optimizers.items():
        parameters = inspect.signature(function).parameters
        out[name] = {}
        for arg in tr.DEFAULTS["optimizers"][framework][name]:
            default = parameters[arg].default
            out[name][arg] = (tr.REQUIRED if default is inspect.Parameter.empty
                              else list(default) if isinstance(default, tuple) else default)
    return version, out


@pytest.mark.parametrize("framework", [pytest.param(fw, marks=pytest.mark.frameworks)
                                       if fw != "numpy" else fw for fw in FRAMEWORKS])
def test_the_defaults_file_is_what_the_installed_frameworks_say(framework):
    version, defaults = installed_defaults(framework)
    assert json.dumps(defaults) == json.dumps(tr.DEFAULTS["optimizers"][framework]), (
        f"{framework}'s defaults changed: run `python tests/test_translate.py` to rewrite "
        f"{tr.DEFAULTS_FILE.name}, then check the page")
    if version:
        assert version == tr.DEFAULTS["versions"][framework]


# ---- what translate promises, without the frameworks -------------------------------------------


@pytest.mark.parametrize(("call", "message"), [
    (("jax", "adam", "torch"), "framework must be one of 'torch', 'optax', 'keras', 'mlx'"),
    (("torch", "Adam", "tf"), "to must be one of 'torch', 'optax', 'keras', 'mlx', 'numpy'"),
    (("optax", "Adam", "torch"), "optimizer for optax must be one of 'adam', 'adamw'"),
    (("torch", "Adam", "optax", {"beta1": 0.9}),
     "torch.optim.Adam has no argument 'beta1' .* its arguments are: lr, betas, eps"),
    (("torch", "Adam", "optax", {"lr": -1e-3}), "lr for torch.optim.Adam must be finite and >= 0"),
    (("keras", "Adam", "optax", {"beta_2": 1.0}), "beta_2 for keras.optimizers.Adam must be in"),
    (("torch", "AdamW", "optax", {"betas": (0.9,)}), "betas for torch.optim.AdamW must be a pair"),
    (("mlx", "Adam", "torch"), "learning_rate is required for mlx.optimizers.Adam"),
    (("optax", "adam", "torch", {"learning_rate": float("nan")}), "learning_rate for optax.adam"),
    (("torch", "Adam", "keras", {"amsgrad": 1}), "amsgrad for torch.optim.Adam must be True or"),
    (("numpy", "Adam", "mlx", {"weight_decay": None}), "weight_decay for the reference Adam"),
])
def test_bad_input_raises_naming_the_argument_and_the_valid_ones(call, message):
    framework, optimizer, to, *rest = call
    with pytest.raises(ValueError, match=message):
        translate(framework, optimizer, to, **(rest[0] if rest else {}))


def test_torch_adamw_of_a_language_model_in_each_framework():
    h = {"lr": 3e-4, "betas": (0.9, 0.95), "weight_decay": 0.1}
    out = {to: translate("torch", "AdamW", to, **h) for to in FRAMEWORKS}
    assert out["optax"].code == "optax.adamw(learning_rate=0.0003, b2=0.95, weight_decay=0.1)"
    assert out["mlx"].kwargs == {"learning_rate": 3e-4, "betas": [0.9, 0.95],
                                 "weight_decay": 0.1, "bias_correction": True}
    assert out["numpy"].kwargs == {"lr": 3e-4, "betas": (0.9, 0.95), "weight_decay": 0.1,
                                   "decoupled_weight_decay": True}
    assert out["torch"].kwargs == h and out["torch"].exact
    assert all(out[to].exact for to in ("optax", "mlx", "numpy"))
    keras = out["keras"]
    assert not keras.exact and keras.optimizer == "AdamW"
    assert keras.kwargs["epsilon"] == round(1e-8 * 0.05**0.5, 11)  # eps * sqrt(1 - beta2)
    assert "differ by up to" in keras.notes[0] and gap_in_note(keras) < 0.5


def steady_gap(spec: tr.Spec, other: tr.Spec) -> float:
    """The largest gap in units of lr, over any steady gradient g and the first 1000 steps,
    of two Adams that differ only in their epsilon (a decoupled weight decay shrinks it, and
    the test below leaves out those that shrink theta by over 1 % in 1000 steps): on a steady g,
    m_hat = g and v_hat = g^2, so each steps g / (g + e_t) lr, e_t the epsilon added to
    sqrt(v_hat) at step t; the difference is largest at g = sqrt(a b), where it is
    (sqrt(b) - sqrt(a)) / (sqrt(b) + sqrt(a)) for the two epsilons a and b."""
    t = np.arange(1, tr.STEPS + 1)

    def e(s):
        return s.eps / np.sqrt(1 - s.beta2**t) if s.eps_hat else np.full(len(t), s.eps)

    a, b = np.sqrt(e(spec)), np.sqrt(e(other))
    return float((np.abs(b - a) / (a + b)).max())


def test_each_epsilon_note_bounds_steady_gradients_of_every_size():
    # The page's tiny-gradient case: a steady gradient, where epsilon's place matters most.
    # The note's bound must hold there too, at any size, not only at the probe's sizes.
    cases = [(fw, opt, to, h) for (i, to) in translations() for _, fw, opt, h in [grid()[i]]]
    cases += [("torch", "AdamW", "keras", {"lr": 3e-4, "betas": (0.9, 0.95),
                                           "weight_decay": 0.1}),
              ("keras", "Adam", "torch", {}), ("torch", "Adam", "keras", {})]
    checked = 0
    for fw, opt, to, h in cases:
        t = translate(fw, opt, to, **h)
        spec = tr.read(fw, opt, h)
        if not any("× lr (most" in n for n in t.notes) or (
                spec.lr * spec.weight_decay * tr.STEPS > 0.01):
            continue  # a decay that matters: measured on the probe (it narrows steady gaps)
        done = tr.read(to, t.optimizer, {k: list(v) if isinstance(v, tuple) and to == "mlx"
                                         else v for k, v in t.kwargs.items()})
        gap = steady_gap(spec, done)
        assert gap <= gap_in_note(t), (fw, opt, to, h, gap, t.notes[0])
        checked += 1
    assert checked > 20
    reviewed = translate("torch", "AdamW", "keras", lr=3e-4, betas=(0.9, 0.95),
                         weight_decay=0.1)
    gap = steady_gap(tr.read("torch", "AdamW", {"betas": (0.9, 0.95)}),
                     tr.read("keras", "AdamW", reviewed.kwargs))
    assert gap == pytest.approx(0.357, abs=1e-3) and gap <= gap_in_note(reviewed)


@pytest.mark.parametrize("beta2", [0.95, 0.98, 0.999])
def test_the_uncorrected_mlx_note_gives_the_steps_of_its_betas(beta2):
    # Without bias correction, a steady gradient steps (1 - beta1^t) / sqrt(1 - beta2^t) lr.
    t = np.arange(1, 100_001)
    steps = (1 - 0.9**t) / np.sqrt(1 - beta2**t)
    above = int(np.nonzero(steps > 1.01)[0][-1]) + 1
    first, largest, peak = steps[0], steps.max(), int(np.argmax(steps)) + 1
    assert tr.uncorrected_steps(0.9, beta2) == pytest.approx((first, largest, peak, above),
                                                             rel=1e-12)
    (note,) = translate("mlx", "Adam", "torch", learning_rate=1e-3, betas=[0.9, beta2]).notes
    assert (f"a first step of {tr.round_sig(first)} × lr, rising to {tr.round_sig(largest)} × "
            f"lr at step {peak} and more than 1 % above lr until step {above})") in note
    assert tr.uncorrected_steps(0.9, 0.5)[3] == 0  # never 1 % above: said so
    assert "no step more than 1 % above lr" in translate(
        "mlx", "Adam", "optax", learning_rate=1e-3, betas=[0.9, 0.5]).notes[0]


@pytest.mark.frameworks
def test_the_mlx_rounding_note_bounds_what_mlx_does():
    # MLX's corrected Adam in float64 arrays, lr 1, eps 0, g = 1: each step is exactly one
    # lr but for MLX's float32 numbers; the note's bound covers each of the first 1000.
    mx, optim = need("mlx.core"), need("mlx.optimizers")
    for betas in ([0.9, 0.999], [0.9, 0.95], [0.8, 0.99]):
        optimizer = optim.Adam(learning_rate=1.0, betas=betas, eps=0.0, bias_correction=True)
        params, before, error = {"w": mx.zeros(1, dtype=mx.float64)}, 0.0, []
        for _ in range(tr.STEPS):
            params = optimizer.apply_gradients({"w": mx.ones(1, dtype=mx.float64)}, params)
            mx.eval(params, optimizer.state)
            error.append(abs(before - params["w"].item() - 1))
            before = params["w"].item()
        bound = tr.mlx_rounding(*betas, np.arange(1, tr.STEPS + 1))
        assert np.all(np.array(error) <= bound), (betas, np.max(np.array(error) / bound))
        worst, at = tr.mlx_rounding_worst(*betas)
        assert worst == bound.max() and bound[at - 1] == worst
        note = translate("mlx", "Adam", "torch", learning_rate=1.0, betas=betas,
                         bias_correction=True).notes[-1]
        assert (f"by at most a relative {tr.round_up(worst)!r} (a bound, largest at step {at} "
                "of the first 1000)") in note


def test_a_note_bound_is_the_probe_gap_rounded_up():
    t = translate("keras", "Adam", "torch")
    spec, done = tr.read("keras", "Adam", {}), tr.read("torch", "Adam", t.kwargs)
    gap, size, kind = tr.update_gap(spec, done)
    assert gap <= gap_in_note(t) <= gap * 1.1
    assert f"a {kind} gradient of about {size!r} in size" in t.notes[0]
    for x in (0.123, 0.125, 0.99, 9.96e-7, 1e-3):
        assert x <= tr.round_up(x) <= x * 1.1 and len(repr(tr.round_up(x)).strip("0.")) <= 6


if __name__ == "__main__":  # rewrite snippets/framework_defaults.json from the installed ones
    versions, optimizers = {}, {}
    for fw in FRAMEWORKS:
        version, optimizers[fw] = installed_defaults(fw)
        if version:
            versions[fw] = version
    lines = [f'    "{fw}": {{\n' + ",\n".join(
        f'      "{name}": {json.dumps(args)}' for name, args in optimizers[fw].items())
        + "\n    }" for fw in FRAMEWORKS]
    tr.DEFAULTS_FILE.write_text('{\n  "versions": ' + json.dumps(versions)
                                + ',\n  "optimizers": {\n' + ",\n".join(lines) + "\n  }\n}\n")


# ---- what /frameworks/ says about the translator ------------------------------------------------


def test_the_pages_usage_example_prints_what_the_page_shows():
    import contextlib
    import io
    import re
    import textwrap
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    source = (root / "snippets" / "translate.py").read_text()
    body = source.split("# --8<-- [start:usage]\n")[1].split("# --8<-- [end:usage]")[0]
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(textwrap.dedent(body), {"__name__": "__main__"})
    page = (root / "docs" / "frameworks.md").read_text()
    shown = re.search(r'snippets/translate.py:usage"\n```\n\n<!--pytest-codeblocks:expected-'
                      r"output-->\n```text\n(.*?)```", page, re.DOTALL).group(1)
    assert printed.getvalue() == shown


def test_claim_the_tests_run_every_ordered_pair_on_a_grid_in_the_frameworks(says):
    says("frameworks.md", "measured on gradients of 121 sizes from 1 down to $10^{-12}$ (ten\n"
         "to a decade), of two kinds: steady (the same gradient at every step, where the\n"
         "place of $\\varepsilon$ matters most) and varying in sign and size from step\nto step.")
    says("frameworks.md", "For every ordered pair of frameworks, both optimizers and a\ngrid "
         "of settings (the defaults, each one changed, weight decay, AMSGrad), the\ntests run "
         "the source and its translation in the frameworks themselves for\n1000 steps on the "
         "same gradients and check each promise.")
    pairs = {(grid()[i][1], to) for i, to in translations()}
    assert pairs == {(a, b) for a in FRAMEWORKS for b in FRAMEWORKS if a != b}
    sources = {(fw, opt) for _, fw, opt, _ in grid()}
    assert sources == {(fw, opt) for fw in FRAMEWORKS for opt in tr.OPTIMIZERS[fw]}
    names = {name for name, *_ in grid()}
    assert {"defaults", "lr", "beta1", "beta2", "eps", "weight decay", "amsgrad"} <= names
    assert PROBE.shape == (tr.STEPS, 2 * 121) and tr.STEPS == 1000
    assert max(tr.PROBE_SCALES) == 1 and min(tr.PROBE_SCALES) == 1e-12  # "from 1 down to"
    assert len(tr.PROBE_SCALES) == 121  # "ten to a decade":
    np.testing.assert_allclose(np.log10(tr.PROBE_SCALES), -np.arange(121) / 10, atol=2e-3)
    steady, varying = PROBE[:, 121:], PROBE[:, :121]
    assert np.all(steady == steady[0]) and np.all(steady[0] == tr.PROBE_SCALES)
    assert np.all((varying < 0).any(axis=0) & (varying > 0).any(axis=0))


def test_claim_where_no_setting_reproduces_the_source_exact_is_false_and_a_note_says_what_to_do(
        says):
    says("frameworks.md", "Where no setting of the target reproduces the source (PyTorch's L2\n"
         "`weight_decay` in Optax, Keras or MLX, AMSGrad in Optax or MLX, `maximize`,\n"
         "`eps_root`, MLX without bias correction), `exact` is False and the note says\n"
         "what to do instead.")
    cases = [("torch", "Adam", to, {"weight_decay": 0.1}, "instead") for to in
             ("optax", "keras", "mlx")]
    cases += [("torch", "Adam", to, {"amsgrad": True}, "no ") for to in ("optax", "mlx")]
    cases += [("torch", "Adam", to, {"maximize": True}, "negate the gradient")
              for to in ("optax", "keras", "mlx")]
    cases += [("optax", "adam", to, {"learning_rate": 1e-3, "eps_root": 1e-8}, "no ")
              for to in ("torch", "keras", "mlx", "numpy")]
    cases += [("mlx", "Adam", to, {"learning_rate": 1e-3}, "bias_correction=True")
              for to in ("torch", "optax", "keras", "numpy")]
    for fw, opt, to, h, advice in cases:
        t = translate(fw, opt, to, **h)
        assert not t.exact and any(advice in note for note in t.notes), (fw, to, h, t.notes)
    chain = translate("torch", "Adam", "optax", weight_decay=0.1).notes[-1]
    assert "optax.chain(optax.add_decayed_weights(0.1), optax.adam(...))" in chain


def test_the_defaults_table_is_read_from_the_defaults_file(monkeypatch):
    rows = tr.defaults_table().splitlines()[2:]
    assert len(rows) == sum(len(o) for o in tr.OPTIMIZERS.values())
    assert "| `mlx.optimizers.AdamW` (MLX 0.32.4) | `learning_rate`: required |" in rows[7]
    assert "`bias_correction=False`" in rows[7] and "`weight_decay=0.01`, decoupled" in rows[7]
    changed = json.loads(json.dumps(tr.DEFAULTS))
    changed["optimizers"]["keras"]["Adam"]["epsilon"] = 1e-8
    monkeypatch.setattr(tr, "DEFAULTS", changed)
    assert "`epsilon=1e-08` (ε̂)" in tr.defaults_table().splitlines()[6]


# ---- the form's JavaScript (docs/assets/frameworks/translate.js) --------------------------------

TRANSLATE_JS = (tr.DEFAULTS_FILE.parents[1] / "docs" / "assets" / "frameworks" / "translate.js")


def run_js(script: str, data) -> object:
    """Run `script` with translate.js as `tr` and `data` as `input`; return what it returns."""
    import subprocess

    from test_playground import _node

    program = (f"const tr = require({json.dumps(str(TRANSLATE_JS))});\n"
               "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
               f"process.stdout.write(JSON.stringify((() => {{ {script} }})()));\n")
    result = subprocess.run([_node(), "-e", program], input=json.dumps(data),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def as_json(t: Translation) -> dict:
    """A Translation as the port returns it (pairs as lists)."""
    return json.loads(json.dumps({"framework": t.framework, "optimizer": t.optimizer,
                                  "kwargs": t.kwargs, "code": t.code, "exact": t.exact,
                                  "notes": t.notes}))


JS_TRANSLATE = """return input.map(([fw, opt, to, h]) => {
  try { return tr.translate(fw, opt, to, h); } catch (e) { return {error: e.message}; }
});"""


def test_the_forms_javascript_translates_every_grid_case_as_translate_py_does():
    cases = [(fw, opt, to, h) for (i, to) in translations() for _, fw, opt, h in [grid()[i]]]
    cases += [(fw, opt, fw, h) for _, fw, opt, h in grid()]  # the form's own line
    cases += [("mlx", "Adam", "torch", {"learning_rate": 1e-3, "betas": (beta1, beta2)})
              for beta1, beta2 in [(0.9, 0.95), (0.9, 0.98), (0.9, 0.999999), (0.9, 0.5),
                                   (0.0, 0.999)]]  # each course of the uncorrected steps
    out = run_js(JS_TRANSLATE, [[fw, opt, to, {k: list(v) if isinstance(v, tuple) else v
                                               for k, v in h.items()}]
                                for fw, opt, to, h in cases])
    differ = [(case, js) for case, js in zip(cases, out, strict=True)
              if js != as_json(translate(case[0], case[1], case[2], **case[3]))]
    assert not differ, differ[:3]
    assert sum(not t["exact"] and "× lr (most" in " ".join(t["notes"]) for t in out) > 20


def test_the_forms_javascript_refuses_bad_input_with_translate_pys_message():
    bad = [("jax", "adam", "torch", {}), ("optax", "Adam", "torch", {}),
           ("torch", "Adam", "tf", {}), ("torch", "Adam", "optax", {"beta1": 0.9}),
           ("torch", "Adam", "optax", {"lr": -0.001}), ("mlx", "Adam", "torch", {}),
           ("keras", "Adam", "optax", {"beta_2": 1.0}), ("torch", "Adam", "keras",
                                                         {"amsgrad": "yes"}),
           ("numpy", "Adam", "mlx", {"weight_decay": None})]
    out = run_js(JS_TRANSLATE, [list(case) for case in bad])
    for (fw, opt, to, h), js in zip(bad, out, strict=True):
        with pytest.raises(ValueError) as raised:
            translate(fw, opt, to, **h)
        assert js == {"error": str(raised.value)}


def test_the_forms_javascript_has_the_defaults_file():
    assert run_js("return tr.DEFAULTS;", None) == tr.DEFAULTS


# ---- the form in Chromium ------------------------------------------------------------------------

BREAKS_ONLY_AT_SPACES = """() => {
  // Each place where a line of shown code wraps, unless the wrap follows a space.
  const bad = [];
  for (const pre of document.querySelectorAll('#translate-app pre.tr-code')) {
    const walk = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let top = null, before = '';
    for (let text = walk.nextNode(); text; text = walk.nextNode()) {
      for (let i = 0; i < text.length; i++) {
        range.setStart(text, i); range.setEnd(text, i + 1);
        const rect = range.getClientRects()[0];
        if (rect && top !== null && rect.top > top + 2 && !before.endsWith(' '))
          bad.push(before.slice(-12) + '|' + text.data.slice(i, i + 6));
        if (rect) top = rect.top;
        before += text.data[i];
      }
    }
  }
  return bad;
}"""

SHOWN = """() => Object.fromEntries([...document.querySelectorAll('#translate-app .tr-result')]
  .map(s => [s.dataset.framework, s.querySelector('pre').textContent]))"""


@pytest.mark.browser
def test_the_form_moves_through_a_translation_by_keyboard_as_translate_py_does(
        browser, server):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    query = "?from=torch&optimizer=AdamW&lr=0.0003&betas=0.9,0.95&weight_decay=0.1"
    page.goto(server + "frameworks/" + query)
    page.wait_for_function("() => document.querySelectorAll('.tr-result').length === 4")
    h = {"lr": 3e-4, "betas": (0.9, 0.95), "weight_decay": 0.1}
    assert page.evaluate(SHOWN) == {to: translate("torch", "AdamW", to, **h).code
                                    for to in FRAMEWORKS if to != "torch"}
    # At a phone's width, a line of code breaks only at a space, never inside a number.
    assert page.evaluate(BREAKS_ONLY_AT_SPACES) == []
    # Keras, by keyboard: two options down, then along the fields with Tab.
    page.focus("#tr-from")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.querySelector('#tr-from').value === 'keras'")
    page.focus("#tr-from")
    order = ["tr-optimizer", "tr-arg-learning_rate", "tr-arg-weight_decay", "tr-arg-beta_1",
             "tr-arg-beta_2", "tr-arg-epsilon", "tr-arg-amsgrad"]
    for expected in order:
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == expected
        if expected == "tr-arg-learning_rate":
            page.keyboard.press("Control+A")
            page.keyboard.type("0.01")
        if expected == "tr-arg-beta_2":
            page.keyboard.press("Control+A")
            page.keyboard.type("0.95")
    page.keyboard.press("Space")  # amsgrad on
    page.wait_for_function("() => document.querySelector('#tr-arg-amsgrad').checked")
    h = {"learning_rate": 0.01, "beta_2": 0.95, "amsgrad": True}
    expected = {to: translate("keras", "AdamW", to, **h) for to in FRAMEWORKS if to != "keras"}
    assert page.evaluate(SHOWN) == {to: t.code for to, t in expected.items()}
    notes = page.evaluate("""() => [...document.querySelectorAll(
        '.tr-result[data-framework=optax] li')].map(li => li.textContent)""")
    assert notes == expected["optax"].notes
    # The state is in the link: reading it back shows the same translation.
    # The address follows the form after a short pause: wait for its last change.
    page.wait_for_function("() => location.search.includes('learning_rate=0.01')"
                           " && location.search.includes('amsgrad=on')")
    again = browser.new_page(viewport={"width": 390, "height": 844})
    again.goto(page.url)
    again.wait_for_function("() => document.querySelectorAll('.tr-result').length === 4")
    assert again.evaluate(SHOWN) == page.evaluate(SHOWN)
    # A phone's width: nothing scrolls sideways; every field has its label.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.evaluate("""() => [...document.querySelectorAll(
        '#translate-app input, #translate-app select')]
        .every(e => document.querySelector(`label[for="${e.id}"]`))""")
    page.fill("#tr-arg-beta_1", "1.5")
    page.keyboard.press("Tab")
    assert "beta_1 for keras.optimizers.AdamW must be in [0, 1)" in page.text_content(".tr-error")
    # A link restores what the form showed, whatever the number: translate.py's range.
    h = {"learning_rate": 20.0, "beta_2": 0.999999, "epsilon": 0.5}
    again.goto(server + "frameworks/?from=keras&optimizer=Adam&learning_rate=20"
               "&beta_2=0.999999&epsilon=0.5")
    again.wait_for_function("() => document.querySelectorAll('.tr-result').length === 4")
    assert again.evaluate(SHOWN) == {to: translate("keras", "Adam", to, **h).code
                                     for to in FRAMEWORKS if to != "keras"}
    assert [again.input_value(f"#tr-arg-{name}") for name in h] == ["20", "0.999999", "0.5"]
    # Out of translate.py's range, the link shows its message, as typing the number does.
    for query, call in [("from=torch&optimizer=Adam&lr=-1", ("torch", "Adam", {"lr": -1.0})),
                        ("from=optax&optimizer=adam&learning_rate=0.001&b2=1",
                         ("optax", "adam", {"learning_rate": 1e-3, "b2": 1.0}))]:
        again.goto(server + "frameworks/?" + query)
        again.wait_for_function("() => document.querySelector('.tr-error').textContent")
        with pytest.raises(ValueError) as raised:
            translate(call[0], call[1], "numpy", **call[2])
        assert again.text_content(".tr-error") == str(raised.value)
        assert again.evaluate("() => document.querySelectorAll('.tr-result').length") == 0
        refused = next(iter(call[2])) if call[0] == "torch" else "b2"
        assert again.evaluate("() => [...document.querySelectorAll('[aria-invalid=true]')]"
                              ".map((input) => input.name)") == [refused]
    again.fill("#tr-arg-b2", "0.99")  # a number in range: the mark goes with the message
    again.press("#tr-arg-b2", "Tab")
    again.wait_for_function("() => document.querySelectorAll('.tr-result').length === 4")
    assert again.evaluate("() => document.querySelectorAll('[aria-invalid]').length") == 0
    assert not errors
    page.close()
    again.close()


def test_a_page_line_table_marker_is_filled_with_the_registered_table():
    from snippets import values

    filled = values.fill("Before.\n\n[[table: frameworks-defaults]]\n\nAfter.")
    assert filled == f"Before.\n\n{tr.defaults_table()}\n\nAfter."
    with pytest.raises(values.ValueReferenceError, match="names no registered table"):
        values.fill("[[table: no-such-table]]")
