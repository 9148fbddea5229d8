"""Scenario discovery: which combinations of uncertainties lead to an outcome? PRIM (Friedman and
Fisher 1999) and CART (Breiman et al. 1984) as the EMA Workbench implements them (PRIM's peeling
and pasting, the coverage–density trade-off, quasi-p-values of each restricted dimension;
CART's leaves as boxes; Kwakkel 2017): established implementations rather than new ones. The
workbench loads only here."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tightrope.errors import ExploreError
from tightrope.exploratory.experiments import condition_column, condition_mask


@dataclass(frozen=True)
class PrimResult:
    """The chosen box (its limits and the quasi-p-value of each restricted dimension, its
    coverage, density and mass) and the whole peeling trajectory."""

    condition: str
    cases: int  # experiments where the condition holds
    experiments: int
    box: list[dict[str, Any]]  # per restricted dimension: name, low, high, qp
    coverage: float
    density: float
    mass: float
    trajectory: list[dict[str, float]]
    density_target: float = 0.8
    note: str | None = None  # why the box shown falls short of the density target, if it does
    # The box restricted only where the quasi-p-value is at most 0.05: the restrictions dropped,
    # and its coverage, density and mass (None when every restriction passes).
    without_noise: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        document = {
            "condition": self.condition,
            "cases": self.cases,
            "experiments": self.experiments,
            "box": self.box,
            "coverage": self.coverage,
            "density": self.density,
            "mass": self.mass,
            "density_target": self.density_target,
            "trajectory": self.trajectory,
        }
        if self.without_noise is not None:
            document["without_noise"] = self.without_noise
        return document if self.note is None else {**document, "note": self.note}


NOISE_P = 0.05  # a restriction whose quasi-p-value is above this may be chance (Bryant & Lempert)


def _without_noise(box: Any, restricted: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The chosen box kept only on its restrictions clear of noise, measured by the workbench
    (``drop_restriction``, which adds the box to its trajectory after the one this result
    keeps): PRIM peels on every dimension it can, and a restriction of little consequence can
    stay."""
    dropped = [limit["name"] for limit in restricted if not limit["qp"] <= NOISE_P]
    if not dropped:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in dropped:
            box.drop_restriction(name)
    kept = box.peeling_trajectory.iloc[-1]
    return {
        "dropped": dropped,
        "coverage": float(kept["coverage"]),
        "density": float(kept["density"]),
        "mass": float(kept["mass"]),
    }


def _columns(frame: Any, inputs: list[str]) -> list[str]:
    """The uncertainties that explain the outcome, each a column of the experiments."""
    if not inputs:
        raise ExploreError("scenario discovery needs uncertainties to explore")
    for name in inputs:
        if not isinstance(name, str) or name not in frame.columns:
            raise ExploreError(f"uncertainty {name!r} is not a column of the experiments")
        values = frame[name].to_numpy()
        if values.dtype.kind not in "biuf" or not np.isfinite(values).all():
            raise ExploreError(f"uncertainty {name!r}: the experiments' values are not all numbers")
    return list(inputs)


