"""argparse's own messages about a --do's words (required, unrecognized, invalid value, expected one
argument...) come from lanlab's catalogue: Chinese under --lang zh, English as before, and the
error's str stays English."""

from __future__ import annotations

import argparse
import ast
import gettext
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.i18n import language, localize, set_language, speaking
from lanlab.sim import CommandError, Network, schedule
from lanlab.sim.commands.base import ARGPARSE_MESSAGES  # installs argparse's hooks

ROOT = Path(__file__).resolve().parents[3]
MO = ROOT / "src" / "lanlab" / "locale" / "zh_CN" / "LC_MESSAGES" / "lanlab.mo"
pytestmark = pytest.mark.skipif(not MO.exists(), reason="the zh_CN catalogue is not compiled (run `make`)")
ARP = str(ROOT / "examples" / "arp.yaml")

CASES = [  # (--do, Chinese line, English line), as `lanlab sim run` prints them
    (
        "pc1 ping",
        "lanlab: --do 'pc1 ping'：ping：缺少必需的参数：target",
        "lanlab: --do 'pc1 ping': ping: the following arguments are required: target",
    ),
    (
        "pc1 ping pc2 --bogus",
        "lanlab: --do 'pc1 ping pc2 --bogus'：ping：无法识别的参数：--bogus",
        "lanlab: --do 'pc1 ping pc2 --bogus': ping: unrecognized arguments: --bogus",
    ),
    (
        "pc1 ping pc2 -c",
        "lanlab: --do 'pc1 ping pc2 -c'：参数 -c：后面需要一个值",
        "lanlab: --do 'pc1 ping pc2 -c': argument -c: expected one argument",
    ),
    (
        "pc1 ping pc2 -c x",
        "lanlab: --do 'pc1 ping pc2 -c x'：参数 -c：'x' 不是整数",
        "lanlab: --do 'pc1 ping pc2 -c x': argument -c: 'x' is not a whole number",
    ),
    (
        "pc1 udp send pc2 99999 hi",
        "lanlab: --do 'pc1 udp send pc2 99999 hi'：参数 port：99999 超出范围：请给出 1 到 65535 之间的数",
        "lanlab: --do 'pc1 udp send pc2 99999 hi': argument port: 99999 is out of range: give a number from 1 to 65535",
    ),
    (
        "link pc1:eth0 sw1:p1 sideways",
        "lanlab: --do 'link pc1:eth0 sw1:p1 sideways'：参数 state：无效的选择：'sideways'（可选：'down', 'up'）",
        "lanlab: --do 'link pc1:eth0 sw1:p1 sideways': argument state: invalid choice: 'sideways' (choose from 'down', 'up')",
    ),
    (
        "pc1 udp listen 7 --echo=1",
        "lanlab: --do 'pc1 udp listen 7 --echo=1'：参数 --echo：多余的参数值 '1'（这个选项不带值）",
        "lanlab: --do 'pc1 udp listen 7 --echo=1': argument --echo: ignored explicit argument '1'",
    ),
]


@pytest.mark.parametrize(("do", "chinese", "english"), CASES, ids=[case[0] for case in CASES])
def test_argparse_messages_in_both_languages(do, chinese, english):
    """The --do's mistake, as argparse words it, is Chinese under --lang zh and English as before under en."""
    for word, line in (("zh", chinese), ("en", english)):
        result = CliRunner().invoke(cli, ["--lang", word, "sim", "run", ARP, "--do", do])
        assert result.exit_code == 2
        assert line in result.output.splitlines(), result.output


def test_the_error_stays_english_and_argparse_is_left_as_it_was():
    """Under zh the CommandError's str is English (for --json and logs), localize() gives the
    Chinese; argparse speaks English and lanlab's language is back as it was after the parse."""
    before = language()
    set_language("zh")
    try:
        network = Network.from_yaml(ARP)
        with pytest.raises(CommandError) as caught:
            schedule(network, "pc1 ping pc2 -c")
        message = caught.value.args[0]
        assert str(message) == "'pc1 ping pc2 -c': argument -c: expected one argument"
        assert localize(message) == "'pc1 ping pc2 -c'：参数 -c：后面需要一个值"
        assert language() == "zh"
        assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]
        assert argparse.ngettext("expected %s argument", "expected %s arguments", 2) == "expected %s arguments"  # type: ignore[attr-defined]
    finally:
        set_language(before)


def test_speaking_translates_argparse_plurals_and_usage_then_restores():
    """Inside speaking("zh") argparse's ngettext and its usage line are Chinese; outside, English."""
    parser = argparse.ArgumentParser(prog="demo", add_help=False, exit_on_error=False)
    parser.add_argument("--pair", nargs=2)
    with speaking("zh"):
        with pytest.raises(argparse.ArgumentError) as caught:
            parser.parse_args(["--pair", "a"])
        assert str(caught.value) == "参数 --pair：后面需要 2 个值"
        assert parser.format_usage().startswith("用法：demo")
    assert parser.format_usage().startswith("usage: demo")


