"""`lanlab demo`: the note's story on the built-in simulated network; `--real` on loopback."""

from pathlib import Path

from click.testing import CliRunner

from lanlab.cli.main import cli
from lanlab.wire import PcapngReader


def test_demo_tells_the_story_on_the_simulated_network(tmp_path: Path):
    """Broadcast with every host answering, pings with ARP first, tables, the capture."""
    out = tmp_path / "story.pcapng"
    result = CliRunner().invoke(cli, ["demo", "--pcap", str(out)])
    assert result.exit_code == 0, result.output
    text = result.output
    for n in (2, 3, 4, 5):
        assert f"'Hello from pc{n}'" in text
    assert "One frame left pc1" in text and "The switch made 3 copies" in text
    assert "Who has 198.18.0.3? Tell 198.18.0.1" in text
    assert "ping 198.18.0.3: 2 sent, 2 received" in text and "ping 198.18.0.2: 2 sent, 2 received" in text
    assert "sw1 MAC table" in text and "pc1 ARP table" in text
    assert f"wireshark {out}" in text
    with open(out, "rb") as stream:
        assert len(list(PcapngReader(stream))) > 50


def test_demo_is_deterministic(tmp_path: Path):
    """Two runs print the same story and write the same capture bytes."""
    runs = [CliRunner().invoke(cli, ["demo", "--pcap", str(tmp_path / f"{n}.pcapng")]) for n in (1, 2)]
    assert runs[0].output.replace("1.pcapng", "N") == runs[1].output.replace("2.pcapng", "N")
    assert (tmp_path / "1.pcapng").read_bytes() == (tmp_path / "2.pcapng").read_bytes()


def test_demo_real_tells_the_udp_and_tcp_story_on_loopback():
    """--real shows the UDP reply and the TCP "thank YOU!" exchange on loopback, exit 0."""
    result = CliRunner().invoke(cli, ["demo", "--real"])
    assert result.exit_code == 0, result.output
    assert "listener got 'Hi'" in result.output
    assert "sender got 'thank YOU!'" in result.output
    assert "server: message" in result.output and "你好, server" in result.output
    assert "client got 'thank YOU!" in result.output


def test_demo_real_server_lines_in_both_languages():
    """--real's server lines read "server: connect/message/disconnect CLIENT ..." in English (as
    before) and are Chinese under --lang zh, the "closed" reason too."""
    import re

    from tests.helpers.languages import needs_the_catalogue

    needs_the_catalogue()
    english = CliRunner().invoke(cli, ["--lang", "en", "demo", "--real"]).output
    chinese = CliRunner().invoke(cli, ["--lang", "zh", "demo", "--real"]).output
    client = r"127\.0\.0\.1:\d+"
    for line in (
        f"server: connect {client}",
        f"server: message {client} 你好, server",
        f"server: disconnect {client} closed",
    ):
        assert re.search(f"^  {line}$", english, re.M), line
    for line in (
        f"服务器：{client} 已连接",
        f"服务器：收到 {client} 的消息：你好, server",
        f"服务器：{client} 断开连接，已关闭",
    ):
        assert re.search(f"^  {line}$", chinese, re.M), line
    assert "server:" not in chinese


def test_demo_never_writes_through_a_link_planted_in_the_temp_dir(tmp_path: Path, monkeypatch):
    """A symlink another user planted at $TMPDIR/lanlab-demo.pcapng is not followed: the
    default capture goes to the user's cache directory, made private."""
    shared_tmp, cache, victim = tmp_path / "tmp", tmp_path / "cache", tmp_path / "victim"
    shared_tmp.mkdir()
    victim.write_bytes(b"precious")
    (shared_tmp / "lanlab-demo.pcapng").symlink_to(victim)
    monkeypatch.setenv("TMPDIR", str(shared_tmp))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR, as a fresh process would
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert victim.read_bytes() == b"precious"
    capture = cache / "lanlab" / "lanlab-demo.pcapng"
    assert f"wireshark {capture}" in result.output
    assert (cache / "lanlab").stat().st_mode & 0o077 == 0
    with open(capture, "rb") as stream:
        assert len(list(PcapngReader(stream))) > 50


def test_every_command_the_demo_suggests_runs(tmp_path: Path, monkeypatch):
    """Each `lanlab ...` the demo tells the reader to try (its "Try" lines) runs with exit status 0."""
    import shlex

    result = CliRunner().invoke(cli, ["--lang", "en", "demo", "--pcap", str(tmp_path / "demo.pcapng")])
    tried = [
        line.split("Try your own: ", 1)[-1].split("Try: ", 1)[-1]
        for line in result.output.splitlines()
        if "Try" in line
    ]
    tried = [line for line in tried if line.startswith("lanlab sim ")]
    assert len(tried) == 3, result.output
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    for line in tried:
        run = CliRunner().invoke(cli, shlex.split(line)[1:])
        assert run.exit_code == 0, (line, run.output[-300:])
