"""--plot figures: what they draw fits in the file."""

import importlib.util
import subprocess
import sys
import textwrap

import pytest

# Run in a process of its own: matplotlib grows pytest's address space, which a later
# `--app-limits mem=` child would inherit (see tests/cli/test_sim_sweep.in_a_process).
TITLE_FITS = textwrap.dedent("""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from pathlib import Path
    from lanlab.sweep.plot import PlotSpec, draw

    def check(figure, *args, **kwargs):
        renderer = figure.canvas.get_renderer()
        title = figure.axes[0].title.get_window_extent(renderer)
        box = figure.bbox
        print(title.x0 >= box.x0 and title.x1 <= box.x1 and title.y1 <= box.y1)

    Figure.savefig = check
    rows = [{"routers": n, "x": "none", "route_changes": n * 10} for n in range(3, 13)]
    draw(PlotSpec(Path("unused.png"), "route_changes", "vs"), rows, ["route_changes"], ["routers", "x"],
         "count to infinity on RIP rings, 100 seeds each, split horizon off and on")
""")


def test_a_long_title_stays_inside_the_figure():
    """The study's title (was cut at the right edge) is wrapped to fit the figure."""
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib (the sweep extra) is not installed")
    done = subprocess.run([sys.executable, "-c", TITLE_FITS], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"]


AGAINST_A_MAPPING = textwrap.dedent("""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from pathlib import Path
    from lanlab.sweep.plot import PlotSpec, draw

    Figure.savefig = lambda figure, *args, **kwargs: print(
        [tick.get_text() for tick in figure.axes[0].get_xticklabels()],
        [text.get_text() for text in figure.axes[0].get_legend().get_texts()],
    )
    rows = [{"stp": stp, "links": [], "frames": n} for n, stp in enumerate([{"mode": "rstp"}, {}, {}])]
    draw(PlotSpec(Path("unused.png"), "frames", "vs"), rows, ["frames"], ["stp", "links"], "stp")
""")


def test_a_mapping_value_is_drawn_against_as_its_text():
    """vs against a --vary whose values are mappings (one other a list): ticks and legend show their JSON text."""
    if importlib.util.find_spec("matplotlib") is None:
        pytest.skip("matplotlib (the sweep extra) is not installed")
    done = subprocess.run([sys.executable, "-c", AGAINST_A_MAPPING], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == """['{"mode": "rstp"}', '{}'] ['links=[]']"""
