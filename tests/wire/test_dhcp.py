"""DHCP/BOOTP codec (RFC 2131/2132): round trips, scapy both ways, tshark, and bad bytes."""

import shutil
import subprocess
from ipaddress import IPv4Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.dhcp import BOOTP, DHCP

from lanlab.wire import (
    BootOp,
    Dhcp,
    DhcpMessageType,
    DhcpOption,
    DhcpOptionCode,
    Ethernet,
    IPv4,
    MalformedError,
    TruncatedError,
    Udp,
    WireError,
    dissect,
)
from lanlab.wire.dhcp import MAGIC_COOKIE
from lanlab.wire.pcap import PcapWriter
from wire_strategies import ips, macs, u16, u32

MAC = "02:5e:00:00:00:01"
SERVER = IPv4Address("198.18.0.1")

options = st.lists(st.builds(DhcpOption, st.integers(1, 254), st.binary(max_size=40)), max_size=8).map(tuple)
dhcps = st.builds(
    Dhcp,
    st.sampled_from(list(BootOp)),
    u32,
    st.binary(min_size=16, max_size=16),
    st.none() | options,
    ips,
    ips,
    ips,
    ips,
    u16,
    u16,
    st.integers(0, 255),
    st.integers(0, 255),
    st.integers(0, 255),
    st.binary(min_size=64, max_size=64),
    st.binary(min_size=128, max_size=128),
    st.binary(max_size=60),
)


def offer() -> Dhcp:
    return Dhcp.new(
        BootOp.BOOTREPLY,
        0xCAFE,
        MAC,
        DhcpMessageType.OFFER,
        [
            DhcpOption.address(DhcpOptionCode.SERVER_ID, SERVER),
            DhcpOption.seconds(DhcpOptionCode.LEASE_TIME, 3600),
            DhcpOption.seconds(DhcpOptionCode.RENEWAL_TIME, 1800),
            DhcpOption.seconds(DhcpOptionCode.REBINDING_TIME, 3150),
            DhcpOption.address(DhcpOptionCode.SUBNET_MASK, "255.255.255.0"),
            DhcpOption.address(DhcpOptionCode.ROUTER, SERVER),
            DhcpOption.address(DhcpOptionCode.DNS_SERVERS, "198.18.0.53", "198.18.0.54"),
            DhcpOption.text(DhcpOptionCode.HOSTNAME, "pc1"),
        ],
        yiaddr=IPv4Address("198.18.0.100"),
        siaddr=SERVER,
    )


@given(dhcps)
def test_parse_of_build_gives_the_message_back(message):
    """Any message (options, PADs and trailing padding included) parses back to itself."""
    assert Dhcp.parse(message.build())[0] == message


@given(dhcps)
def test_build_of_parse_gives_the_bytes_back(message):
    """Bytes we built rebuild byte for byte after a parse."""
    wire = message.build()
    assert Dhcp.parse(wire)[0].build() == wire


def test_pads_between_options_are_kept_where_they_were():
    """PAD bytes inside the option list (some clients align with them) survive a parse and build."""
    wire = (
        Dhcp.new(BootOp.BOOTREQUEST, 1, MAC, None).build()[:-1]
        + bytes([53, 1, 1, 0, 0, 55, 2, 1, 3, 0, 255])
        + bytes(20)
    )
    parsed = Dhcp.parse(wire)[0]
    assert parsed.pads == (1, 1, 2) and parsed.build() == wire
    assert parsed.message_type == DhcpMessageType.DISCOVER and parsed.value(DhcpOptionCode.PARAMETER_LIST) == (1, 3)


def test_known_options_are_decoded_by_name():
    """The options a LAN uses read as addresses, seconds and text."""
    decoded = Dhcp.parse(offer().build())[0].decoded_options()
    assert decoded == {
        "message_type": "OFFER",
        "server_id": SERVER,
        "lease_time": 3600,
        "renewal_time": 1800,
        "rebinding_time": 3150,
        "subnet_mask": IPv4Address("255.255.255.0"),
        "router": (SERVER,),
        "dns_servers": (IPv4Address("198.18.0.53"), IPv4Address("198.18.0.54")),
        "hostname": "pc1",
    }


def test_plain_bootp_has_no_options_and_keeps_its_vendor_area():
    """A BOOTP message without the magic cookie parses with options None and rebuilds as it was."""
    wire = Dhcp(BootOp.BOOTREQUEST, 7, options=None, padding=bytes(64)).build()
    parsed = Dhcp.parse(wire)[0]
    assert parsed.options is None and parsed.build() == wire and "Boot Request" in parsed.summary()


@pytest.mark.parametrize(
    "tail, error",
    [
        (b"", TruncatedError),  # no END
        (bytes([53, 5, 1]), TruncatedError),  # option longer than the datagram
        (bytes([53]), TruncatedError),  # a code with no length byte
    ],
)
def test_cut_option_lists_are_truncated_errors(tail, error):
    """An option list cut short or running past the datagram is a TruncatedError, not a crash."""
    fixed = Dhcp(BootOp.BOOTREQUEST, 1, options=None).build()
    with pytest.raises(error):
        Dhcp.parse(fixed + MAGIC_COOKIE + tail)


