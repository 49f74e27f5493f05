"""lanlab.i18n and the catalogue: the language chosen from the locale, text made in English and
shown translated, the catalogue complete and every user-facing text of cli/ in it."""

from __future__ import annotations

import pickle
import re
import string
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


def test_deferred_text_survives_a_json_record():
    """as_record/from_record carry an L_ text through JSON (a walled grading process's line), nested
    texts and a Path argument too; a plain text stays itself and a record of another shape is shown as is."""
    import json

    from lanlab.i18n import as_record, from_record

    inner = L_("empty folder: nothing was handed in")
    text = L_("{a} is on {b}", a=inner, b=Path("/x"))
    copy = from_record(json.loads(json.dumps(as_record(text))))
    assert copy == text and copy.template == "{a} is on {b}" and copy.arguments["a"].template == inner.template
    set_language("zh")
    try:
        assert localize(copy) == "空文件夹：什么也没有交 is on /x"
    finally:
        set_language("en")
    assert [from_record(as_record(plain)) for plain in ("pc1", None)] == ["pc1", None]
    assert from_record({"template": "{missing}", "arguments": {}, "plural": None}).startswith("{")


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
    """Every text cli/ and the page's scripts show goes through the catalogue (scripts/catalogue.py bypass)."""
    result = subprocess.run([sys.executable, str(CATALOGUE), "bypass"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def catalogue_script():
    """scripts/catalogue.py, imported."""
    sys.path.insert(0, str(CATALOGUE.parent))
    try:
        import catalogue
    finally:
        sys.path.remove(str(CATALOGUE.parent))
    return catalogue


def test_bypass_check_finds_an_untranslated_message(tmp_path, monkeypatch):
    """The bypass check flags an f-string given to fail() and a click.command without cls=."""
    catalogue = catalogue_script()
    module = tmp_path / "x.py"
    module.write_text(
        'import click\n@click.command()\ndef c():\n    fail(f"no such host {h}")\n'
        '    fail(_("no such host {h}").format(h=h))\n    click.echo(", ".join(rows))\n'
    )
    monkeypatch.setattr(catalogue, "ROOT", tmp_path)
    found = list(catalogue.bypasses(module))
    assert len(found) == 2, found
    assert "x.py:4" in found[1] and "x.py:2" in found[0]


def test_bypass_check_finds_a_topology_mistake_told_in_english_only(tmp_path, monkeypatch):
    """Outside cli/, a spec.error(node, "...") whose message is a plain string is flagged (a sim check line in
    Chinese kept it in English); one wrapped in L_() passes."""
    catalogue = catalogue_script()
    module = tmp_path / "kinds.py"
    module.write_text(
        'def read(spec):\n    spec.error(spec.node, "a host needs an address")\n'
        '    spec.error(spec.node, L_("a host needs an address"))\n    print("not shown as is")\n'
    )
    monkeypatch.setattr(catalogue, "ROOT", tmp_path)
    found = list(catalogue.spec_errors(module))
    assert len(found) == 1 and "kinds.py:2" in found[0], found


def test_page_bypass_check_finds_text_a_script_shows_without_t(tmp_path, monkeypatch):
    """The page check flags English given to text:, title: or textContent outside t() (the play
    button's "pause" this session's fix translated), and passes t()'s own text, a locale word,
    class names and command words marked /* as typed */."""
    catalogue = catalogue_script()
    script = tmp_path / "x.js"
    script.write_text(
        'button.textContent = "\\u275A\\u275A pause";\n'
        'el("p", {class: "hint error", text: L.t("no frames") + " " + n.toLocaleString("en")});\n'
        'el("p", {title: "Conversation " + a + " each arrow one hop",\n'
        '  placeholder: /* as typed */ "pc1 ping pc3", text: x ? L.t("{n} left", {n: 1}) : "left out"});\n'
    )
    monkeypatch.setattr(catalogue, "ROOT", tmp_path)
    found = list(catalogue.page_bypasses(script))
    assert [line.split(":")[1] for line in found] == ["1", "3", "3", "4"], found
    assert '"left out"' in found[-1] and "pause" in found[0]


def test_check_keeps_a_context_only_entry_and_flags_stale_ones(tmp_path, monkeypatch):
    """check takes a pgettext entry with no plain twin as in the source, and still flags an entry
    whose text or context the source no longer has."""
    catalogue = catalogue_script()
    package = tmp_path / "src" / "lanlab"
    (package / "view" / "assets").mkdir(parents=True)
    (package / "x.py").write_text('pgettext("MAC address", "broadcast")\n_("hello")\n')
    po = package / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.po"
    po.parent.mkdir(parents=True)
    entries = [("MAC address", "broadcast", "广播"), (None, "hello", "你好"), ("greeting", "hello", "您好")]
    entries.append((None, "gone", "没了"))
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        + "".join(
            (f'msgctxt "{context}"\n' if context else "") + f'msgid "{text}"\nmsgstr "{chinese}"\n\n'
            for context, text, chinese in entries
        ),
        encoding="utf-8",
    )
    for name, value in {"ROOT": tmp_path, "PACKAGE": package, "LOCALE": package / "locale"}.items():
        monkeypatch.setattr(catalogue, name, value)
    monkeypatch.setattr(catalogue, "ASSETS", package / "view" / "assets")
    found = catalogue.problems()
    assert found == [
        f"{Path('src/lanlab/locale/zh_CN/LC_MESSAGES/lanlab.po')}: no longer in the source {text!r} "
        "(run scripts/catalogue.py extract)"
        for text in ("hello", "gone")
    ], found


def test_the_program_name_prefix_is_the_same_in_every_message():
    """A Chinese message starting with the program's name writes it "lanlab: " as lanlab's errors do
    (cli/common.py's prefix, ls's and grep's convention), never "lanlab：" (five messages did)."""
    po = (MO.parent / "lanlab.po").read_text(encoding="utf-8")
    assert '\nmsgstr "lanlab：' not in po


def _fields(text: str, percent: bool) -> set[str] | None:
    """What a template formats in: for a python-format entry its %(name)s names and its positional
    conversions numbered in order (%s then %d is {"#0s", "#1d"}: a translation must keep their order),
    {name} fields otherwise. None when the text is no str.format template (a lone brace)."""
    if percent:
        bare = text.replace("%%", "")
        named = set(re.findall(r"%\((\w+)\)", bare))
        positional = re.findall(r"%(?!\()[-#0 +]*\d*(?:\.\d+)?([sdrifx])", bare)
        return named | {f"#{index}{conversion}" for index, conversion in enumerate(positional)}
    try:
        return {
            name.split(".")[0].split("[")[0].split("!")[0] for _, name, _, _ in string.Formatter().parse(text) if name
        }
    except ValueError:
        return None


@needs_mo
def test_every_translation_formats_only_what_its_english_gives():
    """A Chinese text names no placeholder its English lacks (it would raise KeyError where shown),
    and keeps each %-placeholder (argparse's and click's own texts format with %)."""
    from babel.messages.pofile import read_po

    with (MO.parent / "lanlab.po").open("rb") as po:
        catalogue = read_po(po)
    wrong = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        # a plural's forms are formatted with the same arguments (Chinese has one form for every n)
        englishes = message.id if message.pluralizable else (message.id,)
        chineses = message.string if message.pluralizable else (message.string,)
        percent = "python-format" in message.flags
        wants = [_fields(english, percent) for english in englishes]
        for chinese in chineses:
            if None in wants:  # the English is no template: its text is shown as it is
                continue
            have = _fields(chinese, percent)
            if have is None:  # the English formats, the Chinese would raise ValueError
                wrong.append(f"{message.id!r}: {chinese!r}")
                continue
            want = set().union(*wants)
            if not have <= want or (percent and not message.pluralizable and have != want):
                wrong.append(f"{message.id!r}: {chinese!r}")
    assert not wrong, "\n".join(wrong)


def test_the_placeholder_check_finds_a_name_the_english_lacks():
    """The check above reads {value!r}, %(name)s and positional %s/%d (in order) as the placeholders
    they are, and a broken brace as no template."""
    assert _fields("{value!r} is not a valid {number_type}.", False) == {"value", "number_type"}
    assert _fields("{value!r} 不是有效的数", False) == {"value"}
    assert _fields("argument %(argument_name)s: %(message)s", True) == {"argument_name", "message"}
    assert _fields("%s and %d, 100%%", True) == {"#0s", "#1d"}
    assert _fields("%d 和 %s", True) != _fields("%s and %d", True)
    assert _fields("{{a} 和 {b}", False) is None
