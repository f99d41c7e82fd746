# ---
# jupyter:
#   description: >-
#     Notebook for layer 3: divide by the root mean square of the gradients, see every
#     parameter move lr per step, watch noise shrink Adam's steps, and race four
#     optimizers on the badly scaled bowl.
#   typed_numbers:
#     what the notebook needs (Python version): [3.10]
#     Adam's defaults (Algorithm 1): [0.999, 1e-8]
#     the experiments' settings (the gradient's mean, the gradients of the epsilon cell): [0.3, 1e-2, 1e-6]
#     the exercises' settings (beta1, epsilon, the loss's factor c): [0.99, 1e-3, 1000, 0.001]
#     the race's settings (steps, RMSProp's decay): [60, 0.99]
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Notebook 3: the second moment
#
# This notebook runs the code of layer 3 of *Adam, Layer by Layer*,
# [the second moment](https://adam-layer-by-layer.github.io/adam/second-moment/), and
# adds plots and exercises. Run it from top to bottom, then change the numbers at the
# top of a cell and run that cell again. It needs Python 3.10 or newer with NumPy and
# matplotlib.
#
# Adam keeps a second running average, of the squared gradients, with a longer
# memory ($\beta_2 = 0.999$), and divides by its square root, coordinate by
# coordinate:
#
# $$v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \qquad \theta_t = \theta_{t-1} - \alpha\, \frac{\hat m_t}{\sqrt{\hat v_t} + \varepsilon} .$$
#
# The hats are the bias correction of layer 4; $\varepsilon = 10^{-8}$ keeps the
# division finite.

# %% [markdown]
# ## A running mean of squared gradients
#
# $\sqrt{v_t}$ is the root mean square (RMS) of the recent gradients: their size,
# noise included.

# %%
--8<-- "snippets/second_moment.py:setup"
--8<-- "snippets/second_moment.py:rms"

# %% [markdown]
# $v_t$ is not the curvature: it depends on where you are as much as on the shape of
# the loss.

# %%
--8<-- "snippets/second_moment.py:not_curvature"

# %% [markdown]
# ## Dividing by the root mean square
#
# The reference step of `adam.py`, with its input checks, and three parameters whose
# gradients are a thousand times apart:

# %%
--8<-- "snippets/adam.py:setup"
--8<-- "snippets/adam.py:checks"

# %%
--8<-- "snippets/adam.py:adam_step"

# %%
--8<-- "snippets/second_moment.py:per_parameter"

# %% [markdown]
# ## Noise shrinks the step
#
# The step is $\alpha$ times mean over RMS of the gradient: about 1 when the
# gradient is steady, less when it is noisy. `step_sizes` records the size of every
# step of one parameter; below, a gradient of mean 0.3 with three levels of noise.

# %%
--8<-- "snippets/second_moment.py:step_sizes"

# %%
--8<-- "snippets/notebooks.py:setup"
--8<-- "snippets/notebooks.py:pyplot"
--8<-- "snippets/notebooks.py:colors"
--8<-- "snippets/notebooks.py:plotting"

# %%
--8<-- "snippets/notebooks.py:second_moment_noise"

# %% [markdown]
# The noisier the gradient, the shorter the steps: Adam slows down on its own where
# the direction is uncertain. The steps are longer than mean over RMS because $m_t$,
# an average of only about 10 gradients, keeps
# [[value: nb-second-moment-kept-noise-09]] of the noise's standard deviation.
#
# **Exercise 1.** Set `beta1 = 0.99` and run the cell again, then `beta1 = 0`.
#
# <details class="success"><summary>What you should see</summary>
#
# With $\beta_1 = 0.99$, $m_t$ averages ten times as many gradients and keeps only
# [[value: nb-second-moment-kept-noise-099]] of the noise: the average steps come down to
# [[value: nb-second-moment-step-099-noise-1]] and
# [[value: nb-second-moment-step-099-noise-3]], close to mean over RMS
# ([[value: nb-second-moment-ratio-noise-1]] and
# [[value: nb-second-moment-ratio-noise-3]]). With $\beta_1 = 0$ there is no average at
# all, the step is $|g_t|$ over the RMS, and it is about
# [[value: nb-second-moment-step-0]] lr at both noise levels: noise then moves the
# parameter almost as fast as a real slope.
#
# </details>

