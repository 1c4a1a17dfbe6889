"""The numbers the lessons' prose states, in one place: tests import them from here.

A lesson that prints "22,286 steps" has a test that recomputes the number and compares it with
the constant below, so the prose, the notebook's output and the tests cannot drift apart.
One section per lesson; add to your lesson's section, never duplicate a number elsewhere.
"""

# --- lesson 01 · first vs second order -------------------------------------------------------

# --- lesson 02 · gradient descent live ----------------------------------------------------------

# --- lesson 03 · the torch.optim API -------------------------------------------------------------

# --- lesson 04 · momentum and adaptive methods ---------------------------------------------------

# --- lesson 05 · the regression workflow --------------------------------------------------------

# --- lesson 06 · stochastic gradients ------------------------------------------------------------

# --- lesson 07 · beyond the quadratic ------------------------------------------------------------
