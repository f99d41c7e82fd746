"""The /beyond/ page (snippets/beyond_page.py): its table, figures' numbers and claims.

The optimizers themselves are checked against the frameworks in tests/test_beyond.py; this
file checks what the page says about them, and that snippets/beyond_frameworks.json (the
table's "shipped by") is what the installed frameworks ship: `python tests/test_beyond_page.py`
rewrites it.
"""

from __future__ import annotations

import functools
import importlib
import json
import os

import numpy as np
import pytest

from snippets import beyond_page as bp

# Where a framework would ship each optimizer: every module and name that is looked for.
MODULES = {"torch": ("torch.optim",), "optax": ("optax", "optax.contrib"),
           "keras": ("keras.optimizers",), "mlx": ("mlx.optimizers",)}
NAMES = {
    "Lion": ("Lion", "lion"), "Muon": ("Muon", "muon"), "Adafactor": ("Adafactor", "adafactor"),
    "ADOPT": ("ADOPT", "Adopt", "adopt"), "AdEMAMix": ("AdEMAMix", "ademamix"),
    "LAMB": ("LAMB", "Lamb", "lamb"),
    "ScheduleFreeAdamW": ("ScheduleFreeAdamW", "schedule_free_adamw"),
    "Adam-atan2": ("AdamAtan2", "adam_atan2", "AdamAtan2"),
}
VERSIONS = {"torch": "torch", "optax": "optax", "keras": "keras", "mlx": "mlx.core"}


def installed(framework: str) -> tuple[str, dict]:
    """The framework's version, and where it ships each optimizer (None where it does not)."""
    from need import need

    if framework == "keras":
        os.environ.setdefault("KERAS_BACKEND", "jax")
    version = need(VERSIONS[framework]).__version__
    modules = [importlib.import_module(m) for m in MODULES[framework]]
    where = {}
    for optimizer, names in NAMES.items():
        where[optimizer] = next((f"{module.__name__}.{name}" for module in modules
                                 for name in names if hasattr(module, name)), None)
    return version, where


@pytest.mark.frameworks
@pytest.mark.parametrize("framework", list(MODULES))
def test_the_frameworks_file_is_what_the_installed_frameworks_ship(framework):
    version, where = installed(framework)
    data = bp.shipped()
    assert {name: data["optimizers"][name][framework] for name in NAMES} == where, (
        "run `python tests/test_beyond_page.py` to rewrite snippets/beyond_frameworks.json")
    assert data["versions"][framework] == version


def test_the_table_names_each_optimizer_once_with_its_frameworks_and_paper():
    rows = bp.optimizers_table().splitlines()[2:]
    assert [row.split("](")[0].lstrip("| [") for row in rows] == list(bp.OPTIMIZERS)
    data = bp.shipped()["optimizers"]
    for row, name in zip(rows, bp.OPTIMIZERS, strict=True):
        for path in filter(None, data[name].values()):
            assert f"`{path}`" in row
    assert rows[-1].split("|")[4].strip() == "none"  # Adam-atan2: no framework ships it


if __name__ == "__main__":  # rewrite snippets/beyond_frameworks.json from the installed ones
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    found = {fw: installed(fw) for fw in MODULES}
    data = {"versions": {fw: v for fw, (v, _) in found.items()},
            "optimizers": {name: {fw: found[fw][1][name] for fw in MODULES} for name in NAMES}}
    bp.FRAMEWORKS_FILE.write_text(json.dumps(data, indent=2) + "\n")


# ---- the figures' numbers and the page's claims --------------------------------------------


def test_claim_every_weight_whose_mix_is_not_zero_moves_by_alpha_with_lion(says):
    says("beyond.md", "every weight whose mix is not exactly zero moves by $\\alpha$")
    sizes = bp.step_sizes_on_noise()
    assert np.all(sizes["Lion"] == 1.0)  # every coordinate of every step is +-lr
    w = np.ones(3)  # a coordinate whose mix is 0 does not move: sign(0) = 0
    bp.beyond.Lion([w], lr=0.1, weight_decay=0.0).step([np.array([1.0, 0.0, -1.0])])
    np.testing.assert_array_equal(w, [0.9, 1.0, 1.1])
    assert np.mean(sizes["Adam"][-100:]) < 1 / 3  # Adam's steps on noise: a fraction of lr


def test_claim_on_noise_adams_step_is_the_noise_left_in_m_hat(says):
    says("beyond.md", "and so has Adam's step, in units of $\\alpha$")
    assert bp.adam_noise_rms() == pytest.approx(bp.ema_noise_rms(), rel=0.02)


