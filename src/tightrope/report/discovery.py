"""The scenario-discovery page: PRIM's coverage–density trade-off and chosen box, CART's boxes
(plotly's JavaScript embedded: the file opens offline)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from tightrope.exploratory.discovery import CartResult, PrimResult
from tightrope.report.html import STYLE, _figure, plotly_script
from tightrope.report.numbers import number_range


def discovery_page(found: PrimResult, tree: CartResult, notes: Sequence[str] = ()) -> str:
    """The offline HTML page of a scenario discovery: PRIM's coverage–density trade-off, the
    chosen box with each limit's quasi-p-value, and CART's boxes; ``notes`` (the discovery's:
    restrictions that may be noise, uncertainties left out, policies mixed) under the box."""
    condition = html.escape(found.condition)
    trajectory = found.trajectory
    figure = go.Figure(
        go.Scatter(
            x=[point["coverage"] for point in trajectory],
            y=[point["density"] for point in trajectory],
            mode="markers+lines",
            marker={
                "color": [point["res_dim"] for point in trajectory],
                "colorscale": "Viridis",
                "colorbar": {"title": "restricted dimensions"},
            },
            name="peeling trajectory",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[found.coverage],
            y=[found.density],
            mode="markers",
            marker={"size": 16, "symbol": "circle-open", "color": "#d62728"},
            name="chosen box",
        )
    )
    figure.update_layout(
        xaxis_title="coverage",
        yaxis_title="density",
        xaxis_range=[0, 1.02],
        # Below the chart: at the right, the legend ran into the colour bar's title.
        legend={"orientation": "h", "y": -0.25},
    )
    rows = "".join(
        f"<tr><td>{html.escape(limit['name'])}</td><td class='num'>{limit['low']:.4g}</td>"
        f"<td class='num'>{limit['high']:.4g}</td>"
        f"<td class='num'>{number_range(limit['range'][0], limit['range'][1], '.4g')}</td>"
        f"<td class='num'>{limit['qp']:.2g}</td></tr>"
        for limit in found.box
    )
    leaves = "".join(
        "<tr><td>"
        + "<br>".join(
            f"{html.escape(limit['name'])}: {number_range(limit['low'], limit['high'], '.4g')}"
            for limit in box["limits"]
        )
        + f"</td><td class='num'>{box['coverage']:.0%}</td><td class='num'>{box['density']:.0%}"
        f"</td><td class='num'>{box['mass']:.0%}</td></tr>"
        for box in tree.boxes
    )
    body = (
        f"<h1>Where {condition} holds</h1><p class='note'>{found.cases} of {found.experiments} "
        "experiments. Coverage: the share of those experiments inside a box; density: the share "
        "of a box's experiments where it holds; mass: the share of all experiments inside it.</p>"
        + _figure(
            "PRIM: the coverage–density trade-off",
            figure,
            "Each point is a box on PRIM's peeling trajectory (the EMA Workbench's PRIM); the "
            "circled one is reported below: the best balance of coverage and density among "
            "those dense enough (the densest, if none is).",
        )
        + f"<h2>PRIM's box: coverage {found.coverage:.0%}, density {found.density:.0%}, mass "
        f"{found.mass:.0%}</h2>"
        + "".join(
            f"<p class='note'>{html.escape(note)}</p>"
            for note in ([] if found.note is None else [found.note]) + list(notes)
        )
        + "<table><tr><th>uncertainty</th><th>box low</th><th>box high</th>"
        f"<th>explored range</th><th>quasi-p-value</th></tr>{rows}</table>"
        "<h2>CART: the tree's leaves where it mostly holds</h2>"
        + (
            f"<table><tr><th>limits</th><th>coverage</th><th>density</th><th>mass</th></tr>"
            f"{leaves}</table>"
            if leaves
            else "<p class='note'>No leaf of the tree has the condition holding in most of its "
            "experiments.</p>"
        )
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>tightrope discovery: {condition}</title><style>{STYLE}</style>"
        f"{plotly_script()}</head><body>{body}</body></html>\n"
    )
