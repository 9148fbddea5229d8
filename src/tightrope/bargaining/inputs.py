"""From a validated scenario to model inputs: point estimates, or seeded samples of the ranges.

Each uncertain number is drawn from its own random stream, keyed by the seed and the number's
path in the scenario, so a draw does not depend on which issues or models are run, in which order,
or in how many chunks.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from tightrope._types import Array
from tightrope.bargaining.base import BargainingInputError, IssueBatch, IssueData
from tightrope.scenario.quantity import Quantity
from tightrope.scenario.schema import Scenario


def participants(scenario: Scenario, issues: Sequence[str]) -> list[str]:
    """Actors with a stance on every one of the issues, in file order."""
    for issue in issues:
        if issue not in {item.id for item in scenario.issues}:
            known = ", ".join(item.id for item in scenario.issues) or "none"
            raise BargainingInputError(f"unknown issue {issue!r} (known: {known})")
    return [
        actor.id
        for actor in scenario.actors
        if all(actor.id in scenario.positions.get(issue, {}) for issue in issues)
    ]


def has_ranges(scenario: Scenario, issues: Sequence[str]) -> bool:
    """Does any input of the issues (a position, salience, capability or status quo) have a
    range? If none has, sampling would only repeat the point forecast."""
    actors = participants(scenario, issues)
    quantities = [scenario.actor(actor).capability for actor in actors]
    for issue in issues:
        stances = scenario.positions[issue]
        quantities += [stances[actor].position for actor in actors]
        quantities += [stances[actor].salience for actor in actors]
        status_quo = scenario.issue(issue).status_quo
        quantities += [status_quo] if status_quo is not None else []
    return any(quantity.is_uncertain for quantity in quantities)


def issue_data(scenario: Scenario, issues: Sequence[str]) -> IssueData:
    """Point estimates of the positions, saliences and capabilities on one or more issues."""
    actors = participants(scenario, issues)
    if not actors:
        raise BargainingInputError(f"no actor has a position on {', '.join(issues)}")
    stances = [[scenario.positions[issue][actor] for issue in issues] for actor in actors]
    references = [scenario.issue(issue).status_quo for issue in issues]
    return IssueData(
        actors=tuple(actors),
        positions=np.array([[stance.position.estimate for stance in row] for row in stances]),
        saliences=np.array([[stance.salience.estimate for stance in row] for row in stances]),
        capabilities=np.array([scenario.actor(actor).capability.estimate for actor in actors]),
        dimensions=tuple(issues),
        reference=(
            None
            if any(reference is None for reference in references)
            else np.array([reference.estimate for reference in references if reference])
        ),
    )


def draw(quantity: Quantity, path: str, seed: int, count: int) -> Array:
    """``count`` draws of one number from its own stream, keyed by seed and path."""
    rng = np.random.default_rng([seed, zlib.crc32(path.encode())])
    return quantity.sample(rng, count)


def issue_samples(scenario: Scenario, issues: Sequence[str], count: int, seed: int) -> IssueBatch:
    """Seeded samples of every uncertain input of the issues (point values are repeated)."""
    actors = participants(scenario, issues)
    if not actors:
        raise BargainingInputError(f"no actor has a position on {', '.join(issues)}")
    positions = np.empty((count, len(actors), len(issues)))
    saliences = np.empty_like(positions)
    for a, actor in enumerate(actors):
        for k, issue in enumerate(issues):
            stance = scenario.positions[issue][actor]
            base = f"positions.{issue}.{actor}"
            positions[:, a, k] = draw(stance.position, f"{base}.position", seed, count)
            saliences[:, a, k] = draw(stance.salience, f"{base}.salience", seed, count)
    capabilities = np.stack(
        [
            draw(scenario.actor(actor).capability, f"actors.{actor}.capability", seed, count)
            for actor in actors
        ],
        axis=1,
    )
    references = [scenario.issue(issue).status_quo for issue in issues]
    reference = None
    if all(item is not None for item in references):
        reference = np.stack(
            [
                draw(item, f"issues.{issue}.status_quo", seed, count)
                for issue, item in zip(issues, references, strict=True)
                if item is not None
            ],
            axis=1,
        )
    return IssueBatch(positions, saliences, capabilities, reference, tuple(actors), tuple(issues))
