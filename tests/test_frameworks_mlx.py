"""/frameworks/ and MLX: the MLX tab, its column of the table and its section, run in MLX.

Every test runs MLX itself (``make frameworks`` installs it; on Linux, its CPU backend).
Where it is missing the tests skip, saying so; under CI=true they fail.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from need import need
from test_frameworks import run_sections

from snippets import frameworks as page
from snippets.frameworks import LR, mlx_adam_step, reference_path, rosenbrock_grad_by_hand

pytestmark = pytest.mark.frameworks


@pytest.fixture(scope="module")
def mlx():
    return need("mlx.core"), need("mlx.optimizers")


def run(mlx, optimizer, grads, start, dtype="float64"):
    """optimizer on one MLX array from start, through grads; the path as NumPy."""
    mx, _ = mlx
    dtype = getattr(mx, dtype)
    params, path = {"w": mx.array(np.asarray(start), dtype=dtype)}, [np.asarray(start, float)]
    for g in grads:
        params = optimizer.apply_gradients({"w": mx.array(np.asarray(g), dtype=dtype)}, params)
        mx.eval(params, optimizer.state)
        path.append(np.array(params["w"], dtype=np.float64))
    return np.array(path)


def test_mlx_tab_is_mlx_adam_step_and_within_the_gap_of_the_numpy_path(mlx, says):
    says("frameworks.md", "`mlx_adam_step`\n  ([below](#mlx)), a NumPy model of exactly that, "
         "matches the MLX tab to $10^{-13}$.")
    namespace, printed = run_sections("frameworks.py:problem", "frameworks.py:mlx")
    path = np.array(namespace["path"])
    assert np.abs(path - page.mlx_rosenbrock_path()).max() <= 1e-13
    gap = np.abs(path - reference_path()).max()
    assert 1e-7 < gap and gap == pytest.approx(page.mlx_gap(), rel=1e-6)  # not float64's
    assert printed.splitlines()[0] == "step    1: w = (-1.150000, +1.050000)  loss 12.048186"


def test_mlx_computes_in_float32_unless_asked_for_float64_array_by_array(mlx, says):
    mx, _ = mlx
    says("frameworks.md", "MLX computes in `float32` by default; its CPU also computes in\n"
         "        `float64`, asked for array by array.")
    assert mx.array([1.0]).dtype == mx.float32 and mx.ones(2).dtype == mx.float32
    x = mx.array([1.0, 2.0], dtype=mx.float64)
    assert (mx.sqrt(x) * x).dtype == mx.float64
    assert float(mx.sqrt(x)[1]) == 2.0**0.5  # float64's sqrt(2), not float32's


def test_claim_mlx_keeps_lr_and_beta_powers_in_float32(mlx, says):
    mx, optim = mlx
    says("frameworks.md", "MLX keeps its learning rate, and computes\n  $\\beta_1^t$ and "
         "$\\beta_2^t$, in `float32` whatever the arrays' type")
    optimizer = optim.Adam(learning_rate=0.05, bias_correction=True)
    run(mlx, optimizer, [np.ones(2)], np.zeros(2))
    assert optimizer.state["learning_rate"].dtype == mx.float32
    assert (0.999 ** optimizer.step).dtype == mx.float32  # as MLX's Adam computes b2**step
    # The first step's relative error is that of 1 / sqrt(1 - float32(0.999)):
    g = np.array([1.0])
    path = run(mlx, optim.Adam(learning_rate=1.0, eps=0.0, bias_correction=True), [g], [0.0])
    assert abs(-path[1, 0] - 1) == pytest.approx(page.mlx_first_step_error(), rel=1e-3)


def test_mlx_adam_step_is_mlx_adam_with_and_without_bias_correction(mlx, says):
    _, optim = mlx
    says("frameworks.md", "This NumPy\nmodel of both modes matches `mlx.optimizers.Adam` to "
         "$10^{-13}$ in `float64`")
    rng = np.random.default_rng(5)
    grads = [rng.standard_normal(6) * np.logspace(-9, 1, 6) for _ in range(300)]
    for correct in (False, True):
        options = {"learning_rate": 0.01, "betas": [0.8, 0.99], "eps": 1e-7}
        theirs = run(mlx, optim.Adam(**options, bias_correction=correct), grads, np.ones(6))
        w, m, v = np.ones(6), np.zeros(6), np.zeros(6)
        for t, g in enumerate(grads, start=1):
            w, m, v = mlx_adam_step(w, g, m, v, t, 0.01, 0.8, 0.99, 1e-7, correct)
        assert np.abs(theirs[-1] - w).max() <= 1e-13


def test_claim_mlx_default_adam_has_no_bias_correction_and_no_default_learning_rate(mlx, says):
    _, optim = mlx
    says("frameworks.md", "`mlx.optimizers.Adam` and `AdamW` take `bias_correction`, and it "
         "defaults to\n`False`")
    for name in ("Adam", "AdamW"):
        parameters = inspect.signature(getattr(optim, name)).parameters
        assert parameters["bias_correction"].default is False
        assert parameters["learning_rate"].default is inspect.Parameter.empty
        assert not {"amsgrad", "maximize"} & set(parameters)  # the table's "none"
    # Uncorrected: m / (sqrt(v) + eps), whatever t is.
    grads = [np.array([0.3, -2.0]), np.array([1.0, 0.5]), np.array([-0.1, 4.0])]
    path = run(mlx, optim.Adam(learning_rate=0.1), grads, np.zeros(2))
    w, m, v = np.zeros(2), np.zeros(2), np.zeros(2)
    for g in grads:
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
        w = w - float(np.float32(0.1)) * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(path[-1], w, rtol=1e-12)


def test_claim_mlx_default_adam_steps_3_16_lr_first_and_above_lr_for_thousands(mlx, says):
    _, optim = mlx
    says("frameworks.md", "In `float64`, the steps grow to [[value: frameworks-mlx-largest-step]] "
         "learning rates and\nstay more than 1 % above one learning rate until step\n"
         "[[value: frameworks-mlx-above-until]].")
    namespace, printed = run_sections("frameworks.py:setup", "frameworks.py:mlx_uncorrected")
    assert printed.splitlines()[1].split() == ["1", "3.162"]
    until = page.mlx_above_until()
    steps = -np.diff(run(mlx, optim.Adam(learning_rate=1e-3), [np.ones(1)] * (until + 1),
                         [0.0])[:, 0]) / float(np.float32(1e-3))  # float64 arrays
    np.testing.assert_allclose(steps, page.mlx_default_steps(until + 1), rtol=1e-9)
    assert steps[0] == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-6) == page.mlx_first_step()
    assert steps.max() == pytest.approx(page.mlx_largest_step(), rel=1e-9)
    assert steps[until - 1] > 1.01 >= steps[until]
    corrected = -np.diff(run(mlx, optim.Adam(learning_rate=1e-3, bias_correction=True),
                             [np.ones(1)] * 100, [0.0])[:, 0]) / float(np.float32(1e-3))
    np.testing.assert_allclose(corrected, 1.0, rtol=1e-4)  # "each ... one lr (to 1e-4)"


def test_claim_mlx_adamw_decays_as_pytorch_with_the_same_default(mlx, says):
    _, optim = mlx
    import torch

    says("frameworks.md", "MLX's `AdamW` decays as PyTorch's does")
    assert inspect.signature(optim.AdamW).parameters["weight_decay"].default == 0.01
    assert inspect.signature(torch.optim.AdamW).parameters["weight_decay"].default == 0.01
    path = run(mlx, optim.AdamW(learning_rate=0.1, weight_decay=0.5), [np.zeros(1)], [2.0])
    assert path[1, 0] == pytest.approx(2.0 * (1 - float(np.float32(0.1)) * 0.5), rel=1e-15)


def test_claim_mlx_adamax_does_not_correct_m_torch_does(mlx, says):
    _, optim = mlx
    import torch

    says("frameworks.md", "`mlx.optimizers.Adamax` has no `bias_correction`\nargument and "
         "never corrects $m_t$")
    assert "bias_correction" not in inspect.signature(optim.Adamax).parameters
    steps = -np.diff(run(mlx, optim.Adamax(learning_rate=1.0), [np.ones(1)] * 20, [0.0])[:, 0])
    t = np.arange(1, 21)
    np.testing.assert_allclose(steps, (1 - 0.9**t) / (1 + 1e-8), rtol=1e-6)
    assert steps[0] == pytest.approx(page.mlx_adamax_first(), rel=1e-6)
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.Adamax([w], lr=1.0)
    w.grad = torch.ones(1, dtype=torch.float64)
    optimizer.step()
    assert -w.item() == pytest.approx(1.0, rel=1e-6)  # one lr from the first step


def test_rosenbrock_path_of_the_model_uses_the_hand_gradient():
    path = page.mlx_rosenbrock_path()
    assert np.allclose(path[1] - path[0], -LR * np.sign(rosenbrock_grad_by_hand(path[0])),
                       rtol=1e-4)


def test_the_mlx_uncorrected_figure_shows_its_peak():
    from matplotlib.figure import Figure

    from snippets import figures

    spec = figures.REGISTRY["mlx-uncorrected"]  # registered when snippets.frameworks loads
    fig = Figure(figsize=spec.size, layout="constrained")
    spec.draw(fig, figures.THEMES["light"])
    (ax,) = fig.axes
    peak = max(line.get_ydata().max() for line in ax.get_lines())
    assert peak == pytest.approx(page.mlx_largest_step(), rel=0.01)
    assert ax.get_ylim()[1] >= peak * 1.1  # the whole curve, with room to spare


def test_mlx_takes_pytorchs_steps_on_a_steady_tiny_gradient(mlx):
    """keras-tiny-gradients draws MLX with PyTorch and Optax: its ε is added to √v̂ too."""
    _, optim = mlx
    for g in (1e-5, 1e-6, 1e-7):
        optimizer = optim.Adam(learning_rate=1.0, bias_correction=True)  # eps=1e-8
        path = run(mlx, optimizer, [np.full(1, g)] * 100, [0.0])
        steps = -np.diff(path[:, 0])
        expected = [page._steady_step(g, t, keras=False) for t in range(1, 101)]
        # MLX keeps lr and the beta powers in float32 (see the claim above).
        np.testing.assert_allclose(steps, expected, rtol=1e-4)
