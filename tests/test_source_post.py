"""The source post's examples (snippets/source_post.py), run as the pages run them."""

from __future__ import annotations

import numpy as np
import pytest

from snippets.adam import adam_step
from snippets.source_post import run_section


def test_example_1_prints_one_step_of_lr_against_each_gradient_sign():
    _, printed = run_section("example1")
    assert printed.splitlines() == [
        "Updated parameters: [0.999 2.001]",
        "Updated first moment: [ 0.01 -0.02]",
        "Updated second moment: [1.e-05 4.e-05]",
    ]


def test_the_posts_adam_numpy_is_the_reference_adam_step_bit_for_bit():
    adam_numpy = run_section("adam_numpy")[0]["adam_numpy"]
    rng = np.random.default_rng(3)
    p, m, v = rng.standard_normal(50), np.zeros(50), np.zeros(50)
    ours = (p.copy(), m.copy(), v.copy())
    for t in range(1, 30):
        g = rng.standard_normal(50) * np.logspace(-4, 4, 50)
        p, m, v = adam_numpy(p, g, m, v, t, lr=0.01)
        ours = adam_step(*ours[:1], g, *ours[1:], t, lr=0.01)
        for a, b in zip((p, m, v), ours, strict=True):
            np.testing.assert_array_equal(a, b)


def test_example_2_moves_both_parameters_the_same_amount_contrary_to_the_post():
    _, printed = run_section("adam_numpy", "example2")
    assert len(printed.splitlines()) == 10
    last = printed.splitlines()[-1]
    assert last.startswith("Iteration: 9 Updated Parameters: [0.91510548 1.91510438]")
    first, second = 1 - 0.91510548, 2 - 1.91510438
    assert abs(first - second) / second < 2e-5  # the same move, to 0.002 %


def test_example_3_returns_only_the_parameters_and_throws_the_moments_away():
    namespace, printed = run_section("example3")
    assert printed.strip() == "Updated parameters: [0.999 2.001]"
    out = namespace["adam_simplified_update"](
        np.array([1.0]), np.array([0.5]), np.zeros(1), np.zeros(1), 1
    )
    assert isinstance(out, np.ndarray) and out.shape == (1,)  # no m, no v


def test_importing_the_module_runs_none_of_the_posts_code(capsys):
    import importlib

    import snippets.source_post as module

    importlib.reload(module)
    assert capsys.readouterr().out == ""
    assert not hasattr(module, "adam_numpy")


def test_an_unknown_section_is_an_error():
    with pytest.raises(ValueError, match="no section 'example4'"):
        run_section("example4")


def test_claim_example_2s_gradients_are_synthetic_constants_independent_of_the_parameters(
    says,
):
    says("adam.md", "Its gradients are not the gradients of any loss: they are synthetic "
                    "constants, `[0.001, 1.0]` divided by 5 and multiplied by 5 in turn, "
                    "and they do not depend on the parameters.")
    _, printed = run_section("adam_numpy", "example2")
    shown = np.array([[float(x) for x in line.split("[")[1].rstrip("]").split()]
                      for line in printed.splitlines()])
    # Replay with the reference step on a sequence fixed in advance: no loss, no parameters.
    sequence = [np.array([0.001, 1.0]) / (5 if k % 2 else 1) for k in range(10)]
    params, m, v, replay = np.array([1.0, 2.0]), np.zeros(2), np.zeros(2), []
    for t, g in enumerate(sequence, start=1):
        params, m, v = adam_step(params, g, m, v, t, lr=0.01)
        replay.append(params)
    np.testing.assert_allclose(shown, replay, rtol=0, atol=1e-8)  # as printed, 8 digits
    # From another start the same gradients give the same moves: nothing depends on params.
    other, m, v = np.array([-7.0, 3.0]), np.zeros(2), np.zeros(2)
    for t, g in enumerate(sequence, start=1):
        other, m, v = adam_step(other, g, m, v, t, lr=0.01)
    assert other - np.array([-7.0, 3.0]) == pytest.approx(replay[-1] - np.array([1.0, 2.0]))
    # The page's value is this replay.
    from snippets.adam_page import example2_move, example2_replay
    assert example2_replay() == pytest.approx(np.array(replay), abs=1e-15)
    assert example2_move() == pytest.approx(2.0 - replay[-1][1])
