"""The kinds of case a student reads: each case's label with its sizes masked (``feedback._shape_words``),
marked here so that it is said in the student's language (the grader's catalog).

The labels are written in ``core.cases``, which knows no language; ``tests/outputs/test_case_kinds.py``
checks that every label the generators draw, masked, is one of these, so a new case cannot reach a
student in English only.
"""

from __future__ import annotations

from autograder.core.language import N_

KINDS = (
    N_("random"),
    N_("a vector"),
    N_("one element"),
    N_("batch of 1"),
    N_("batch of 1, one feature"),
    N_("batch of 1, one input feature"),
    N_("batch of 1, two classes"),
    N_("x of shape (N, #)"),
    N_("x of shape (N, #, #)"),
    N_("x of shape (N, #, #, #)"),
    N_("x of shape (#, #, #)"),
    N_("square w"),
    N_("square w (#, #)"),
    N_("square w, x of shape (N, #, #)"),
    N_("large w (std #)"),
    N_("dout with whole zero columns (dead units above)"),
    N_("units 0, # and # never fire"),
    N_("some inputs exactly 0"),
    N_("|x| up to #, mixed with ordinary values"),
    N_("x @ W after an affine layer with W of std #"),
    N_("scores of order 1"),
    N_("scores of order #"),
    N_("scores of order 1, many classes"),
    N_("scores of std #"),
    N_("rows thousands apart"),
    N_("rows of equal scores of #"),
    N_("some rows with every margin inactive"),
    N_("errors around delta = #"),
    N_("delta = 1"),
    N_("delta = #"),
    N_("TD errors of # to # times delta"),
    N_("errors both inside and far beyond delta"),
    N_("N=#, D=#, H=#"),
    N_("square Wx (H = D)"),
    N_("weights of std # for half the units (pre-activations up to ±#), the others live"),
    N_("T=1"),
    N_("T=#, N=#, D=#, H=#"),
    N_("T=#, batch of 1"),
    N_("T=#, square Wx (H = D)"),
    N_("T=#, H=#, spectral radius #"),
    N_("T=#, H=#, spectral radius #, gradient only at the last step"),
    N_("global norm half of max_norm"),
    N_("global norm # of max_norm"),
    N_("global norm # times max_norm"),
    N_("global norm above max_norm"),
)