def test_claim_muons_step_has_all_singular_values_near_1(says):
    says("beyond.md", "Muon's step has them all near 1")
    gradient, update = bp.muon_singular_values()
    assert gradient[-1] < 0.01  # the gradient's spread over orders of magnitude
    assert np.all((update > 0.6) & (update < 1.25))


def test_claim_the_class_runs_newton_schulz_in_bfloat16_as_torch_does(says):
    says("beyond.md", "runs\nNewton–Schulz in bfloat16; the class above does too")
    assert 1e-3 < bp.muon_bfloat16_gap() < 0.05  # rounded to 8 bits, not float32's 24


def test_claim_adam_atan2s_step_is_the_same_at_every_size(says):
    says("beyond.md", "the same at every size")
    adam, atan2 = bp.steady_steps(bp.ATAN2_SIZES)
    np.testing.assert_allclose(atan2, 1.0, rtol=1e-15)
    assert adam[bp.ATAN2_SIZES < 1e-9].max() < 0.1 < 0.99 < adam[bp.ATAN2_SIZES > 1e-6].min()


def test_claim_the_race_cannot_rank_them(says):
    says("beyond.md", "differ by up to [[value: beyond-race-spread]] percentage points")
    says("beyond.md", "With three seeds and a three-point\ngrid this cannot rank them. It says")
    says("beyond.md", "The rate stays constant: no optimizer has a decaying\nschedule")
    for name, (grid, *_) in bp.racers().items():
        assert grid[0] < bp.best_lr(name) < grid[-1], f"{name}: the best rate is at an edge"
    spreads = [np.ptp(bp.race_result(n)) for n in bp.racers()]
    assert bp.race_spread() == pytest.approx(100 * max(spreads))
    means = [np.mean(bp.race_result(name)) for name in bp.racers()]
    assert max(means) - min(means) <= max(spreads)  # the seeds differ as much as the means


def test_claim_lions_sweep_chose_its_middle_rate_a_grid_step_below_adamws(says):
    says("beyond.md", "Lion's sweep, on a grid placed [[value: beyond-race-lion-grid-ratio]] "
         "times below AdamW's, chose its middle rate")
    says("beyond.md", "Lion kept its default $\\lambda = 10^{-3}$")
    lion, adamw = bp.RACERS["Lion"][0], bp.RACERS["AdamW"][0]
    assert bp.best_lr("Lion") == lion[1] and bp.best_lr("AdamW") == adamw[1]
    assert bp.race_lion_lr_ratio() == bp.race_lion_grid_ratio() == pytest.approx(3.0)
    import inspect

    assert inspect.signature(bp.beyond.Lion).parameters["weight_decay"].default == 1e-3


def test_claim_ademamix_is_close_to_adam_in_the_race(says):
    says("beyond.md", "it gathers only [[value: beyond-race-ademamix-filled]]\nof its weight, "
         "so here AdEMAMix is close to Adam")
    assert bp.race_steps() == 208 and bp.race_ademamix_filled() < 0.03
    assert bp.ADEMAMIX_ALPHA * bp.race_ademamix_filled() < 0.15  # of m_hat's weight, 1
    ademamix, adamw = bp._runs_of("AdEMAMix"), bp._runs_of("AdamW")
    for lr in set(ademamix) & set(adamw):  # seed by seed, at the same rates
        np.testing.assert_allclose(ademamix[lr]["val_loss"], adamw[lr]["val_loss"], atol=0.03)


def test_the_race_trains_each_network_as_a_plain_loop_would():
    """The lockstep race gives a run what a plain loop over one network gives (AdamW, and
    LAMB with AdamW on the biases; not Lion: its sign turns the rounding of a stacked matmul
    into whole steps of lr)."""
    from snippets.lab import lab_data, loss_and_grads

    _, _, X_val, y_val = lab_data()
    seed, lr = bp.SEEDS[1], bp.RACERS["AdamW"][0][1]
    params = bp.train_one(lambda p: bp._adamw(p, lr), seed=seed)
    raced = bp._runs_of("AdamW")[lr]["val_loss"][1]
    np.testing.assert_allclose(loss_and_grads(params, X_val, y_val)[0], raced, rtol=1e-9)

    class LambAndAdamW:  # LAMB on the one network's weight matrices, AdamW on its biases
        def __init__(self, params):
            self.lamb = bp.beyond.LAMB(params[0::2], lr=lr)
            self.adamw = bp._adamw(params[1::2], bp.best_lr("AdamW"))

        def step(self, grads):
            self.lamb.step(grads[0::2])
            self.adamw.step(grads[1::2])

    lr = bp.RACERS["LAMB"][0][1]
    params = bp.train_one(LambAndAdamW, seed=seed)
    raced = bp._runs_of("LAMB")[lr]["val_loss"][1]
    np.testing.assert_allclose(loss_and_grads(params, X_val, y_val)[0], raced, rtol=1e-9)


