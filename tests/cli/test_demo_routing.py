"""The routed half of `lanlab demo`: tables before and after RIP, ping and traceroute across, ARP beside RARP,
then a DHCP lease."""

import io

from rich.console import Console

from lanlab.cli.demo_routing import dhcp_story, routed_story


def test_routed_story_shows_convergence_ping_traceroute_and_rarp():
    """Tables at 0 s hold connected routes only; at 10 s the RIP ones; ping/traceroute cross; pc4 got .4."""
    out = io.StringIO()
    routed_story(Console(file=out, width=140, highlight=False, soft_wrap=True), first=5)
    text = out.getvalue()
    before, after = text.split("6. RIP converges.")
    assert "r1 routing table at 0 s" in before and "rip" not in before.split("r1 routing table at 0 s")[1]
    assert "198.18.2.0/24 added, metric 2 via 198.18.12.2" in after
    assert "2 sent, 2 received, ttl 62" in after
    assert " 2  r2 (198.18.12.2)" in after and " 3  pc3 (198.18.2.3)" in after
    assert "pc4: Who is 02:00:00:00:02:04?" in after and "pc4 now has 198.18.2.4" in after
    assert "Who has 198.18.2.3? Tell 198.18.2.254" in after


def test_dhcp_story_shows_the_four_messages_in_order_and_the_lease():
    """pc5 sends DISCOVER and REQUEST, srv OFFER and ACK, in that order; pc5 ends with the pool's first
    address and the router the pool gives, and srv's lease table holds it as bound."""
    out = io.StringIO()
    dhcp_story(Console(file=out, width=200, highlight=False, soft_wrap=True), step=9)
    text = out.getvalue()
    said = [(line.split()[1], line.split()[6]) for line in text.splitlines() if " DHCP  " in line]
    assert said == [("pc5", "Discover"), ("srv", "Offer"), ("pc5", "Request"), ("srv", "ACK")]
    assert "pc5 now has 198.18.3.100 and gateway 198.18.3.254" in text and ", bound until 3600 s" in text