def test_an_option_of_the_wrong_length_is_malformed_when_read():
    """A message-type option of two bytes parses (kept as bytes) but reading its value is a MalformedError."""
    message = Dhcp.parse(Dhcp(BootOp.BOOTREQUEST, 1, options=(DhcpOption(53, b"\x01\x02"),)).build())[0]
    with pytest.raises(MalformedError):
        message.value(DhcpOptionCode.MESSAGE_TYPE)
    assert message.decoded_options() == {"message_type": b"\x01\x02"}
    assert "Transaction ID" in dissect(_frame(message)).info


@given(st.binary(max_size=400))
def test_random_bytes_raise_only_wire_error(data):
    """Any bytes parse or raise WireError; a parsed message's summary never raises."""
    try:
        message = Dhcp.parse(MAGIC_COOKIE.join([data[:236].ljust(236, b"\0"), data[236:]]) if data else data)[0]
    except WireError:
        return
    message.summary()
    message.decoded_options()


@settings(max_examples=50)
@given(u32, macs)
def test_scapy_reads_our_offer(xid, mac):
    """scapy's BOOTP/DHCP layers read our OFFER's fields and options."""
    ours = Dhcp.new(
        BootOp.BOOTREPLY, xid, mac, DhcpMessageType.OFFER, offer().options[1:], yiaddr=IPv4Address("198.18.0.100")
    )
    packet = BOOTP(ours.build())
    assert (packet.op, packet.xid, packet.yiaddr, packet.chaddr[:6]) == (2, xid, "198.18.0.100", mac.packed)
    theirs = {o[0]: o[1:] for o in packet[DHCP].options if isinstance(o, tuple)}
    assert theirs["message-type"] == (2,) and theirs["server_id"] == (str(SERVER),)
    assert theirs["lease_time"] == (3600,) and theirs["renewal_time"] == (1800,)
    assert theirs["name_server"] == ("198.18.0.53", "198.18.0.54") and theirs["hostname"] == (b"pc1",)


def test_we_read_scapys_request():
    """A REQUEST scapy builds parses to the same fields and options with us."""
    theirs = bytes(
        BOOTP(op=1, xid=0x1234, chaddr=bytes.fromhex("025e00000001") + bytes(10), flags=0x8000)
        / DHCP(
            options=[
                ("message-type", "request"),
                ("requested_addr", "198.18.0.100"),
                ("server_id", "198.18.0.1"),
                ("hostname", b"pc1"),
                "end",
            ]
        )
    )
    ours = Dhcp.parse(theirs)[0]
    assert ours.xid == 0x1234 and ours.broadcast and str(ours.chaddr) == MAC
    assert ours.decoded_options() == {
        "message_type": "REQUEST",
        "requested_address": IPv4Address("198.18.0.100"),
        "server_id": SERVER,
        "hostname": "pc1",
    }
    assert ours.build() == theirs


def _frame(message: Dhcp, server: bool = True) -> bytes:
    ports = (67, 68) if server else (68, 67)
    src, dst = (SERVER, IPv4Address("255.255.255.255")) if server else (IPv4Address(0), IPv4Address("255.255.255.255"))
    udp = Udp(*ports).build(message.build(), src, dst)
    return Ethernet("ff:ff:ff:ff:ff:ff", "02:5e:00:00:00:99", 0x0800).build(IPv4(src, dst, 17).build(udp))


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
def test_tshark_reads_our_four_messages(tmp_path):
    """tshark decodes DISCOVER, OFFER, REQUEST and ACK we build: same types, xid, addresses, no malformed field."""
    kinds = [DhcpMessageType.DISCOVER, DhcpMessageType.OFFER, DhcpMessageType.REQUEST, DhcpMessageType.ACK]
    messages = [
        Dhcp.new(
            BootOp.BOOTREQUEST if k in (1, 3) else BootOp.BOOTREPLY,
            0xABCD,
            MAC,
            k,
            offer().options[1:] if k in (2, 5) else (),
            yiaddr=IPv4Address("198.18.0.100") if k in (2, 5) else IPv4Address(0),
        )
        for k in kinds
    ]
    path = tmp_path / "dhcp.pcap"
    with path.open("wb") as file:
        writer = PcapWriter(file)
        for i, message in enumerate(messages):
            writer.write(i * 1_000_000, _frame(message, server=message.op == BootOp.BOOTREPLY))
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(path),
            "-T",
            "fields",
            "-e",
            "dhcp.option.dhcp",
            "-e",
            "dhcp.id",
            "-e",
            "dhcp.ip.your",
            "-e",
            "dhcp.option.ip_address_lease_time",
            "-e",
            "_ws.malformed",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split("\t") for line in out.rstrip("\n").splitlines()]
    assert [int(r[0]) for r in rows] == [1, 2, 3, 5]
    assert all(r[1] == "0x0000abcd" for r in rows)
    assert rows[1][2] == "198.18.0.100" and rows[1][3] == "3600"
    assert all(r[4] == "" for r in rows)
    info = subprocess.run(
        ["tshark", "-r", str(path), "-T", "fields", "-e", "_ws.col.Info"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert info == [dissect(_frame(m)).info for m in messages]  # our summary is tshark's Info column