def test_the_ademamix_figure_uses_the_class_defaults_and_adafactor_keeps_n_plus_m():
    import inspect

    defaults = inspect.signature(bp.beyond.AdEMAMix).parameters
    assert defaults["betas"].default[::2] == (bp.ADEMAMIX_BETA1, bp.ADEMAMIX_BETA3)
    assert defaults["alpha"].default == bp.ADEMAMIX_ALPHA
    assert bp.second_moment_numbers(4096) == (4096**2, 2 * 4096)


def test_claim_adam_goes_to_the_worst_point_and_adopt_to_the_best(says):
    says("beyond.md", "Adam\ngoes to the worst point and ADOPT to the best")
    runs = bp.adopt_on_counterexample()
    assert runs["Adam"][-1] == 1.0  # the worst point of [-1, 1]
    assert runs["ADOPT"][-1] < -0.95  # next to the best, -1


def test_claim_the_average_keeps_going_down_where_z_stalls(says):
    says("beyond.md", "the average keeps going down")
    losses = bp.schedule_free_losses()
    assert losses["x"][-1] < losses["x"][500] / 2  # still falling in the second half
    assert bp.sf_x_loss() < bp.sf_z_loss() / 3  # and well below the fast iterate
    says("beyond.md", "$z$ keeps taking steps of about $\\gamma$ per weight and does not settle")
    assert 0.5 < np.mean(losses["z_step"][-100:]) / bp.SF_LR < 1.5


def test_claim_lamb_and_adafactor_cannot_move_the_zero_biases_so_adamw_trains_them(says):
    says("beyond.md", "LAMB and Adafactor train every weight matrix, and\nAdamW, at that same "
         "rate, the biases")
    says("beyond.md", "Neither can move the biases far")
    rms = bp.bias_rms_trained_alone()
    assert max(rms["LAMB"], rms["Adafactor"]) < 0.05 < 0.3 < rms["AdamW"]
    # with AdamW on the biases, both train the network as the others do
    assert min(np.mean(bp.race_result(name)) for name in bp.racers()) > 0.75
    for name in ("LAMB", "Adafactor"):
        assert isinstance(bp.RACERS[name][1], functools.partial)
        assert bp.RACERS[name][1].keywords["split"] is bp.matrices_and_biases


def test_claim_a_relu_network_with_zero_biases_scales_with_its_input(says):
    says("beyond.md", "$f(cx) = c f(x)$ for $c > 0$")
    from snippets.lab import init_mlp

    params = [p[None] for p in init_mlp(bp.SIZES, seed=0)]
    for b in params[1::2]:
        b[...] = 0.0
    x = np.random.default_rng(0).standard_normal((1, 5, 2))
    np.testing.assert_allclose(bp._stacked_forward(params, 3.0 * x),
                               3.0 * bp._stacked_forward(params, x), rtol=1e-12)


def test_claim_torch_adafactor_inflates_float32_steps_of_small_gradients(says):
    """torch divides by mean(R) clamped at eps1, not eps1^2: the class computes what torch
    does, in float32 (the page's value), and a gradient of RMS 1 is not inflated."""
    from need import need

    torch = need("torch")
    says("beyond.md", "then ten times less, after the drop its\nsteps were up to "
         "[[value: beyond-adafactor-inflated]] times the paper's")
    ours = bp.adafactor_small_gradient_steps()
    assert ours.max() > 3 and bp.adafactor_inflated() == ours.max()
    assert ours[:100].max() < 1.1  # before the drop (step 100), about the paper's
    rng = np.random.default_rng(0)  # the run of beyond_page, in torch
    grads = [rng.standard_normal(bp.ADAFACTOR_SHAPE) * (1.0 if t < 100 else 0.1)
             for t in range(bp.ADAFACTOR_STEPS)]

    def torch_steps(scale, dtype):
        w = torch.ones(bp.ADAFACTOR_SHAPE, dtype=dtype, requires_grad=True)
        optimizer, out = torch.optim.Adafactor([w]), []
        for g in grads:
            before = w.detach().clone()
            w.grad = torch.tensor(g * scale, dtype=dtype)
            optimizer.step()
            out.append(float((w.detach() - before).double().pow(2).mean().sqrt()))
        return np.array(out)

    paper = torch_steps(1.0, torch.float64)
    np.testing.assert_allclose(torch_steps(bp.ADAFACTOR_SMALL, torch.float32) / paper, ours,
                               rtol=1e-3)
    np.testing.assert_allclose(torch_steps(1.0, torch.float32) / paper, 1.0, rtol=1e-4)