def prim(frame: Any, condition: str, inputs: list[str], threshold: float = 0.8) -> PrimResult:
    """PRIM on the ``inputs`` columns for the experiments where ``condition`` holds. The box
    reported is the one on the peeling trajectory with the best balance of coverage and density
    (their harmonic mean) among those at least ``threshold`` dense, else the densest."""
    y = condition_mask(frame, condition)
    inputs = _columns(frame, inputs)
    if y.sum() == 0 or y.all():
        raise ExploreError(
            f"holds in {int(y.sum())} of {len(y)} experiments: nothing to discover",
            "where",
            repr(condition),
        )
    with warnings.catch_warnings():
        # The workbench warns at import about optional parallel back ends it does not need here.
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim as ema_prim

        x = frame[inputs].astype(float).reset_index(drop=True)
        # The workbench's threshold does two things: its cases of interest are y ≥ threshold
        # (for 0/1 outcomes any threshold in (0, 1] picks the 1s), and when no box's density
        # reaches it, it returns its whole-space "dump box" without the peeling trajectory. A
        # tiny threshold keeps the trajectory; the choice below applies the user's target.
        search = ema_prim.Prim(x, y, threshold=1e-9)
        box = search.find_box()
    trajectory = box.peeling_trajectory
    coverage = trajectory["coverage"].to_numpy()
    density = trajectory["density"].to_numpy()
    balance = 2 * coverage * density / np.maximum(coverage + density, 1e-12)
    dense = density >= threshold
    chosen = (
        int(np.argmax(np.where(dense, balance, -1.0))) if dense.any() else int(np.argmax(density))
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box.select(chosen)
        stats, limits = box.inspect(chosen, style="data")[0]
    restricted = []
    lows, highs = x.min(), x.max()
    for name in limits.index:
        low, high = float(limits.loc[name].iloc[0]), float(limits.loc[name].iloc[1])
        restricted.append(
            {
                "name": str(name),
                "low": low,
                "high": high,
                "range": [float(lows[name]), float(highs[name])],
                "qp": float(np.nanmin(limits.loc[name].iloc[2:4].to_numpy(dtype=float))),
            }
        )
    note = (
        None
        if dense.any()
        else f"no box on the peeling trajectory reaches the density target {threshold:.0%}: "
        f"the densest is shown ({float(stats['density']):.0%}; {y.mean():.1%} of all "
        "experiments meet the condition)"
    )
    return PrimResult(
        condition=condition,
        cases=int(y.sum()),
        experiments=len(y),
        box=restricted,
        without_noise=_without_noise(box, restricted),
        coverage=float(stats["coverage"]),
        density=float(stats["density"]),
        mass=float(stats["mass"]),
        density_target=threshold,
        note=note,
        trajectory=[
            {k: float(row[k]) for k in ("coverage", "density", "mass", "res_dim")}
            for _, row in trajectory.iterrows()
        ],
    )


@dataclass(frozen=True)
class CartResult:
    """CART's leaves where the condition mostly holds (density at least one half), as boxes:
    each with its limits on the dimensions it restricts, coverage, density and mass."""

    condition: str
    boxes: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"condition": self.condition, "boxes": self.boxes}


