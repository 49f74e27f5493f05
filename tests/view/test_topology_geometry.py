"""The topology as cytoscape.js really draws it in headless Chromium (its own bounding boxes, not the
layout's estimates): on every example, the demo and a routed network with hubs, every node is inside
the pane at a zoom that keeps names readable, no two nodes' boxes (icon, name, addresses) overlap,
no port name overlaps a node or another port name, and no frame dot drawn while stepping through the
run overlaps a node's box or a port name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli

import browserlab as browser
from simnets import ROUTED_HUBS_YAML

pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = sorted(path.stem for path in EXAMPLES.glob("*.yaml")) + ["demo", "routed_hubs"]
STEPS = 80  # events stepped through per page, from the first that draws a dot

BOXES = """
const cy = lanlab.topology.cy, out = {nodes: {}, ports: {}, dots: []};
const box = b => [b.x1, b.y1, b.x2, b.y2];
cy.nodes().not('.packet, .dropmark').forEach(n => { out.nodes[n.data('label').split('\\n')[0]] =
    box(n.boundingBox({includeLabels: true, includeOverlays: false, includeUnderlays: false})); });
const doc = lanlab.viewer.run.doc;
doc.links.forEach((link, i) => {
  const edge = cy.getElementById('link' + i), only = {includeNodes: false, includeEdges: false, includeLabels: false,
    includeMainLabels: false, includeOverlays: false, includeUnderlays: false};
  out.ports[link.a] = box(edge.boundingBox(Object.assign({}, only, {includeLabels: true, includeSourceLabels: true, includeTargetLabels: false})));
  out.ports[link.b] = box(edge.boundingBox(Object.assign({}, only, {includeLabels: true, includeSourceLabels: false, includeTargetLabels: true})));
});
cy.nodes('.packet').forEach(n => { out.dots.push([n.data('from') + '->' + n.data('to'),
    box(n.boundingBox({includeLabels: true, includeOverlays: false, includeUnderlays: false}))]); });
return out;
"""


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def overlaps(drawn: dict[str, Any]) -> list[str]:
    """Every pair of things drawn on each other, as lines."""
    out = []
    nodes, ports = list(drawn["nodes"].items()), list(drawn["ports"].items())
    for i, (a, box) in enumerate(nodes):
        out += [f"node {a} overlaps node {b}" for b, other in nodes[i + 1 :] if overlap(box, other)]
    for i, (a, box) in enumerate(ports):
        out += [f"port {a} overlaps node {b}" for b, other in nodes if overlap(box, other)]
        out += [f"port {a} overlaps port {b}" for b, other in ports[i + 1 :] if overlap(box, other)]
    for dot, box in drawn["dots"]:
        out += [f"dot {dot} overlaps node {b}" for b, other in nodes if overlap(box, other)]
        out += [f"dot {dot} overlaps port {b}" for b, other in ports if overlap(box, other)]
    return out


@pytest.fixture(scope="module")
def driver():  # type: ignore[no-untyped-def]
    chromium = browser.start()
    yield chromium
    chromium.quit()


def pings(topology: Path) -> list[str]:
    """A ping from the file's first host to its last, so that frames cross the network."""
    import yaml

    hosts = [name for name, node in yaml.safe_load(topology.read_text())["nodes"].items() if node.get("kind") == "host"]
    return ["--do", f"{hosts[0]} ping {hosts[-1]} -c 1"] if len(hosts) > 1 else []


def page_of(name: str, folder: Path) -> Path:
    out = folder / f"{name}.html"
    if name == "demo":
        words = ["demo", "--pcap", str(folder / "demo.pcapng")]
    else:
        topology = EXAMPLES / f"{name}.yaml"
        if name == "routed_hubs":
            topology = folder / "routed_hubs.yaml"
            topology.write_text(ROUTED_HUBS_YAML)
            words = ["sim", "run", str(topology), "--do", "pc1 ping pc2 -c 1", "--until", "1s"]
        else:
            words = ["sim", "run", str(topology), "--until", "2s", "--max-events", "400", *pings(topology)]
    result = CliRunner().invoke(cli, [*words, "--html", str(out)])
    assert out.exists(), result.output
    return out


def test_the_check_sees_an_overlap():
    """Two boxes sharing an area overlap; boxes only touching, or apart, do not."""
    drawn = {"nodes": {"a": [0, 0, 10, 10], "b": [9, 9, 20, 20], "c": [20, 0, 30, 9]}, "ports": {}, "dots": []}
    assert overlaps(drawn) == ["node a overlaps node b"]


@pytest.mark.parametrize("name", NAMES)
def test_nothing_drawn_overlaps(driver, tmp_path: Path, name: str):
    """Nodes, port names and the frame dots of the first steps with frames are drawn clear of each other."""
    browser.open_page(driver, page_of(name, tmp_path))
    # Readable as it opens: every node inside the pane, and a 12 px name drawn at 6 px or more.
    zoom, outside = driver.execute_script(
        """const cy = lanlab.topology.cy, box = cy.container().getBoundingClientRect(), out = [];
        cy.nodes().not('.packet, .dropmark').forEach(n => { const b = n.renderedBoundingBox({includeLabels: true});
          if (b.x1 < -1 || b.y1 < -1 || b.x2 > box.width + 1 || b.y2 > box.height + 1) out.push(n.data('label')); });
        return [cy.zoom(), out];"""
    )
    print(f"{name}: zoom {zoom:.2f}")
    assert outside == [] and zoom >= 0.5, (name, zoom, outside)
    drawn = driver.execute_script(BOXES)
    assert len(drawn["ports"]) == 2 * len(driver.execute_script("return lanlab.viewer.run.doc.links"))
    assert overlaps(drawn) == [], name
    first = driver.execute_script(
        "const r = lanlab.viewer.run; for (let i = 0; i < r.count; i++) if (r.inFlight(i).length) return i; return -1"
    )
    count = driver.execute_script("return lanlab.viewer.run.count")
    dots = 0
    for step in range(max(first, 0), min(count, max(first, 0) + STEPS)) if first >= 0 else ():
        driver.execute_script(f"lanlab.viewer.go({step})")
        drawn = driver.execute_script(BOXES)
        dots += len(drawn["dots"])
        assert overlaps(drawn) == [], f"{name} at event {step}"
    assert name in {"rip-ring", "count-to-infinity", "count-to-infinity-poisoned"} or dots > 0, "no dot was drawn"
