"""net.save_html, lanlab.view.record and Jupyter's _repr_html_."""

from __future__ import annotations

import html
from pathlib import Path

from lanlab.sim.builtin import classroom
from lanlab.units import SECOND
from lanlab.view import read_document, record, tables_at


def test_save_html_after_record_has_tables_at_every_step(tmp_path: Path):
    """record() before running, save_html after: the page holds the events and the MAC table's changes."""
    net = classroom()
    history = record(net)
    net.do("pc1 ping pc3 -c 1")
    history.run(SECOND)
    document = read_document(net.save_html(tmp_path / "net.html"))
    assert len(document["events"]["t"]) == len(history.events) > 10
    assert tables_at(document, -1)["sw1"]["mac"] == []
    assert tables_at(document, len(history.events) - 1)["sw1"]["mac"]
    assert "partial" not in document["tables"]


def test_save_html_without_record_says_its_tables_are_the_end_ones(tmp_path: Path):
    """A traced network saved without record(): its events are there, its tables as at the end, and it says so."""
    net = classroom()
    net.start_trace()
    net.do("pc1 ping pc3 -c 1")
    net.run(1)
    document = read_document(net.save_html(tmp_path / "net.html"))
    assert len(document["events"]["t"]) == len(net.trace)
    assert document["tables"]["initial"]["sw1"]["mac"] and document["tables"]["changes"] == []
    assert "record" in document["tables"]["partial"]


def test_repr_html_is_the_page_in_a_sandboxed_iframe():
    """_repr_html_ embeds the whole page (escaped) in an iframe whose script runs apart from the notebook."""
    net = classroom()
    text = net._repr_html_()
    assert text.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts' in text
    page = html.unescape(text.split('srcdoc="', 1)[1].split('" style=', 1)[0])
    assert read_document(page)["network"] == net.name


def test_read_document_takes_a_path_given_as_a_string(tmp_path: Path):
    """read_document("net.html"), a path as str (as docs/viewer-format.md writes it), reads the file, not the text."""
    net = classroom()
    net.save_html(tmp_path / "net.html")
    assert read_document(str(tmp_path / "net.html"))["network"] == net.name
