"""lanlab.i18n and the catalogue: the language chosen from the locale, text made in English and
shown translated, the catalogue complete and every user-facing text of cli/ in it."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from lanlab.i18n import L_, N_, _, cell_width, language_from_environment, localize, pad, set_language

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "scripts" / "catalogue.py"
MO = ROOT / "src" / "lanlab" / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.mo"
needs_mo = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")


@pytest.mark.parametrize(
    "environ, word",
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}, "zh"),
        ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANGUAGE": "zh_CN:en", "LC_ALL": "en_US.UTF-8"}, "zh"),
        ({"LANGUAGE": "", "LANG": "zh_CN"}, "zh"),
        ({"LANGUAGE": "fr:zh"}, "en"),
    ],
)
def test_language_follows_gettexts_order_of_variables(environ, word):
    """The first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set decides; any zh locale is Chinese."""
    assert language_from_environment(environ) == word


def test_unknown_language_is_refused():
    """set_language names the languages it knows when given another."""
    with pytest.raises(ValueError, match="en, zh"):
        set_language("fr")


@needs_mo
def test_deferred_text_is_english_and_shows_translated():
    """An L_ text is the English str (what JSON and digests see) and localize() shows it in Chinese."""
    text = L_(
        "cannot make {directory} for the capture: {reason}; name one with --pcap FILE", directory="/x", reason="denied"
    )
    set_language("zh")
    assert text == "cannot make /x for the capture: denied; name one with --pcap FILE"
    assert localize(text).startswith("无法为抓包文件创建 /x")
    assert localize(N_("device")) == "设备" == _("device")
    assert localize("pc1") == "pc1"
    set_language("en")
    assert localize(text) == text


def test_deferred_text_survives_pickling():
    """An L_ text sent to a sweep's worker process keeps its template and arguments."""
    text = L_("{a} is on {b}", a="x", b="p1")
    copy = pickle.loads(pickle.dumps(text))
    assert copy == "x is on p1" and copy.template == "{a} is on {b}" and copy.arguments == {"a": "x", "b": "p1"}


@pytest.mark.parametrize("text", ["设备", "port", "时间 (秒)", "ARP 表项"])
def test_pad_counts_terminal_columns_as_rich_does(text):
    """pad() fills to terminal columns, measured as rich measures them (a CJK character is two)."""
    assert cell_width(text) == cell_len(text)
    assert cell_len(pad(text, 12)) == 12 == cell_len(pad(text, 12, right=True))


def test_catalogue_has_no_missing_fuzzy_or_stale_entry():
    """Babel extracts the source's texts and every one has a zh_CN translation, none fuzzy."""
    result = subprocess.run([sys.executable, str(CATALOGUE), "check"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_user_facing_text_in_cli_bypasses_the_catalogue():
    """Every text cli/ shows, in every module, goes through _() (scripts/catalogue.py bypass)."""
    result = subprocess.run([sys.executable, str(CATALOGUE), "bypass"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bypass_check_finds_an_untranslated_message(tmp_path, monkeypatch):
    """The bypass check flags an f-string given to fail() and a click.command without cls=."""
    sys.path.insert(0, str(CATALOGUE.parent))
    try:
        import catalogue
    finally:
        sys.path.remove(str(CATALOGUE.parent))
    module = tmp_path / "x.py"
    module.write_text(
        'import click\n@click.command()\ndef c():\n    fail(f"no such host {h}")\n'
        '    fail(_("no such host {h}").format(h=h))\n    click.echo(", ".join(rows))\n'
    )
    monkeypatch.setattr(catalogue, "ROOT", tmp_path)
    found = list(catalogue.bypasses(module))
    assert len(found) == 2, found
    assert "x.py:4" in found[1] and "x.py:2" in found[0]
