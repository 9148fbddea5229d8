"""Are the simulation's error bars honest? Prints one JSON document
(run: python benchmarks/intervals.py > benchmarks/intervals.latest.json).

Twelve seeds of the built-in case at the default design (issue 11):
* for every question, the standard deviation of the pooled probability across the seeds against
  the mean reported Monte Carlo error (target: ratio within 0.7–1.3), and the same for one
  what-if difference (US strikes forbidden, on the militia-campaign question);
* for every binary question, how far each interval endpoint moves across the seeds (target:
  range under 0.02);
* the same ratios over 192 more seeds (12–203) at the same design: twelve seeds estimate a
  standard deviation only to about ±21 % (a χ² with 11 degrees of freedom), so even an exact
  error lands outside ±30 % for about one quantity in six; more seeds show whether the error
  is right, and the sixteen blocks of twelve among them show how often twelve seeds put all
  fourteen ratios inside, against what an exact error would give;
* the seconds one default simulation takes (kernel and summary, in this process).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import numpy as np

import tightrope


@dataclass
class Seed:
    seed: int
    values: dict[str, tuple[float, float]]  # quantity → (pooled probability, reported error)
    endpoints: dict[str, list[float]]  # binary question → interval
    seconds: float


def collect(seeds: range, runs: int) -> list[Seed]:
    """Per seed: each quantity's pooled probability and reported error, the binary questions'
    interval endpoints, the what-if difference and its error, and the seconds taken."""
    scenario = tightrope.load("iraq-2025")
    rows: list[Seed] = []
    for seed in seeds:
        start = time.perf_counter()
        result = tightrope.simulate(scenario, runs=runs, seed=seed, drivers="none")
        seconds = time.perf_counter() - start
        values: dict[str, tuple[float, float]] = {}
        endpoints: dict[str, list[float]] = {}
        for question_id, entry in result.to_dict()["questions"].items():
            if "probability" in entry:
                values[question_id] = (entry["probability"], entry["mc_error"])
                endpoints[question_id] = entry["interval"]
                continue
            for level, share in entry["distribution"].items():
                if 0.0 < share < 1.0:
                    values[f"{question_id}:{level}"] = (share, entry["mc_errors"][level])
        what_if = tightrope.simulate(
            scenario, runs=runs, seed=seed, drivers="none", whatif=[tightrope.Forbid("us_strikes")]
        )
        change = what_if.to_dict()["comparison"]["q3_militia_campaign"]
        values[WHAT_IF] = (change["difference"], change["se"])
        rows.append(Seed(seed, values, endpoints, seconds))
    return rows


WHAT_IF = "what_if:q3_militia_campaign, us_strikes forbidden"


def ratios(rows: list[Seed]) -> dict[str, float]:
    """Standard deviation across the seeds over the mean reported error, per quantity."""
    keys = [key for key in rows[0].values if all(key in row.values for row in rows)]
    result = {}
    for key in keys:
        points = np.array([row.values[key] for row in rows])
        result[key] = round(float(np.std(points[:, 0], ddof=1) / np.mean(points[:, 1])), 3)
    return result


def study(rows: list[Seed], runs: int) -> dict[str, object]:
    endpoints: dict[str, list[list[float]]] = {}
    for row in rows:
        for key, interval in row.endpoints.items():
            endpoints.setdefault(key, []).append(interval)
    seeds = [row.seed for row in rows]
    return {
        "seeds": f"{seeds[0]}–{seeds[-1]}",
        "runs": runs,
        "sd_over_reported_error": ratios(rows),
        "interval_endpoint_range": {
            key: [round(float(np.ptp(column)), 4) for column in np.array(values).T]
            for key, values in endpoints.items()
        },
        "simulate_seconds_median": round(float(np.median([row.seconds for row in rows])), 3),
    }


def blocks_of_twelve(rows: list[Seed]) -> dict[str, object]:
    """How often twelve seeds put every ratio inside 0.7–1.3, against what an exact error
    would give: with twelve seeds, (ratio)² × 11 follows a χ² with 11 degrees of freedom. The
    quantities are correlated (an ordinal question's levels sum to one), so the chance that all
    fall inside is also simulated: blocks of twelve normal draws with the correlation the seeds
    show, each quantity's ratio taken against its true standard deviation."""
    from scipy import stats

    inside_one = float(stats.chi2.cdf(1.3**2 * 11, 11) - stats.chi2.cdf(0.7**2 * 11, 11))
    blocks: list[dict[str, object]] = []
    for start in range(0, len(rows) - 11, 12):
        block = ratios(rows[start : start + 12])
        outside = {key: value for key, value in block.items() if not 0.7 <= value <= 1.3}
        blocks.append(
            {
                "seeds": f"{rows[start].seed}–{rows[start + 11].seed}",
                "inside": len(block) - len(outside),
                "quantities": len(block),
                "outside": outside,
            }
        )
    keys = list(rows[0].values)
    points = np.array([[row.values[key][0] for key in keys] for row in rows])
    correlation = np.corrcoef(points.T)
    draws = np.random.default_rng(0).multivariate_normal(
        np.zeros(len(keys)), correlation, size=(100_000, 12)
    )
    exact_ratios = draws.std(axis=1, ddof=1)
    all_inside = float(np.mean(np.all((exact_ratios >= 0.7) & (exact_ratios <= 1.3), axis=1)))
    return {
        "blocks": blocks,
        "blocks_with_all_inside": sum(block["inside"] == block["quantities"] for block in blocks),
        "exact_error_one_ratio_inside": round(inside_one, 3),
        "exact_error_expected_inside": round(inside_one * len(keys), 1),
        "exact_error_all_inside_if_independent": round(inside_one ** len(keys), 3),
        "exact_error_all_inside_with_their_correlation": round(all_inside, 3),
    }


def main() -> None:
    first = collect(range(12), 200_000)
    more = collect(range(12, 204), 200_000)
    document = {
        "default_design": study(first, 200_000),
        "more_seeds": study(more, 200_000),
        "more_seeds_in_blocks_of_12": blocks_of_twelve(more),
        "targets": {"ratio": [0.7, 1.3], "endpoint_range": 0.02},
    }
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