def test_claim_the_papers_eps1_in_float32_turns_zero_biases_rows_and_columns_into_nan(says):
    from need import need

    torch = need("torch")
    says("beyond.md", "torch squares it to 0, and a bias\nwhose gradient has always been 0, "
         "or a matrix row or column whose gradients\nhave, becomes NaN.")
    matrix, bias = np.ones((3, 4), np.float32), np.ones(4, np.float32)
    matrix[0, 0] = 0.0  # one weight whose gradient is 0, its row and column not
    matrix[:, 1] = 0.0  # a column whose gradients are 0
    bias[2] = 0.0
    for dtype, nan in ((np.float32, True), (np.float64, False)):
        grads = [matrix.astype(dtype), bias.astype(dtype)]
        ws = [torch.ones(g.shape, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True)
              for g in grads]
        for w, g in zip(ws, grads, strict=True):
            w.grad = torch.tensor(g)
        torch.optim.Adafactor(ws, eps=(1e-30, 1e-3)).step()
        ps = [np.ones(g.shape, dtype) for g in grads]
        with np.errstate(invalid="ignore"):  # 0 / 0
            bp.beyond.Adafactor(ps, eps=(1e-30, 1e-3)).step(grads)
        for p, w in zip(ps, ws, strict=True):
            np.testing.assert_array_equal(p, w.detach().numpy())  # NaN where torch has NaN
        assert np.isfinite(ps[0][0, 0])  # the single zero entry stays finite
        np.testing.assert_array_equal(np.isnan(ps[0]).any(axis=0), [False, nan, False, False])
        np.testing.assert_array_equal(np.isnan(ps[1]), [False, False, nan, False])


def test_claim_schedule_free_averages_from_the_first_steps_z(says):
    says("beyond.md", "($1/t$ without warmup: the average starts from the first step's $z$")
    w = np.ones(3)
    optimizer = bp.beyond.ScheduleFreeAdamW([w], lr=0.1)
    for t in range(1, 4):
        optimizer.step([np.array([1.0, -2.0, 0.5]) * t])
        if t == 1:  # c = 1: x = z, the starting point is not in the average
            np.testing.assert_array_equal(optimizer.eval_params()[0], optimizer.z[0])
    says("beyond.md", "takes AdamW's steps without its\nmomentum")
    gs = [np.array([1.0, -2.0, 0.5]), np.array([-3.0, 1.0, 2.0])]
    optimizer = bp.beyond.ScheduleFreeAdamW([np.ones(3)], lr=0.1)
    for t, g in enumerate(gs, start=1):
        b2 = optimizer.beta2
        z, v = optimizer.z[0].copy(), optimizer.v[0] * b2 + (1 - b2) * g * g
        optimizer.step([g])  # z's step: this gradient over sqrt(v_hat), no average of g's
        step = 0.1 * g / (np.sqrt(v / (1 - b2**t)) + optimizer.eps)
        np.testing.assert_allclose(optimizer.z[0], z - step, rtol=1e-14)


def test_claim_torch_adafactor_takes_the_papers_other_changes(says):
    says("beyond.md", "$\\beta_2$ grows\nas $1 - t^{-0.8}$, with no bias correction")
    says("beyond.md", "$U_t$ is\nclipped to an RMS of at most $d$")
    g1, g2 = np.array([3.0, -1.0]), np.array([1.0, 2.0])
    p = np.full(2, 5.0)  # RMS(p) = 5: steps relative to it
    optimizer = bp.beyond.Adafactor([p], lr=0.1)
    optimizer.step([g1])  # beta2_1 = 0: R = g1^2; U = sign(g1), RMS 1; rho = min(0.1, 1)
    np.testing.assert_allclose(p, 5.0 - 5.0 * 0.1 * np.sign(g1), rtol=1e-14)
    w = 2.0**-0.8  # 1 - beta2_2
    optimizer.step([g2])
    np.testing.assert_allclose(optimizer.R[0], (1 - w) * g1**2 + w * g2**2, rtol=1e-14)
    for _ in range(3, 401):
        optimizer.step([g2])
    before = p.copy()
    optimizer.step([g2 * 1e6])  # t = 401: rho = 1 / sqrt(401) < lr; U clipped to RMS 1
    np.testing.assert_allclose(bp.beyond.rms(p - before), bp.beyond.rms(before) / 401**0.5,
                               rtol=1e-9)
    q = np.zeros(2)  # a weight at 0 moves by eps2 = 1e-3 times rho at most
    bp.beyond.Adafactor([q], lr=0.1).step([g1])
    np.testing.assert_allclose(np.abs(q), 1e-3 * 0.1, rtol=1e-14)


