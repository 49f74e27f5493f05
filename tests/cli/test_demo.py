"""`lanlab demo` (for now the loopback story; later `lanlab demo --real`)."""

from click.testing import CliRunner

from lanlab.cli.main import cli


def test_demo_tells_the_udp_and_tcp_story_on_loopback():
    """The demo shows the UDP reply and the TCP "thank YOU!" exchange, exit 0."""
    for args in (["demo"], ["demo", "--real"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert "listener got 'Hi'" in result.output
        assert "sender got 'thank YOU!'" in result.output
        assert "server: message" in result.output and "你好, server" in result.output
        assert "client got 'thank YOU!" in result.output