def cart(frame: Any, condition: str, inputs: list[str], mass_min: float = 0.05) -> CartResult:
    """A classification tree on the ``inputs`` columns, leaves of at least ``mass_min`` of the
    experiments; the leaves where the condition holds in most experiments, most covering
    first."""
    y = condition_mask(frame, condition)
    inputs = _columns(frame, inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart as ema_cart

        x = frame[inputs].astype(float).reset_index(drop=True)
        tree = ema_cart.CART(x, y, mass_min=mass_min)
        tree.build_tree()
    lows, highs = x.min(), x.max()
    boxes: list[dict[str, Any]] = []
    for limits, stats in zip(tree.boxes, tree.stats, strict=True):
        if float(stats["density"]) < 0.5:
            continue
        restricted = [
            {
                "name": str(name),
                "low": float(limits[name].iloc[0]),
                "high": float(limits[name].iloc[1]),
            }
            for name in limits.columns
            if limits[name].iloc[0] > lows[name] or limits[name].iloc[1] < highs[name]
        ]
        boxes.append(
            {
                "limits": restricted,
                "coverage": float(stats["coverage"]),
                "density": float(stats["density"]),
                "mass": float(stats["mass"]),
            }
        )
    boxes.sort(key=lambda box: -box["coverage"])
    return CartResult(condition, boxes)


@dataclass(frozen=True)
class Discovery:
    """Scenario discovery of one outcome over an exploration's experiments: PRIM's box and
    CART's leaves, and what was searched. ``searched``: the explored uncertainties with a path
    to the outcome in the model (``explored`` in all); ``policies``: how many policies the
    searched experiments still mix (PRIM does not tell them apart), each repeating the
    ``points`` of the uncertainties."""

    prim: PrimResult
    cart: CartResult
    searched: tuple[str, ...]
    explored: int
    policies: int
    points: int
    labels: dict[str, str]

    def notes(self) -> list[str]:
        """What the reader should know about the search: uncertainties left out, policies
        mixed."""
        found = []
        column = condition_column(self.prim.condition)
        if len(self.searched) < self.explored:
            found.append(
                f"{self.explored - len(self.searched)} of the {self.explored} explored "
                f"uncertainties have no path to {column} in the model and are left out"
            )
        cleaner = self.prim.without_noise
        if cleaner is not None:
            names = ", ".join(self.labels.get(name, name) for name in cleaner["dropped"])
            kept = len(self.prim.box) - len(cleaner["dropped"])
            found.append(
                f"{len(cleaner['dropped'])} of the box's {len(self.prim.box)} restrictions have a "
                f"quasi-p-value above {NOISE_P} and may be noise ({names}); restricted on "
                + (f"the other {kept} only" if kept else "none of them (the whole space)")
                + f", the box has coverage {cleaner['coverage']:.0%}, density "
                f"{cleaner['density']:.0%} and mass {cleaner['mass']:.0%}"
            )
        if self.policies > 1:
            found.append(
                f"these experiments mix {self.policies} policies, which PRIM does not tell "
                "apart; --policy LEVER=OPTION (policy= in Python) explains the outcome under one"
            )
        return found

    def to_frame(self) -> Any:
        """PRIM's box, one row per restricted uncertainty: its path, its name in words, the
        box's limits, the explored range and the quasi-p-value."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "uncertainty": limit["name"],
                    "label": self.labels.get(limit["name"], limit["name"]),
                    "box_low": limit["low"],
                    "box_high": limit["high"],
                    "explored_low": limit["range"][0],
                    "explored_high": limit["range"][1],
                    "quasi_p_value": limit["qp"],
                }
                for limit in self.prim.box
            ],
            columns=[
                "uncertainty",
                "label",
                "box_low",
                "box_high",
                "explored_low",
                "explored_high",
                "quasi_p_value",
            ],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "prim": self.prim.to_dict(),
            "cart": self.cart.to_dict(),
            "searched": list(self.searched),
            "policies": self.policies,
            "notes": self.notes(),
        }

    def __repr__(self) -> str:
        box = ", ".join(
            f"{limit['name']} {limit['low']:.4g}–{limit['high']:.4g}" for limit in self.prim.box
        )
        return (
            f"<Discovery {self.prim.condition}: {self.prim.cases} of {self.prim.experiments} "
            f"experiments; PRIM box coverage {self.prim.coverage:.0%}, density "
            f"{self.prim.density:.0%}: {box or 'no restriction'}; {len(self.cart.boxes)} CART "
            "leaves>"
        )


def discover(
    frame: Any,
    summary: dict[str, Any],
    where: str,
    policy: Sequence[str] = (),
    threshold: float = 0.8,
    source: str = "explore.json",
) -> Discovery:
    """PRIM and CART for the condition ``where`` (``COLUMN OP NUMBER``) over an exploration's
    experiments (``frame``) and its summary (``explore.json``, named ``source`` in messages):
    under the ``policy`` options only (``LEVER=OPTION`` each), on the explored uncertainties
    that have a path to the outcome in the model (a number that cannot move it could enter a
    box only by chance)."""
    inputs, labels = summary.get("uncertainties"), summary.get("labels", {})
    reaching, levers = summary.get("reaching", {}), summary.get("levers", {})
    policies, points = summary.get("policies", 1), summary.get("points", 0)
    if not isinstance(inputs, list):
        raise ExploreError(f"{source}: uncertainties: give a list of parameter paths")
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise ExploreError(f"{source}: labels: give a mapping of parameter paths to words")
    if not isinstance(reaching, dict) or not all(isinstance(v, list) for v in reaching.values()):
        raise ExploreError(
            f"{source}: reaching: give a mapping of outcome columns to parameter paths"
        )
    if not isinstance(levers, dict):
        raise ExploreError(f"{source}: levers: give a mapping of levers to their options")
    if not isinstance(policies, int) or not isinstance(points, int):
        raise ExploreError(f"{source}: policies and points: give whole numbers")
    chosen: set[str] = set()
    for item in policy:
        name, _, option = item.partition("=")
        if name in chosen:
            raise ExploreError(f"{name} is given twice: one option per lever", "policy", repr(item))
        chosen.add(name)
        if name not in levers or not option:
            known = ", ".join(levers) or "none: the exploration has no levers"
            raise ExploreError(
                f"give LEVER=OPTION with one of the explored levers ({known})", "policy", repr(item)
            )
        options = [str(value) for value in levers[name]]
        if option not in options:
            raise ExploreError(f"{name} was explored at {', '.join(options)}", "policy", repr(item))
        frame = frame[frame[f"lever:{name}"].astype(str) == option]
        policies //= len(options)
    frame = frame.reset_index(drop=True)
    column = condition_column(where)
    searched = list(inputs)
    if column in reaching:
        searched = [name for name in inputs if name in reaching[column]]
        if not searched:
            raise ExploreError(
                f"no explored uncertainty has a path to {column} in the model: nothing can "
                "explain it but chance",
                "where",
                repr(where),
            )
    return Discovery(
        prim(frame, where, searched, threshold),
        cart(frame, where, searched),
        tuple(searched),
        len(inputs),
        policies,
        points,
        labels,
    )
