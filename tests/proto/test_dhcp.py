"""The DHCP server and client machines (RFC 2131), wired in memory with a hand-moved clock."""

import random
from dataclasses import replace
from ipaddress import IPv4Address, IPv4Network

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lanlab.proto.dhcp import (
    BROADCAST,
    CLIENT_TRANSITIONS,
    DECLINE_WAIT,
    Bound,
    ClientState,
    DhcpClient,
    DhcpServer,
    Lost,
    PoolError,
    Probe,
    relay_reply,
    relay_request,
)
from lanlab.units import SECOND
from lanlab.wire import BootOp, Dhcp, DhcpMessageType, DhcpOption, DhcpOptionCode, MacAddress

SUBNET = IPv4Network("198.18.0.0/24")
HOUR = 3600 * SECOND


def server(first="198.18.0.100", last="198.18.0.102", server_id="198.18.0.1", lease=HOUR) -> DhcpServer:
    return DhcpServer(
        IPv4Address(server_id),
        SUBNET,
        (IPv4Address(first), IPv4Address(last)),
        lease,
        router=IPv4Address("198.18.0.1"),
        dns=(IPv4Address("198.18.0.53"),),
    )


def client(n=1, seed=1) -> DhcpClient:
    return DhcpClient(MacAddress(f"02:5e:00:00:00:{n:02x}"), random.Random(seed), hostname=f"pc{n}")


class Lan:
    """Clients and servers on one broadcast domain: every message reaches whoever it is addressed to."""

    def __init__(self, servers, clients, in_use=()):
        self.servers, self.clients, self.in_use = servers, clients, set(in_use)
        self.now = 0
        self.log: list[tuple[str, int]] = []  # (who, message type) in the order sent
        self.events: list = []
        self.silent = False  # servers hear nothing (a dead server)

    def deliver(self):
        moved = True
        while moved:
            moved = False
            for c in self.clients:
                for send in c.messages_to_send(self.now):
                    moved = True
                    self.log.append((str(c.mac), send.message.message_type))
                    if not self.silent:
                        for s in self.servers:
                            if send.destination in (BROADCAST, s.server_id):
                                s.handle_message(send.message, self.now)
                while (event := c.next_event()) is not None:
                    self.events.append(event)
                    if isinstance(event, Probe):
                        c.probe_result(event.address in self.in_use, self.now)
                        moved = True
            for s in self.servers:
                for send in s.messages_to_send(self.now):
                    moved = True
                    self.log.append((str(s.server_id), send.message.message_type))
                    for c in self.clients:
                        if (
                            send.destination == BROADCAST
                            or send.mac == c.mac
                            or (c.lease is not None and send.destination == c.lease.address)
                        ):
                            c.handle_message(send.message, self.now)

    def run_until(self, end):
        self.deliver()
        while True:
            timers = [t for m in (*self.clients, *self.servers) if (t := m.get_timer()) is not None and t <= end]
            if not timers:
                self.now = end
                return
            self.now = max(self.now, min(timers))
            for m in (*self.clients, *self.servers):
                m.handle_timer(self.now)
            self.deliver()


def test_discover_offer_request_ack_then_probe_then_bound():
    """A client takes an address in four messages, ARP-probes it, then is BOUND with the server's options."""
    lan = Lan([server()], [client()])
    lan.clients[0].start(0)
    lan.deliver()
    assert [kind for _, kind in lan.log] == [1, 2, 3, 5]
    probe, bound = lan.events
    assert isinstance(probe, Probe) and isinstance(bound, Bound) and probe.address == bound.address
    assert bound.address == IPv4Address("198.18.0.100") and bound.router == IPv4Address("198.18.0.1")
    assert bound.dns == (IPv4Address("198.18.0.53"),) and bound.lease_time == HOUR and bound.subnet == SUBNET
    assert lan.clients[0].state is ClientState.BOUND
    (lease,) = lan.servers[0].leases(0)
    assert (lease.state, lease.hostname, lease.expires) == ("bound", "pc1", HOUR)