# %% [markdown]
# ## Where ε sits
#
# For a steady gradient $g$ the step is $\alpha |g| / (|g| + \varepsilon)$: below
# $\varepsilon$, Adam becomes SGD with the learning rate $\alpha / \varepsilon$.

# %%
--8<-- "snippets/second_moment.py:epsilon_floor"

# %% [markdown]
# **Exercise 2.** Pass `epsilon=1e-3` to `adam_step` in the cell above. Which
# gradients still take a step of about `lr`?
#
# <details class="success"><summary>What you should see</summary>
#
# Only those well above $10^{-3}$: $|g| = 10^{-2}$ now steps $0.01/(0.01 + 0.001)$, that
# is [[value: nb-second-moment-eps-step-1e-2]] lr, and $10^{-6}$ steps
# [[value: nb-second-moment-eps-step-1e-6]] lr instead of
# [[value: nb-second-moment-default-step-1e-6]] lr. A large $\varepsilon$ damps the
# parameters with small gradients, and Adam behaves like SGD with momentum for them.
#
# </details>

# %% [markdown]
# ## How big can a step be?
#
# The paper bounds the step by [[value: step-bound-paper]] $\alpha$ with the default
# betas. A gradient that
# jumps up, or keeps growing, breaks the bound:

# %%
--8<-- "snippets/second_moment.py:bound_cases"

# %% [markdown]
# ## The same path at any scale
#
# Multiply the loss by $c$: $m$ grows by $c$, $\sqrt{v}$ by $c$, and Adam takes the same
# steps. SGD's steps grow by $c$. First the landscape, the in-place optimizers and the
# trajectory runner:

# %%
--8<-- "snippets/surfaces.py:setup"
--8<-- "snippets/surfaces.py:surface"
--8<-- "snippets/surfaces.py:bowl"

--8<-- "snippets/optimizers.py:optimizer"
--8<-- "snippets/optimizers.py:sgd"
--8<-- "snippets/optimizers.py:ema_momentum"
--8<-- "snippets/optimizers.py:rmsprop"
--8<-- "snippets/optimizers.py:trajectory"

# %%
--8<-- "snippets/adam.py:Adam"

# %%
--8<-- "snippets/second_moment.py:scale_invariance"

# %% [markdown]
# ## Four optimizers on the badly scaled bowl
#
# The bowl $f(x, y) = \tfrac12(0.1x^2 + 10y^2)$ has gradients
# [[value: nb-second-moment-bowl-gradient-ratio]] times apart in its two directions at
# the start. SGD and momentum take one learning rate for both coordinates; RMSProp and
# Adam give each coordinate its own step. Each racer has its own learning rate (in its
# name), so the race shows how each one moves, not which one is faster:

# %%
--8<-- "snippets/notebooks.py:second_moment_race"

# %% [markdown]
# **Exercise 3.** Set `c = 1000` at the top of the race, which multiplies the loss and
# every gradient by 1000, and run it again. Which paths change?
#
# <details class="success"><summary>What you should see</summary>
#
# SGD and momentum explode at once: their steps are a thousand times longer, and
# their distances after 60 steps come out around
# [[value: nb-second-moment-sgd-distance-c1000]] and
# [[value: nb-second-moment-momentum-distance-c1000]]. RMSProp and Adam draw the same
# paths as before, because the factor 1000 cancels between $m$ and $\sqrt{v}$. Try
# `c = 0.001` too: SGD and momentum then hardly move.
#
# </details>
#
# RMSProp's first step is long: its $v$ starts at zero and is not corrected, so
# $v_1 = (1 - 0.99)\,g_1^2$, the first step divides by $\sqrt{1 - 0.99}\,|g_1|$ and moves
# ten times the learning rate, [[value: nb-second-moment-rmsprop-first-step]], in each
# coordinate. That is what layer 4 is about.
#
# **Next:** [notebook 4, bias correction](https://adam-layer-by-layer.github.io/adam/notebooks/bias-correction/).
