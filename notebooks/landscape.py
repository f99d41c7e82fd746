# ---
# jupyter:
#   description: >-
#     Notebook for layer 1: run gradient descent on the valley and the bowl, find the
#     step size where it diverges, measure the noise floor of SGD, and change the
#     numbers yourself.
#   typed_numbers:
#     what the notebook needs (Python version): [3.10]
#     the landscapes' definitions (curvatures, start point): [25, 0.1, 2.5]
#     the learning rates the exercises try: [0.079, 0.08, 0.081, 0.07, 0.071, 0.078, 0.21]
#     the loss the exercises count steps to: [1e-6]
#     the denominator of 2/26, the sum of the valley's curvatures 1 and 25: [26]
#     the exercises' settings (steps, learning rates): [50, 0.01, 0.005]
#     the noisy run's settings (steps averaged over): [1000, 4000]
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Notebook 1: the loss landscape
#
# This notebook runs the code of layer 1 of *Adam, Layer by Layer*,
# [the loss landscape](https://adam-layer-by-layer.github.io/adam/landscape/), and
# adds plots and exercises. Run it from top to bottom (in Jupyter: *Run All*), then
# change the numbers at the top of a cell and run that cell again. It needs Python
# 3.10 or newer with NumPy and matplotlib, and nothing else: all the code is in the
# notebook.
#
# Gradient descent starts at a point $\theta_0$ and repeats one step: with
# $g_t = \nabla f(\theta_{t-1})$, the gradient of the loss $f$ at the current point,
#
# $$\theta_t = \theta_{t-1} - \alpha\, g_t ,$$
#
# where $\alpha > 0$ is the learning rate. The landscapes are 2-D, $\theta = (x, y)$,
# so that every path can be drawn on a map.

# %% [markdown]
# ## The code from the site
#
# First the pieces every page shares: the argument checks of `adam.py`, the
# `Surface` type of `surfaces.py` (a loss, its exact gradient, a start point), the
# optimizer base class and `trajectory` of `optimizers.py` (it runs an optimizer
# from the start point and returns every point it visits, one row per step).

# %%
--8<-- "snippets/adam.py:setup"
--8<-- "snippets/adam.py:checks"

# %%
--8<-- "snippets/surfaces.py:setup"
--8<-- "snippets/surfaces.py:surface"
--8<-- "snippets/optimizers.py:optimizer"
--8<-- "snippets/optimizers.py:trajectory"

# %% [markdown]
# The valley $f(x, y) = \tfrac12 (x^2 + 25 y^2)$, with curvature 1 along $x$ and 25
# across, the bowl $f(x, y) = \tfrac12 (0.1 x^2 + 10 y^2)$, noisy gradients, and
# gradient descent itself:

# %%
--8<-- "snippets/surfaces.py:valley"

--8<-- "snippets/surfaces.py:bowl"

--8<-- "snippets/surfaces.py:noisy"

--8<-- "snippets/optimizers.py:sgd"

# %% [markdown]
# Last, the plotting helpers of these notebooks and the colours of the site's
# figures (one per optimizer):

# %%
--8<-- "snippets/notebooks.py:setup"
--8<-- "snippets/notebooks.py:pyplot"
--8<-- "snippets/notebooks.py:colors"
--8<-- "snippets/notebooks.py:plotting"

# %% [markdown]
# ## Steepness is not distance
#
# The gradient says how steep the ground is where you stand, not where the minimum
# is. On the valley's walls it points across the valley, not along it:

# %%
--8<-- "snippets/landscape.py:setup"
--8<-- "snippets/landscape.py:slope_vs_distance"

# %% [markdown]
# ## How large a step?
#
# Three learning rates on the valley. The largest curvature is $L = 25$ (across
# the valley), and gradient descent converges only for $\alpha < 2/L$, here
# [[value: nb-valley-limit]].

# %%
--8<-- "snippets/landscape.py:loss_along"
--8<-- "snippets/landscape.py:step_sizes"

# %%
--8<-- "snippets/notebooks.py:landscape_step_sizes"

# %% [markdown]
# On a parabola $f(\theta) = \tfrac12 L\theta^2$ every step multiplies $\theta$ by the
# same factor $1 - \alpha L$, which is why $2/L$ is the limit:

# %%
--8<-- "snippets/landscape.py:threshold"

