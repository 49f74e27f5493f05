"""`--plot [METRIC[:hist|cdf|vs]=]FILE.png|.svg`: one matplotlib figure per --plot.

hist and cdf show how a metric spreads over the runs; vs draws it against the first --vary's values
(the median, with the quartiles as a band), one line per value of the other --vary paths. Without a
chart: vs when the sweep varies something, else hist. Without a metric: the first --metric."""

from __future__ import annotations

import statistics
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lanlab.i18n import L_
from lanlab.sweep.vary import SweepError, shown_value, value_key

CHARTS = ("hist", "cdf", "vs")
TITLE_WIDTH = 60  # characters of the default 12-point title that fit a 7-inch figure with room to spare


@dataclass(frozen=True)
class PlotSpec:
    path: Path
    metric: str | None
    chart: str | None  # hist, cdf or vs; None: chosen by draw


def parse_plot(text: str) -> PlotSpec:
    head, sep, file = text.rpartition("=")
    metric, _, chart = head.partition(":") if sep else ("", "", "")
    path = Path(file)
    if path.suffix not in (".png", ".svg"):
        raise SweepError(
            L_("--plot {text}: name a .png or .svg file (METRIC:hist|cdf|vs=FILE.png to choose)", text=repr(text))
        )
    if chart and chart not in CHARTS:
        raise SweepError(
            L_(
                "--plot {text}: {chart} is not a plot; choose from {charts}",
                text=repr(text),
                chart=repr(chart),
                charts=", ".join(CHARTS),
            )
        )
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SweepError(L_("--plot needs matplotlib: pip install 'lanlab[sweep]'")) from None
    return PlotSpec(path, metric or None, chart or None)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """(first quartile, median, third quartile); one value is all three."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    low, median, high = statistics.quantiles(values, n=4, method="inclusive")
    return low, median, high


def draw(spec: PlotSpec, rows: list[dict[str, Any]], metrics: list[str], varied: list[str], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    metric = spec.metric or (metrics[0] if metrics else None)
    if metric is None or metric not in metrics:
        raise SweepError(
            L_(
                "--plot: {metric} is not a --metric of this sweep ({metrics})",
                metric=metric or L_("no metric"),
                metrics=", ".join(metrics) or L_("add --metric NAME=EXPR"),
            )
        )
    chart = spec.chart or ("vs" if varied else "hist")
    if chart == "vs" and not varied:
        raise SweepError(L_("--plot ...:vs draws a metric against a --vary value; add --vary PATH=V1,V2"))
    figure, axes = plt.subplots(figsize=(7, 4.5))
    ok = [row for row in rows if isinstance(row.get(metric), (int, float))]  # a failed run has no value
    if chart == "vs":
        _against(axes, ok, metric, varied)
    else:
        values = sorted(float(row[metric]) for row in ok)
        if chart == "hist":
            axes.hist(values, bins=min(30, max(5, len(set(values)))))
            axes.set_ylabel("runs")
        else:
            axes.step(values, [(i + 1) / len(values) for i in range(len(values))], where="post")
            axes.set_ylabel("fraction of runs ≤ x")
        axes.set_xlabel(metric)
    # Wrapped: a title one line wide overran a 7-inch figure (tight_layout only moves the axes).
    axes.set_title("\n".join(textwrap.wrap(f"{title}: {metric} over {len(ok)} runs", TITLE_WIDTH)))
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(spec.path)
    plt.close(figure)


def _against(axes: Any, rows: list[dict[str, Any]], metric: str, varied: list[str]) -> None:
    x_path, others = varied[0], varied[1:]
    # a value may be a list or a mapping (--vary links=[]): keyed by value_key, shown as its text
    xs = {value_key(row[x_path]): row[x_path] for row in rows}
    numeric = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in xs.values())
    position = {key: (x if numeric else i) for i, (key, x) in enumerate(xs.items())}
    groups: dict[tuple[Any, ...], dict[Any, list[float]]] = {}
    for row in rows:
        key = tuple(value_key(row[p]) for p in others)
        groups.setdefault(key, {}).setdefault(value_key(row[x_path]), []).append(float(row[metric]))
    labels = {tuple(value_key(row[p]) for p in others): [row[p] for p in others] for row in rows}
    for key, by_x in groups.items():
        points = sorted(by_x.items(), key=lambda item: position[item[0]])
        at = [position[x] for x, _ in points]
        spread = [quartiles(sorted(values)) for _, values in points]
        label = ", ".join(f"{p}={shown_value(v)}" for p, v in zip(others, labels[key])) or "median"
        (line,) = axes.plot(at, [m for _, m, _ in spread], marker="o", label=label)
        axes.fill_between(
            at, [q1 for q1, _, _ in spread], [q3 for _, _, q3 in spread], alpha=0.2, color=line.get_color()
        )
    if not numeric:
        axes.set_xticks(range(len(xs)), [shown_value(x) for x in xs.values()])
    axes.set_xlabel(x_path)
    axes.set_ylabel(f"{metric} (median, quartiles shaded)")
    axes.legend()
