"""The end of a sweep: its groups per combination of --vary values."""

from lanlab.sweep.summary import summarise


def test_a_list_or_mapping_value_is_a_group_of_its_own():
    """Rows whose varied value is a list or a mapping group by that value (it raised TypeError: unhashable)."""
    rows = [
        {"seed": 1, "links": [], "stp": {"mode": "rstp"}, "frames": 1, "error": None},
        {"seed": 2, "links": [], "stp": {"mode": "rstp"}, "frames": 3, "error": None},
        {"seed": 1, "links": [["a:eth0", "b:eth0"]], "stp": {}, "frames": 5, "error": None},
    ]
    summary = summarise(rows, ["links", "stp"], ["frames"])
    assert [(g["values"], g["runs"], g["frames"]["median"]) for g in summary] == [
        ({"links": [], "stp": {"mode": "rstp"}}, 2, 2.0),
        ({"links": [["a:eth0", "b:eth0"]], "stp": {}}, 1, 5.0),
    ]