# %% [markdown]
# **Exercise 1.** In the cell with the three maps, set
# `alphas = [0.079, 0.08, 0.081]` and run it again. What happens exactly at
# $\alpha = 2/L$?
#
# <details class="success"><summary>What you should see</summary>
#
# Along the valley ($x$, factor $1 - \alpha$) all three converge. Across it ($y$,
# factor $1 - 25\alpha$) the factor is [[value: nb-landscape-factor-below]], $-1$ and
# [[value: nb-landscape-factor-above]]: at 0.079 the zig-zag shrinks slowly, at 0.08 it
# keeps the same width forever, so the loss stops falling at
# $\tfrac12 \cdot 25 \cdot y_0^2$ with $y_0 = 1$ (after 50 steps it is
# [[value: nb-landscape-loss-at-limit]]), and at 0.081 the zig-zag grows by
# [[value: nb-landscape-growth-above]] a step: after 50 steps $|y|$ is
# [[value: nb-landscape-y-above]].
#
# </details>
#
# **Exercise 2.** Which single $\alpha$ reaches a loss below $10^{-6}$ in the fewest
# steps? Try values between 0.07 and 0.08 with
# `steps_to(trajectory(partial(SGD, lr=alpha), VALLEY, steps=1000), VALLEY)`.
#
# <details class="success"><summary>What you should see</summary>
#
# The two factors have the same size, $1 - \alpha = -(1 - 25\alpha)$, at
# $\alpha = 2/26$, about [[value: nb-landscape-balanced-alpha]], where both shrink by
# [[value: nb-landscape-balanced-factor]] a step
# ([[value: nb-landscape-balanced-steps]] steps). The fewest steps are at a slightly
# smaller $\alpha$: [[value: nb-landscape-fastest-steps]] at
# [[value: nb-landscape-fastest-alpha]], the best of 0.070, 0.071, ..., 0.080. Below
# $2/26$ the slower direction is $x$, whose part of the loss starts four times smaller
# than $y$'s ($\tfrac12 \cdot 2.5^2$ against $\tfrac12 \cdot 25 \cdot 1^2$). Above
# $2/26$ the zig-zag across the valley is the slow part, and it quickly gets slower:
# [[value: nb-landscape-steps-0078]] steps at 0.078, never at 0.08.
#
# </details>

# %% [markdown]
# ## Noisy gradients
#
# In training, each step sees the gradient of a random minibatch: the true gradient
# plus noise. `noisy(VALLEY, noise)` adds Gaussian noise of standard deviation
# `noise` to each gradient coordinate. Near the minimum the noise no longer shrinks
# while the slope does, so the path never settles: the loss stops falling at a
# floor, which for a quadratic with curvatures $\lambda_i$ is
#
# $$\mathbb{E}[f] \approx \frac{\alpha\sigma^2}{2} \sum_i \frac{1}{2 - \alpha\lambda_i}.$$

# %%
--8<-- "snippets/landscape.py:noise_floor"
--8<-- "snippets/notebooks.py:landscape_noise"

# %% [markdown]
# The dotted lines are the formula. The averages are over steps 1000 to 4000 of one
# run, so they are off by a few percent.
#
# **Exercise 3.** Set `noise = 0.5` and run the cell again. By how much does the
# floor drop? Then put `noise` back to 1 and replace 0.01 by 0.005: what do you gain
# and what do you pay?
#
# <details class="success"><summary>What you should see</summary>
#
# The floor is proportional to $\sigma^2$: half the noise, a quarter of the loss
# (by the formula [[value: nb-landscape-floor-004-half-noise]] and
# [[value: nb-landscape-floor-001-half-noise]] instead of
# [[value: nb-landscape-floor-004]] and [[value: nb-landscape-floor-001]]). With
# $\alpha = 0.005$ the floor halves again, to [[value: nb-landscape-floor-0005]], but it
# takes longer to get there: without the noise, the loss would fall to the floor after
# [[value: nb-landscape-floor-steps-0005]] steps instead of the
# [[value: nb-landscape-floor-steps-001]] it takes at 0.01. A smaller step is more precise
# and slower.
#
# </details>

# %% [markdown]
# ## One learning rate for every direction
#
# The bowl's two directions want different learning rates: its curvatures are 0.1
# along $x$ and 10 along $y$. The $\alpha$ with the best long-run factor,
# $2/(0.1 + 10)$, balances the two factors, and still each step removes only
# [[value: nb-landscape-one-rate-progress]] of the distance:

# %%
--8<-- "snippets/landscape.py:one_rate"

# %%
--8<-- "snippets/notebooks.py:landscape_one_rate"

# %% [markdown]
# **Exercise 4.** Set `alpha = 0.21` in the cell above. Which coordinate diverges,
# and why that one? Then try `alpha = 0.1`.
#
# <details class="success"><summary>What you should see</summary>
#
# $y$ diverges: its factor is $1 - 0.21 \cdot 10$, that is
# [[value: nb-landscape-bowl-factor-y-021]], so $|y|$ grows by
# [[value: nb-landscape-bowl-growth-021]] a step, while $x$ (factor
# [[value: nb-landscape-bowl-factor-x-021]]) is as slow as before. With $\alpha = 0.1$,
# $y$ reaches 0 at once (factor 0) and $x$ crawls at
# [[value: nb-landscape-bowl-factor-x-01]] a step: half as fast as with the best
# $\alpha$.
#
# </details>
#
# The last line of the first cell above is the way out: one learning rate per
# coordinate, $1/\lambda_i$, lands on the minimum in one step. No optimizer knows
# the curvatures, though; layer 3 shows what Adam uses instead.
#
# **Next:** [notebook 2, momentum](https://adam-layer-by-layer.github.io/adam/notebooks/momentum/),
# which averages the gradients of the last steps to damp the zig-zag.