def test_speaking_switches_only_its_own_thread():
    """While one thread speaks zh (sim serve parsing a --do), another goes on in English: lanlab's
    texts and argparse's messages alike."""
    inside, done = threading.Event(), threading.Event()
    seen: dict[str, str] = {}
    before = language()
    set_language("en")

    def speak() -> None:
        with speaking("zh"):
            seen["spoken"] = localize("usage: ")
            inside.set()
            done.wait(10)

    speaker = threading.Thread(target=speak)
    speaker.start()
    try:
        assert inside.wait(10)
        parser = argparse.ArgumentParser(prog="demo", add_help=False, exit_on_error=False)
        assert language() == "en"
        assert localize("usage: ") == "usage: "
        assert parser.format_usage().startswith("usage: demo")
    finally:
        done.set()
        speaker.join(10)
        set_language(before)
    assert seen["spoken"] == "用法："


def test_clicks_usage_errors_stay_chinese_after_a_do_mistake():
    """Swapping argparse's gettext does not touch click's: its usage error is still Chinese afterwards."""
    CliRunner().invoke(cli, ["--lang", "zh", "sim", "run", ARP, "--do", "pc1 ping"])
    result = CliRunner().invoke(cli, ["--lang", "zh", "sim", "run", ARP, "--frob"])
    assert result.exit_code == 2
    assert "No such option" not in result.output and "--frob" in result.output


# argparse's texts a --do never shows: help, and mistakes in a parser's own definition (3.11-3.13)
NOT_SHOWN = {
    "%(prog)s: error: %(message)s\n",  # lanlab's parser raises instead of printing this
    "%(prog)s: warning: %(message)s\n",
    "%(heading)s:",
    " (default: %(default)s)",  # 3.13's ArgumentDefaultsHelpFormatter marks it: a help text
    "%r is not callable",
    "'required' is an invalid argument for positionals",
    ".__call__() not defined",
    'argument "-" with mode %r',
    "can't open '%(filename)s': %(error)s",
    "cannot have multiple subparser arguments",
    "cannot merge actions - two groups are named %r",
    "conflicting option string: %s",
    "conflicting subparser alias: %s",
    "conflicting subparser: %s",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "mutually exclusive arguments must be optional",
    "options",
    "positional arguments",
    "show this help message and exit",
    "show program's version number and exit",
    "subcommands",
    "unexpected option string: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)",
}


def test_every_message_this_pythons_argparse_can_show_is_in_the_catalogue():
    """Each `_()`/ngettext text of the running Python's argparse is in ARGPARSE_MESSAGES (translated)
    or among the texts a --do never shows; every one of ours translates."""
    texts = set()
    for node in ast.walk(ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_", "ngettext") and node.args:
            if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                texts.add(node.args[0].value)
    ours = {text if isinstance(text, str) else text[0] for text in ARGPARSE_MESSAGES}
    assert texts - ours - NOT_SHOWN == set()
    chinese = gettext.translation("lanlab", ROOT / "src" / "lanlab" / "locale", languages=["zh_CN"])
    assert all(chinese.gettext(text) != text for text in ours)


def test_a_newer_argparse_raising_instead_of_error_reads_the_same():
    """Python 3.12.7+/3.13.1+ raise ArgumentError(None, ...) for a missing or unknown word where 3.11
    calls error(): the message is still prefixed with the command, in both languages."""
    from lanlab.sim.commands.base import parse_words

    class Newer(argparse.ArgumentParser):
        def parse_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
            raise argparse.ArgumentError(None, argparse._("unrecognized arguments: %s") % "--bogus")  # type: ignore[attr-defined]

    with pytest.raises(CommandError) as caught:
        parse_words(lambda: Newer(prog="ping", add_help=False, exit_on_error=False), ["pc2", "--bogus"])
    message = caught.value.args[0]
    assert str(message) == "ping: unrecognized arguments: --bogus"
    before = language()
    set_language("zh")
    try:
        assert localize(message) == "ping：无法识别的参数：--bogus"
    finally:
        set_language(before)


def test_an_encoding_without_escapes_is_refused_by_the_simulators_words_too():
    """`tcp connect --encoding idna` on a simulated host connected and then lost every byte the peer sent (the
    real command hung): both refuse such a codec when the words are read."""
    from lanlab.sim import CommandError
    from simnets import pair

    net = pair()
    with pytest.raises(CommandError, match="cannot show the bytes a peer sends"):
        net.do("pc1 tcp connect pc2 7788 --send hi --encoding idna")
