"""One issue × model table serves the terminal and the HTML report."""

from __future__ import annotations

import tightrope
from tightrope.report.grid import settlement_grid
from tightrope.report.html import render_report


def test_terminal_and_html_show_the_same_cells() -> None:
    from rich.console import Console

    from tightrope.report import terminal

    scenario = tightrope.load("iraq-2025")
    result = tightrope.forecast(scenario, runs=1000, bargaining_samples=20, seed=4)
    entries = result.document["bargaining"]
    grid = settlement_grid(entries)
    assert grid.issues == ("militia_disarmament", "iran_ties", "us_pressure")
    assert grid.models == ("compromise", "median", "nbs", "eum", "smp")
    assert grid.samples == 20
    eum = next(e for e in entries if e["model"] == "eum" and e["issue"] == "iran_ties")
    cell = grid.cell("iran_ties", "eum")
    assert cell is not None
    assert cell.forecast == f"{eum['forecast']:.1f}"
    spread = eum["uncertainty"]
    assert cell.spread == f"{spread['median']:.1f} [{spread['p10']:.1f}–{spread['p90']:.1f}]"
    page = render_report(result.document, scenario)
    console = Console(record=True, width=200)
    console.print(terminal.forecast_summary(result.document, scenario))
    text = console.export_text()
    for issue in grid.issues:
        for model in grid.models:
            found = grid.cell(issue, model)
            assert found is not None
            assert found.forecast in page
            assert found.spread is not None
            assert found.spread in page
            assert found.spread in text
