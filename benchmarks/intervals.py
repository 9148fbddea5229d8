"""Are the simulation's error bars honest? Prints one JSON document
(run: python benchmarks/intervals.py > benchmarks/intervals.latest.json).

Twelve seeds of the built-in case at the default design (issue 11):
* for every question, the standard deviation of the pooled probability across the seeds against
  the mean reported Monte Carlo error (target: ratio within 0.7–1.3), and the same for one
  what-if difference (US strikes forbidden, on the militia-campaign question);
* for every binary question, how far each interval endpoint moves across the seeds (target:
  range under 0.02);
* the same ratios over 48 more seeds (12–59) at the same design: twelve seeds estimate a
  standard deviation only to about ±21 % (a χ² with 11 degrees of freedom), so even an exact
  error lands outside ±30 % for about one quantity in six; more seeds show whether the error
  is right;
* the seconds one default simulation takes (kernel and summary, in this process).
"""

from __future__ import annotations

import json
import time

import numpy as np

import tightrope


def study(seeds: range, runs: int) -> dict[str, object]:
    scenario = tightrope.load("iraq-2025")
    pooled: dict[str, list[float]] = {}
    errors: dict[str, list[float]] = {}
    endpoints: dict[str, list[list[float]]] = {}
    difference: list[float] = []
    difference_se: list[float] = []
    seconds = []
    for seed in seeds:
        start = time.perf_counter()
        result = tightrope.simulate(scenario, runs=runs, seed=seed, drivers="none")
        seconds.append(time.perf_counter() - start)
        for question_id, entry in result.to_dict()["questions"].items():
            if "probability" in entry:
                pooled.setdefault(question_id, []).append(entry["probability"])
                errors.setdefault(question_id, []).append(entry["mc_error"])
                endpoints.setdefault(question_id, []).append(entry["interval"])
                continue
            for level, share in entry["distribution"].items():
                if 0.0 < share < 1.0:
                    key = f"{question_id}:{level}"
                    pooled.setdefault(key, []).append(share)
                    errors.setdefault(key, []).append(entry["mc_errors"][level])
        what_if = tightrope.simulate(
            scenario, runs=runs, seed=seed, drivers="none", whatif=[tightrope.Forbid("us_strikes")]
        )
        change = what_if.to_dict()["comparison"]["q3_militia_campaign"]
        difference.append(change["difference"])
        difference_se.append(change["se"])
    ratios = {
        key: round(float(np.std(values, ddof=1) / np.mean(errors[key])), 3)
        for key, values in pooled.items()
        if len(values) == len(seeds)
    }
    ratios["what_if:q3_militia_campaign, us_strikes forbidden"] = round(
        float(np.std(difference, ddof=1) / np.mean(difference_se)), 3
    )
    return {
        "seeds": f"{seeds.start}–{seeds.stop - 1}",
        "runs": runs,
        "sd_over_reported_error": ratios,
        "interval_endpoint_range": {
            key: [round(float(np.ptp(column)), 4) for column in np.array(values).T]
            for key, values in endpoints.items()
        },
        "simulate_seconds_median": round(float(np.median(seconds)), 3),
    }


def main() -> None:
    document = {
        "default_design": study(range(12), 200_000),
        "more_seeds": study(range(12, 60), 200_000),
        "targets": {"ratio": [0.7, 1.3], "endpoint_range": 0.02},
    }
    print(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
