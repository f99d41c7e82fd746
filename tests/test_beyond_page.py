"""The /beyond/ page (snippets/beyond_page.py): its table, figures' numbers and claims.

The optimizers themselves are checked against the frameworks in tests/test_beyond.py; this
file checks what the page says about them, and that snippets/beyond_frameworks.json (the
table's "shipped by") is what the installed frameworks ship: `python tests/test_beyond_page.py`
rewrites it.
"""

from __future__ import annotations

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


def test_claim_every_weight_moves_by_exactly_alpha_with_lion(says):
    says("beyond.md", "every weight moves by exactly $\\alpha$")
    sizes = bp.step_sizes_on_noise()
    assert np.all(sizes["Lion"] == 1.0)  # every coordinate of every step is +-lr
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


def test_claim_the_race_does_not_rank_the_optimizers(says):
    says("beyond.md", "of the size of the differences between seeds")
    says("beyond.md", "it does not rank them")
    for name, (grid, *_) in bp.racers().items():
        assert grid[0] < bp.best_lr(name) < grid[-1], f"{name}: the best rate is at an edge"
    means = [np.mean(bp.race_result(name)) for name in bp.racers()]
    assert max(means) - min(means) <= max(np.ptp(bp.race_result(n)) for n in bp.racers())


def test_the_race_trains_each_network_as_a_plain_loop_would():
    """The lockstep race gives a run what a plain loop over one network gives (AdamW: Lion's
    sign turns the rounding of a stacked matmul into whole steps of lr)."""
    from snippets.lab import init_mlp, lab_data, loss_and_grads

    X, y, X_val, y_val = lab_data()
    seed, lr = bp.SEEDS[1], bp.RACERS["AdamW"][0][1]
    params = init_mlp(bp.SIZES, seed=seed)
    optimizer, rng = bp._adamw(params, lr), np.random.default_rng(seed)
    for _ in range(bp.EPOCHS):
        order = rng.permutation(len(y))
        for start in range(0, len(y), bp.BATCH):
            optimizer.step(loss_and_grads(params, X[order[start:start + bp.BATCH]],
                                          y[order[start:start + bp.BATCH]])[1])
    raced = bp._runs_of("AdamW")[lr]["val_loss"][1]
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


def test_claim_lamb_and_adafactor_stay_well_below_every_optimizer_of_the_race(says):
    says("beyond.md", "their validation accuracy stayed well below that of every optimizer")
    runs = bp.race_runs(tuple(bp.LEFT_OUT))
    assert max(r["val_accuracy"].max() for r in runs.values()) < 0.7  # every run of the two
    assert min(np.mean(bp.race_result(name)) for name in bp.racers()) > 0.75


def test_the_state_column_counts_what_each_class_keeps():
    for name, (_, _, state, _) in bp.OPTIMIZERS.items():
        cls = getattr(bp.beyond, bp.CLASSES[name])
        if name == "Adafactor":
            assert cls.state_numbers((64, 32)) == 64 + 32  # "row and column averages"
        else:
            assert cls.state_numbers((64, 32)) == state.count("$") // 2 * 64 * 32, name


def test_this_pages_colours_are_new_and_stand_out_on_both_backgrounds():
    from test_figures import _contrast

    from snippets.figures import COLORS

    colours = list(bp.BEYOND_COLORS.values())
    assert len(set(colours)) == len(colours) and not set(colours) & set(COLORS.values())
    for background in ("#ffffff", "#1e2129"):  # Material's default and slate
        assert min(_contrast(c, background) for c in colours) >= 3


def test_claim_lamb_moves_each_layer_by_alpha_times_its_norm(says):
    says("beyond.md", "LAMB moves each by")
    steps = bp.relative_first_steps()
    np.testing.assert_allclose(steps["LAMB"], 1.0, rtol=1e-12)  # lr times the layer's norm
    assert steps["Adam"][1] / steps["Adam"][0] == pytest.approx(100, rel=1e-6)  # norms 10, 0.1
