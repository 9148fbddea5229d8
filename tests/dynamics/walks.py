"""A scenario of one variable that moves by itself (a random walk) and one ordinal question on
it, for the tests that set its answer against the walk's normal law: cuts at the law's median
and 90th percentile part the answer 0.5, 0.4, 0.1."""

WALK = """
id: walk
title: Walk
as_of: {as_of}
horizon_months: {months}
actors: [{{id: a, name: A, kind: state, capability: 1}}]
state:
  - {{id: x, label: X, initial: {initial}, monthly_change: {change}}}
events:
  - {{id: e, label: E, hazard: {{per_month: 0.1}}}}
questions:
  - {{id: q, text: "X?", resolution: r, deadline: {deadline}, type: ordinal, variable: x,
      cuts: [{low}, {high}],
      levels: [{{id: low, label: L}}, {{id: mid, label: M}}, {{id: high, label: H}}]}}
"""
Z90 = 1.2815515655446004  # the standard normal's 90th percentile
PARTS = {"low": 0.5, "mid": 0.4, "high": 0.1}  # the answer's levels at the cuts
