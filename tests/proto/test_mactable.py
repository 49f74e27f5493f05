"""MAC learning table: learning, moves, lazy ageing, flushes."""

from lanlab.proto.mactable import MacTable
from lanlab.units import SECOND as S


def test_learn_reports_news_and_lookup_finds_port():
    """A new MAC is news; seeing it again on the same port is not; lookup returns the port."""
    table: MacTable[str, str] = MacTable(ageing=300 * S)
    assert table.learn("aa", "p1", 0) is True
    assert table.learn("aa", "p1", 1) is False
    assert table.lookup("aa", 2) == "p1"
    assert table.lookup("bb", 2) is None


def test_station_that_moves_is_relearned_on_the_new_port():
    """A MAC seen on another port moves there and counts as news."""
    table: MacTable[str, str] = MacTable()
    table.learn("aa", "p1", 0)
    assert table.learn("aa", "p2", 5) is True
    assert table.lookup("aa", 6) == "p2"


def test_entries_age_out_after_the_ageing_time():
    """An entry not refreshed for longer than the ageing time is gone from lookups and rows."""
    table: MacTable[str, str] = MacTable(ageing=10 * S)
    table.learn("aa", "p1", 0)
    table.learn("bb", "p2", 5 * S)
    assert table.lookup("aa", 10 * S) == "p1"
    assert [row.mac for row in table.rows(12 * S)] == ["bb"]
    assert table.lookup("aa", 12 * S) is None
    assert len(table) == 1


def test_refresh_keeps_an_entry_alive():
    """Traffic from a MAC restarts its age."""
    table: MacTable[str, str] = MacTable(ageing=10 * S)
    table.learn("aa", "p1", 0)
    table.learn("aa", "p1", 8 * S)
    assert table.lookup("aa", 15 * S) == "p1"
    assert table.rows(15 * S)[0].age == 7 * S


def test_forget_port_and_capacity():
    """forget_port drops that port's entries; a full table learns nothing new."""
    table: MacTable[str, str] = MacTable(capacity=2)
    table.learn("aa", "p1", 0)
    table.learn("bb", "p2", 0)
    assert table.learn("cc", "p3", 0) is False
    assert table.forget_port("p1") == 1
    assert table.lookup("aa", 0) is None and table.lookup("bb", 0) == "p2"
