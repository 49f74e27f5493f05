"""TableHistory reads again only the nodes whose tables may have changed, and the tables it keeps
at the last event of every instant are those of a history that reads every node every instant."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lanlab.sim import Network, schedule
from lanlab.units import SECOND
from lanlab.view.history import TableHistory, table_changes

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def replayed(history: TableHistory) -> list[str]:
    """Every node's tables at the last event of each instant, as text (one line per instant)."""
    import copy
    import json

    from lanlab.view.replay import tables_at

    document = {"tables": {"initial": history.initial, "changes": []}}
    changes = iter(history.changes)
    pending = next(changes, None)
    times = [event.t for event in history.events]
    shown = []
    for i, t in enumerate(times):
        while pending is not None and pending[0] <= i:
            document["tables"]["changes"].append(pending)
            pending = next(changes, None)
        if i + 1 == len(times) or times[i + 1] != t:
            tables = tables_at(document, i)
            document = {"tables": {"initial": copy.deepcopy(tables), "changes": []}}
            shown.append(f"{t} {json.dumps(tables, sort_keys=True, default=str)}")
    return shown


def short_timers(network: Network) -> Network:
    """ARP entries that live 2 s and MAC entries 1 s, so a few seconds of run see both age out."""
    for node in network.nodes.values():
        for nic in getattr(node, "nics", []):
            if getattr(nic, "arp", None) is not None:
                nic.arp.timeout = 2 * SECOND
        table = getattr(node, "table", None)
        if table is not None and hasattr(table, "ageing") and getattr(node, "stp", None) is None:
            table.ageing = SECOND
    return network


def hub_vs_switch() -> Network:
    network = short_timers(Network.from_yaml(EXAMPLES / "hub_vs_switch.yaml"))
    for text in (
        "pc1 ping pc3 -c 3 -i 1.5",
        "at 5s pc2 ping pc3 -c 2 -i 0.2",
        "at 5.3s link pc2:eth0 sw1:p2 down",
        "at 6s pc1 ping pc2 -c 1",
        "at 7s link pc2:eth0 sw1:p2 up",
        "at 7.2s pc2 ping pc1 -c 1",
    ):
        schedule(network, text)
    return network


def example(name: str, *commands: str) -> Callable[[], Network]:
    def build() -> Network:
        network = Network.from_yaml(EXAMPLES / name)
        for text in commands:
            schedule(network, text)
        return network

    return build


RUNS = {
    "hub_vs_switch, entries ageing out, a cable pulled": (hub_vs_switch, 9 * SECOND),
    "arp": (example("arp.yaml", "pc1 ping pc2 -c 2 -i 0.5", "at 1s pc1 ping 198.18.0.9 -c 1 -W 3"), 5 * SECOND),
    "stp, a cable pulled": (example("stp.yaml"), 62 * SECOND),
    "rip-ring, a cable pulled": (example("rip-ring.yaml", "at 30s pc1 ping pc3 -c 50 -i 1"), 90 * SECOND),
    "dhcp, a lease released": (
        example("dhcp.yaml", "at 6s pc1 ping 198.18.0.2 -c 1", "at 8s pc1 dhcp release"),
        10 * SECOND,
    ),
}


def both_histories(build: Callable[[], Network], until: int) -> tuple[TableHistory, TableHistory]:
    """The same run followed twice: reading only what may have changed, and reading every node."""
    lazy, everything = (TableHistory(build(), read_all=read_all) for read_all in (False, True))
    lazy.run(until)
    everything.run(until)
    return lazy, everything


@pytest.mark.parametrize("name", list(RUNS))
def test_reading_only_changed_nodes_keeps_every_instants_tables(name: str):
    """At the last event of each instant, the tables replayed from the changes equal those of a
    history that reads every node at every instant (ageing, commands and timers included)."""
    build, until = RUNS[name]
    lazy, everything = both_histories(build, until)
    assert len(lazy.events) == len(everything.events) > 20
    assert replayed(lazy) == replayed(everything)  # (a list of lines: pytest shows the first that differs)


def test_entries_that_age_out_disappear_at_the_first_event_after():
    """An ARP entry with no traffic is gone from the tables at the first event after it expired,
    though its host recorded nothing then."""
    history = TableHistory(hub_vs_switch())
    history.run(9 * SECOND)
    removed = [
        (history.events[index].t, key)
        for index, node, table, key, row in history.changes
        if node == "pc1" and table == "arp" and row is None
    ]
    assert removed, "pc1's ARP entries never aged out"
    assert all(t >= 2 * SECOND for t, _ in removed)