def test_claim_torch_muon_scales_only_tall_matrices(says):
    from need import need

    torch = need("torch")
    says("beyond.md", "a factor\n$\\sqrt{\\max(1, \\text{rows}/\\text{columns})}$ "
         "for tall matrices")
    from torch.optim._muon import _adjust_lr

    for shape in ((16, 32), (32, 32), (64, 16)):
        ours = bp.beyond.Muon.ADJUST_LR[None](*shape)
        assert ours == _adjust_lr(1.0, None, torch.Size(shape))
        assert (ours > 1) == (shape[0] > shape[1])
    assert isinstance(bp.RACERS["Muon"][1], functools.partial)
    muon = bp.RACERS["Muon"][1].keywords["make"]([np.ones((4, 4))], 0.1)
    assert muon.ns_dtype == "float32"  # in the race, as the page says
    says("beyond.md", "with Newton–Schulz in float32 here\n(not bfloat16 as in torch)")


def test_the_state_column_counts_what_each_class_keeps():
    for name, (_, _, state, _) in bp.OPTIMIZERS.items():
        cls = getattr(bp.beyond, bp.CLASSES[name])
        if name == "Adafactor":
            assert cls.state_numbers((64, 32)) == 64 + 32  # "row and column averages"
        else:
            assert cls.state_numbers((64, 32)) == state.count("$") // 2 * 64 * 32, name


def test_this_pages_colours_are_the_sites_and_stand_out_on_both_backgrounds():
    from test_figures import _contrast

    from snippets.figures import COLORS

    colours = list(bp.BEYOND_COLORS.values())
    assert len(set(colours)) == len(colours) and set(colours) <= set(COLORS.values())
    for background in ("#ffffff", "#1e2129"):  # Material's default and slate
        assert min(_contrast(c, background) for c in colours) >= 3


def test_claim_lamb_moves_a_layer_of_norm_0_by_alpha_per_weight_at_first(says):
    says("beyond.md", "LAMB's is\n$\\alpha$ times the layer's norm ($\\alpha$ per weight at "
         "first, while that norm is 0).")
    biases = np.zeros(16)
    g = np.random.default_rng(0).standard_normal(16)
    bp.beyond.LAMB([biases], lr=1e-3).step([g])
    np.testing.assert_allclose(np.abs(biases), 1e-3, rtol=1e-4)  # trust ratio 1, Adam's +-1


def test_claim_torch_adafactor_sets_eps1_by_default_to_the_dtypes_machine_epsilon(says):
    from need import need

    torch = need("torch")
    says("beyond.md", "`torch.optim.Adafactor` sets $\\varepsilon_1$ by default to the dtype's "
         "machine epsilon")

    def float32_step(eps1):  # a gradient of 1e-9, below float32's machine epsilon
        w = torch.ones(4, dtype=torch.float32, requires_grad=True)
        w.grad = torch.full((4,), 1e-9)
        torch.optim.Adafactor([w], eps=(eps1, 1e-3)).step()
        return 1 - float(w.detach()[0])

    eps32 = float(np.finfo(np.float32).eps)
    assert float32_step(None) == pytest.approx(1e-2 * 1e-9 / eps32, rel=1e-2)  # the default
    assert float32_step(1e-12) == pytest.approx(1e-2, rel=1e-3)  # a given eps1 is kept


def test_claim_lamb_moves_each_layer_by_alpha_times_its_norm(says):
    says("beyond.md", "LAMB moves each by $\\alpha$ times its norm")
    says("beyond.md", "(the paper allows a scaling function $\\phi(\\lVert\\theta\\rVert)$")
    steps = bp.relative_first_steps()
    np.testing.assert_allclose(steps["LAMB"], 1.0, rtol=1e-12)  # lr times the layer's norm
    assert steps["Adam"][1] / steps["Adam"][0] == pytest.approx(100, rel=1e-6)  # norms 10, 0.1