def test_renews_at_t1_by_unicast_and_keeps_the_address():
    """At T1 (half the lease) the client unicasts a REQUEST with ciaddr; the ACK extends the lease."""
    lan = Lan([server()], [client()])
    lan.clients[0].start(0)
    lan.run_until(HOUR // 2 + SECOND)
    assert [kind for _, kind in lan.log] == [1, 2, 3, 5, 3, 5]
    renewed = lan.events[-1]
    assert isinstance(renewed, Bound) and renewed.time == HOUR // 2 and renewed.address == lan.events[1].address
    assert lan.servers[0].leases(lan.now)[0].expires == HOUR // 2 + HOUR


@pytest.mark.parametrize(
    ("at", "state", "unicast"), [(HOUR // 2 + SECOND, "RENEWING", True), (HOUR * 7 // 8 + SECOND, "REBINDING", False)]
)
def test_renew_asked_while_renewing_or_rebinding_sends_a_request_at_once(at, state, unicast):
    """`dhcp renew` while the client is already RENEWING (or REBINDING) sends a REQUEST now, unicast to its server
    (broadcast while rebinding), as udhcpc renews on SIGUSR1 in those states; it said there was no lease."""
    lan = Lan([server()], [client()])
    c = lan.clients[0]
    c.start(0)
    lan.deliver()
    lan.silent = True
    lan.run_until(at)
    assert c.state.value == state
    c.messages_to_send(lan.now)
    assert c.renew(lan.now) is True and c.state.value == state
    (send,) = c.messages_to_send(lan.now)
    assert send.message.message_type == DhcpMessageType.REQUEST and send.message.ciaddr == IPv4Address("198.18.0.100")
    assert send.destination == (IPv4Address("198.18.0.1") if unicast else BROADCAST)


def test_renew_without_a_lease_is_refused():
    """Before any lease (SELECTING), `dhcp renew` sends nothing and says so."""
    c = client()
    c.start(0)
    c.messages_to_send(0)
    assert c.renew(0) is False and c.messages_to_send(0) == []


def test_a_silent_server_means_rebinding_at_t2_then_losing_the_address_at_expiry():
    """With the server gone: RENEWING from T1, REBINDING (broadcast) from T2, the address lost at expiry."""
    lan = Lan([server()], [client()])
    c = lan.clients[0]
    c.start(0)
    lan.deliver()
    lan.silent = True
    lan.run_until(HOUR * 7 // 8 - 1)
    assert c.state is ClientState.RENEWING
    lan.run_until(HOUR * 7 // 8)
    assert c.state is ClientState.REBINDING
    lan.run_until(HOUR + 1)
    lost = [e for e in lan.events if isinstance(e, Lost)]
    assert lost == [Lost(HOUR, IPv4Address("198.18.0.100"), "lease expired")]
    assert c.state is ClientState.SELECTING


def test_an_address_found_in_use_is_declined_and_another_taken_after_ten_seconds():
    """RFC 2131 3.1.5: the probe finds .100 in use: DECLINE, wait 10 s, then the server offers another address."""
    lan = Lan([server()], [client()], in_use={IPv4Address("198.18.0.100")})
    lan.clients[0].start(0)
    lan.run_until(DECLINE_WAIT + 5 * SECOND)
    kinds = [kind for _, kind in lan.log]
    assert kinds[:5] == [1, 2, 3, 5, DhcpMessageType.DECLINE]
    assert lan.servers[0].by_address[IPv4Address("198.18.0.100")].state == "declined"
    bound = [e for e in lan.events if isinstance(e, Bound)]
    assert [b.address for b in bound] == [IPv4Address("198.18.0.101")] and bound[0].time >= DECLINE_WAIT


def test_two_servers_the_client_takes_one_and_the_other_frees_its_offer():
    """Both servers offer; the REQUEST names one (server identifier), and the other's offered address is free again."""
    a, b = server(server_id="198.18.0.1"), server(server_id="198.18.0.2", first="198.18.0.150", last="198.18.0.151")
    lan = Lan([a, b], [client()])
    lan.clients[0].start(0)
    lan.deliver()
    (bound,) = [e for e in lan.events if isinstance(e, Bound)]
    assert bound.server == IPv4Address("198.18.0.1")
    assert [lease.state for lease in b.leases(0)] == ["expired"]
    assert [lease.state for lease in a.leases(0)] == ["bound"]


def test_a_pool_that_runs_out_offers_nothing_and_the_client_backs_off():
    """Three addresses, four clients: the fourth gets no OFFER; it retries at 4, 8, 16 s, each +-1 s."""
    clients = [client(n, seed=n) for n in range(1, 5)]
    lan = Lan([server()], clients)
    for c in clients:
        c.start(0)
    lan.deliver()
    assert [c.state for c in clients] == [ClientState.BOUND] * 3 + [ClientState.SELECTING]
    starts = []
    last = clients[3]
    for _ in range(3):
        starts.append(last.get_timer())
        lan.run_until(last.get_timer())
    gaps = [starts[0], starts[1] - starts[0], starts[2] - starts[1]]
    for gap, nominal in zip(gaps, (4, 8, 16)):
        assert (nominal - 1) * SECOND <= gap <= (nominal + 1) * SECOND
    assert lan.servers[0].exhausted == 4


def test_release_frees_the_address_and_the_client_gets_it_back():
    """RELEASE marks the lease released; the next DISCOVER from the same client is offered the same address."""
    s = server()
    lan = Lan([s], [client(1), client(2, seed=2)])
    lan.clients[0].start(0)
    lan.deliver()
    first = lan.clients[0].lease.address
    assert lan.clients[0].release(SECOND)
    lan.now = SECOND
    lan.deliver()
    assert s.by_address[first].state == "released" and lan.events[-1] == Lost(SECOND, first, "released")
    lan.clients[1].start(SECOND)
    lan.clients[0].start(SECOND)
    lan.deliver()
    assert lan.clients[0].lease.address == first and lan.clients[1].lease.address != first


def test_a_request_for_an_address_on_another_network_is_naked():
    """INIT-REBOOT asking for 10.x on this subnet's server gets a broadcast NAK (RFC 2131 4.3.2)."""
    s = server()
    request = Dhcp.new(
        BootOp.BOOTREQUEST,
        9,
        "02:5e:00:00:00:09",
        DhcpMessageType.REQUEST,
        [DhcpOption.address(DhcpOptionCode.REQUESTED_ADDRESS, "198.19.5.5")],
    )
    s.handle_message(request, 0)
    (send,) = s.messages_to_send(0)
    assert send.message.message_type == DhcpMessageType.NAK and send.destination == BROADCAST


def test_a_relay_sets_giaddr_and_the_server_answers_the_relay():
    """A relay forwards with giaddr = its interface and hops + 1; the server replies to giaddr:67; the relay
    broadcasts it on the client's subnet."""
    s = DhcpServer(
        IPv4Address("198.18.9.1"),
        IPv4Network("198.18.1.0/24"),
        (IPv4Address("198.18.1.100"), IPv4Address("198.18.1.110")),
        HOUR,
    )
    c = client()
    c.start(0)
    (discover,) = c.messages_to_send(0)
    forwarded = relay_request(discover.message, IPv4Address("198.18.1.1"), IPv4Address("198.18.9.1"))
    assert forwarded.message.giaddr == IPv4Address("198.18.1.1") and forwarded.message.hops == 1
    s.handle_message(forwarded.message, 0)
    (offer,) = s.messages_to_send(0)
    assert (offer.destination, offer.port) == (IPv4Address("198.18.1.1"), 67)
    assert offer.message.yiaddr == IPv4Address("198.18.1.100")
    to_client = relay_reply(offer.message)
    assert to_client.destination == BROADCAST and to_client.port == 68
    too_far = replace(forwarded.message, hops=16)  # RFC 1542 4.1.1: a relay drops it after 16 hops
    assert relay_request(too_far, IPv4Address("198.18.1.1"), IPv4Address("198.18.9.1")) is None


def test_a_pool_outside_the_subnet_is_refused():
    """A pool that is not inside the interface's subnet, or runs backwards, is a PoolError."""
    with pytest.raises(PoolError, match="not inside"):
        server(first="198.19.0.1", last="198.19.0.9")
    with pytest.raises(PoolError, match="backwards"):
        server(first="198.18.0.9", last="198.18.0.1")


def test_a_refused_pool_is_english_and_said_in_the_users_language():
    """PoolError's str stays English; shown through localize it reads Chinese under zh."""
    from lanlab.i18n import localize, message_of, set_language

    errors = []
    for first, last in (("198.19.0.1", "198.19.0.9"), ("198.18.0.9", "198.18.0.1")):
        with pytest.raises(PoolError) as caught:
            server(first=first, last=last)
        errors.append(caught.value)
    assert [str(error) for error in errors] == [
        "pool 198.19.0.1-198.19.0.9 is not inside 198.18.0.0/24",
        "pool 198.18.0.9-198.18.0.1 runs backwards",
    ]
    set_language("zh")
    assert [localize(message_of(error)) for error in errors] == [
        "地址池 198.19.0.1-198.19.0.9 不在 198.18.0.0/24 之内",
        "地址池 198.18.0.9-198.18.0.1 首尾颠倒了",
    ]


def test_malformed_options_from_a_peer_are_ignored_not_fatal():
    """A DISCOVER whose requested-address option is 3 bytes still gets an offer; a REQUEST with a bad server
    id is treated as having none."""
    s = server()
    bad = Dhcp.new(
        BootOp.BOOTREQUEST,
        1,
        "02:5e:00:00:00:01",
        DhcpMessageType.DISCOVER,
        [DhcpOption(DhcpOptionCode.REQUESTED_ADDRESS, b"\x01\x02\x03")],
    )
    s.handle_message(bad, 0)
    assert [m.message.message_type for m in s.messages_to_send(0)] == [DhcpMessageType.OFFER]


def test_every_transition_in_the_table_is_reachable_from_init():
    """The client table has no orphan states: every state it names can be reached from INIT."""
    reached, frontier = {ClientState.INIT}, [ClientState.INIT]
    while frontier:
        state = frontier.pop()
        for (source, _), target in CLIENT_TRANSITIONS.items():
            if source == state and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(ClientState)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 6), st.sampled_from(["start", "release", "renew"]), st.integers(0, 3 * HOUR)),
        max_size=25,
    ),
    st.sets(st.sampled_from([IPv4Address(f"198.18.0.{n}") for n in range(100, 103)])),
)
def test_no_two_clients_ever_hold_one_address(actions, in_use):
    """Whatever clients start, release and renew, and whatever addresses are taken by others, no two BOUND
    clients hold the same address and every lease is from the pool and not one found in use."""
    clients = [client(n, seed=n) for n in range(1, 7)]
    lan = Lan([server()], clients, in_use=in_use)
    for who, action, at in sorted(actions, key=lambda a: a[2]):
        lan.run_until(at)
        c = clients[who - 1]
        getattr(c, action)(lan.now)
        lan.deliver()
        held = [c.lease.address for c in clients if c.state is ClientState.BOUND]
        assert len(held) == len(set(held))
        assert all(IPv4Address("198.18.0.100") <= a <= IPv4Address("198.18.0.102") and a not in in_use for a in held)


def test_the_lease_counts_from_the_request_not_from_the_end_of_the_probe():
    """RFC 2131 4.4.1: expiry = when the REQUEST was sent + the lease; a 1 s ARP probe does not push it (or T1) later."""
    s, c = server(), client()
    c.start(0)
    s.handle_message(c.messages_to_send(0)[0].message, 0)  # DISCOVER
    c.handle_message(s.messages_to_send(0)[0].message, 0)  # OFFER -> REQUEST at 0
    s.handle_message(c.messages_to_send(0)[0].message, 0)
    c.handle_message(s.messages_to_send(0)[0].message, 0)  # ACK -> probe
    assert isinstance(c.next_event(), Probe)
    c.probe_result(False, SECOND)  # the probe took 1 s
    assert c.get_timer() == HOUR // 2  # T1 from the REQUEST
    for t in (HOUR // 2, HOUR * 7 // 8):
        c.handle_timer(t)
        c.messages_to_send(t)
    while (t := c.get_timer()) is not None and t < HOUR:
        c.handle_timer(t)
        c.messages_to_send(t)
    c.handle_timer(HOUR)
    lost = [e for e in iter(c.next_event, None) if isinstance(e, Lost)]
    assert [e.time for e in lost] == [HOUR]