def test_reading_leaves_the_run_as_it_was():
    """Following the tables changes nothing in the run: the same events as a run nobody watches."""
    history = TableHistory(hub_vs_switch())
    history.run(9 * SECOND)
    alone = hub_vs_switch()
    alone.start_trace()
    alone.engine.run(9 * SECOND)
    assert [event.as_row() for event in history.events] == [event.as_row() for event in alone.trace]


def three_on_a_switch(*commands: str) -> Network:
    """pc1-pc3 on sw1 (no spanning tree), MAC entries ageing in 1 s, running these commands."""
    network = Network("relearn")
    network.add_switch("sw1")
    for i in (1, 2, 3):
        network.add_host(f"pc{i}", f"198.18.0.{i}/24")
        network.link(f"pc{i}:eth0", f"sw1:p{i}")
    for text in commands:
        schedule(network, text)
    return short_timers(network)


def test_an_entry_aged_out_and_learned_again_keeps_its_place():
    """pc1's entry ages out (not deleted: the switch keeps it), pc3 is learned after it, then pc1
    is learned again in its old place, before pc3: the switch read by source entry shows the
    same table, in the same order, as a history reading every node."""
    commands = ("pc1 ping pc2 -c 1", "at 2.5s pc3 ping pc1 -c 1")
    lazy, everything = both_histories(lambda: three_on_a_switch(*commands), 4 * SECOND)
    assert [str(row[0]) for row in lazy.current["sw1"]["mac"]] == [
        str(lazy.network.nodes[name].nics[0].mac) for name in ("pc1", "pc3")
    ]
    assert replayed(lazy) == replayed(everything)


def test_entries_forgotten_at_a_link_down_disappear_then():
    """A cable pulled between spanning-tree switches: each forgets the entries learned on that
    port (no frame shows it) at that instant, and the tables equal those of reading every node."""
    build, until = RUNS["stp, a cable pulled"]
    lazy, everything = both_histories(build, until)
    forgotten = {
        node
        for index, node, table, key, row in lazy.changes
        if table == "mac" and row is None and lazy.events[index].t == 60 * SECOND
    }
    assert forgotten == {"sw1", "sw3"}
    assert replayed(lazy) == replayed(everything)


def test_rows_refreshed_in_place_are_changes_of_those_rows_only():
    """A row whose value changed in place is one keyed change; a reordered table is the whole table."""
    old = [["a", 1], ["b", 2], ["c", 3]]
    assert table_changes(old, [["a", 1], ["b", 5], ["c", 3]]) == [("b", ["b", 5])]
    assert table_changes(old, [["b", 2], ["a", 1], ["c", 3]]) == [(None, [["b", 2], ["a", 1], ["c", 3]])]
    assert table_changes(old, [["a", 1], ["c", 3]]) == [("b", None)]


def apply_changes(table: list[list[object]], changes: list[tuple[object, object]]) -> list[list[object]]:
    """What a page does with table_changes: the whole table, or keyed rows removed, replaced in
    place or appended."""
    rows = [list(row) for row in table]
    for key, row in changes:
        if key is None:
            rows = [list(r) for r in row]
            continue
        at = next((i for i, r in enumerate(rows) if r[0] == key), None)
        if row is None:
            del rows[at]
        elif at is None:
            rows.append(list(row))
        else:
            rows[at] = list(row)
    return rows


TABLES = st.lists(st.lists(st.integers(0, 3), min_size=2, max_size=2), max_size=5)


@given(TABLES, TABLES)
def test_changes_applied_to_the_old_table_give_the_new_one(old, new):
    """For any two tables (repeated keys, reordering, same length or not), applying the changes
    to the old table gives the new one."""
    assert apply_changes(old, table_changes(old, new)) == new


def test_a_leasing_hosts_address_is_a_change_at_its_bound_event_and_goes_with_its_release():
    """A DHCP client starts with no address row; the row comes with the event that binds the lease and goes
    with the release; a host with a fixed address keeps no address table."""
    history = TableHistory(example("dhcp.yaml", "at 6s pc1 dhcp release")())
    history.run(8 * SECOND)
    assert history.initial["pc1"]["address"] == [] and "address" not in history.initial["srv"]
    changes = [
        (history.events[index], key, row)
        for index, node, table, key, row in history.changes
        if node == "pc1" and table == "address"
    ]
    (bound, key, row), (released, gone, none) = changes
    assert bound.note.startswith("bound to 198.18.0.100/24") and (key, row) == ("eth0", ["eth0", "198.18.0.100"])
    # the address goes once the RELEASE waiting for ARP has left (as the kernel keeps its neighbour queue)
    assert released.note == "198.18.0.100 removed from eth0: its RELEASE has left" and (gone, none) == ("eth0", None)
