# ---
# jupyter:
#   description: >-
#     Notebook for layer 4: watch running averages start at zero, measure the factor
#     1 - beta^t they are short by, and see how large Adam's steps get without the
#     correction, for any beta1 and beta2 you choose.
#   typed_numbers:
#     what the notebook needs (Python version): [3.10]
#     the random gradients' settings (runs, mean): [100000, 0.5]
#     the plotted run's length in steps: [2000]
#     the betas the exercises try: [0.9, 0.99]
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Notebook 4: bias correction
#
# This notebook runs the code of layer 4 of *Adam, Layer by Layer*,
# [bias correction](https://adam-layer-by-layer.github.io/adam/bias-correction/), and
# adds a plot and exercises. Run it from top to bottom, then change the numbers at
# the top of a cell and run that cell again. It needs Python 3.10 or newer with NumPy
# and matplotlib.
#
# Both running averages start at zero, $m_0 = v_0 = 0$, so for the first steps they
# are too small. After $t$ steps of gradients drawn from one distribution they hold, on
# average, $1 - \beta^t$ times the truth, and Adam divides by exactly that:
#
# $$\hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t} .$$

# %% [markdown]
# ## Averages that start at zero
#
# The same gradient, 1, at every step: the columns agree exactly.

# %%
--8<-- "snippets/bias_correction.py:setup"
--8<-- "snippets/bias_correction.py:zero_start"

# %% [markdown]
# With random gradients the same holds on average. `moment_runs` feeds 100,000 runs
# with gradients of mean 0.5 and spread 1 ($\mathbb{E}[g^2]$ is then
# [[value: nb-bias-mean-square]]) and the averages over the runs are measured against
# $1 - \beta^t$:

# %%
--8<-- "snippets/bias_correction.py:moment_runs"
--8<-- "snippets/bias_correction.py:expectation"

# %%
--8<-- "snippets/bias_correction.py:corrected"

# %% [markdown]
# **Exercise 1.** In the first cell of this section, set `g = -2.0`. Do the columns
# still agree? What does $m_t / (1 - \beta_1^t)$ hold?
#
# <details class="success"><summary>What you should see</summary>
#
# $m$ is now $-2$ times the column $1 - \beta_1^t$ and $v$ is 4 times
# $1 - \beta_2^t$: $m_t/(1 - \beta_1^t) = -2$ and $v_t/(1 - \beta_2^t) = 4$ at every
# step. The shortfall is a factor that does not depend on the gradient, which is why
# one division repairs it.
#
# </details>

# %% [markdown]
# ## The first step: [[value: step-bound-paper]] α without, α with
#
# The reference step of `adam.py` against the same step with the two correction lines
# taken out (`optimizers.py`):

# %%
--8<-- "snippets/adam.py:setup"
--8<-- "snippets/adam.py:checks"

--8<-- "snippets/optimizers.py:optimizer"

# %%
--8<-- "snippets/adam.py:adam_step"

# %%
--8<-- "snippets/optimizers.py:no_bias_correction"
--8<-- "snippets/bias_correction.py:without_correction"

# %%
--8<-- "snippets/bias_correction.py:first_step"

# %% [markdown]
# ## The first steps
#
# Without the correction the step for a constant gradient is
# $\alpha (1 - \beta_1^t)/\sqrt{1 - \beta_2^t}$: the numerator fills up with a time
# constant of $1/(1 - \beta_1)$ steps, the denominator of $1/(1 - \beta_2)$, so the step
# keeps growing for a while.

# %%
--8<-- "snippets/second_moment.py:step_sizes"
--8<-- "snippets/bias_correction.py:first_50"

# %% [markdown]
# The same for 2,000 steps, with the betas at the top of the cell to change:

# %%
--8<-- "snippets/notebooks.py:setup"
--8<-- "snippets/notebooks.py:pyplot"
--8<-- "snippets/notebooks.py:colors"

# %%
--8<-- "snippets/notebooks.py:bias_step_sizes"

# %% [markdown]
# **Exercise 2.** Set `beta2 = 0.99` and run the cell again. The first uncorrected
# step is now exactly `lr`: is the correction still needed?
#
# <details class="success"><summary>What you should see</summary>
#
# Yes. At $t = 1$ the two shortfalls cancel, $(1 - 0.9)/\sqrt{1 - 0.99} = 1$, but $m$
# fills up faster than $v$: the uncorrected step grows to [[value: nb-bias-peak-099]] lr
# at step [[value: nb-bias-peak-step-099]] and comes back within 1% of `lr` for good only
# at step [[value: nb-bias-back-to-lr-099]]. Only the corrected step is `lr` at every
# step.
#
# </details>
#
# **Exercise 3.** Set `beta1, beta2 = 0.0, 0.999`, then `0.99, 0.999`.
#
# <details class="success"><summary>What you should see</summary>
#
# With $\beta_1 = 0$ there is no first average to fill, and the first uncorrected
# step is the worst, $1/\sqrt{1 - \beta_2}$, that is [[value: nb-bias-first-step-beta1-0]]
# lr. With $\beta_1 = 0.99$ the first step is too short instead,
# [[value: nb-bias-first-step-beta1-099]] lr, and the steps then grow to
# [[value: nb-bias-peak-beta1-099]] lr at step [[value: nb-bias-peak-step-beta1-099]].
# With the correction every step is `lr` in both cases.
#
# </details>

# %% [markdown]
# ## How long the bias lasts
#
# The missing weight $\beta^t$ decays with a time constant of $1/(1 - \beta)$ steps:
# a few dozen steps for $m$, a few thousand for $v$.

# %%
--8<-- "snippets/bias_correction.py:how_long"

# %% [markdown]
# **Next:** [the lab](https://adam-layer-by-layer.github.io/adam/notebooks/lab/): a
# small neural network trained with SGD, momentum, RMSProp, Adam and AdamW.
