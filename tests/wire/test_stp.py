"""BPDUs: round trips, truncation errors, and scapy (an independent codec) agreeing both ways."""

import dataclasses
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.layers.l2 import LLC, STP, Dot3

from lanlab.wire import Bpdu, BpduFlags, BpduRole, BpduType, BridgeId, Llc, MacAddress, dissect
from lanlab.wire import Dot3 as OurDot3
from lanlab.wire.errors import MalformedError, TruncatedError
from lanlab.wire.pcap import PcapWriter
from lanlab.wire.stp import STP_MULTICAST, describe_bpdu, from_ticks, to_ticks
from wire_strategies import macs, u8, u16, u32

configs = st.builds(
    Bpdu, st.just(BpduType.CONFIG), u8, u16, macs, u32, u16, macs, u16, u16, u16, u16, u16, version=st.just(0)
)
rsts = st.builds(
    Bpdu,
    st.just(BpduType.RST),
    u8,
    u16,
    macs,
    u32,
    u16,
    macs,
    u16,
    u16,
    u16,
    u16,
    u16,
    version=st.integers(2, 3),
    version1_length=st.just(0),
)
tcns = st.builds(Bpdu, st.just(BpduType.TCN), version=st.integers(0, 1))
bpdus = configs | rsts | tcns
SIZES = {BpduType.CONFIG: 35, BpduType.RST: 36, BpduType.TCN: 4}


@given(bpdus, st.binary(max_size=20))
def test_round_trip_keeps_every_field_and_the_payload(bpdu, payload):
    """parse(build(b)) gives back b and whatever followed it; the size is the type's (4, 35 or 36 bytes)."""
    raw = bpdu.build(payload)
    assert len(raw) == SIZES[bpdu.bpdu_type] + len(payload)
    assert Bpdu.parse(raw) == (bpdu, payload)
    assert Bpdu.parse(memoryview(raw)) == (bpdu, payload)


def test_rst_version1_length_is_computed_when_not_given():
    """An RST BPDU built without a Version 1 Length carries 0 there (9.3.3)."""
    raw = Bpdu(BpduType.RST, version=2).build()
    assert raw[35] == 0 and Bpdu.parse(raw)[0].version1_length == 0


@given(bpdus, st.data())
def test_cut_short_raises_truncated_error_naming_the_field(bpdu, data):
    """A BPDU cut anywhere short of its size raises TruncatedError naming header, field and offset."""
    raw = bpdu.build()
    cut = data.draw(st.integers(0, len(raw) - 1))
    with pytest.raises(TruncatedError, match=r"STP: truncated at field '\w+' \(offset \d+\)"):
        Bpdu.parse(raw[:cut])


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"\x00\x01\x00\x80", "protocol"),
        (b"\x00\x00\x00\x81", "bpdu_type"),
    ],
)
def test_bad_protocol_or_type_is_malformed(raw, field):
    """A protocol identifier other than 0, or an unknown BPDU type, is a MalformedError naming the field."""
    with pytest.raises(MalformedError, match=field):
        Bpdu.parse(raw)


def test_bridge_id_orders_by_priority_then_mac():
    """Bridge identifiers compare as 64-bit numbers: priority first, then MAC (9.2.5)."""
    low_mac = BridgeId(32768, MacAddress("02:00:00:00:00:01"))
    high_mac = BridgeId(32768, MacAddress("02:00:00:00:00:02"))
    low_priority = BridgeId(4096, MacAddress("02:00:00:00:00:09"))
    assert low_priority < low_mac < high_mac
    assert int(low_mac) == 0x8000_0200_0000_0001 and BridgeId.from_int(int(high_mac)) == high_mac
    assert str(BridgeId(32769, low_mac.mac)) == "32768/1/02:00:00:00:00:01"


def test_times_convert_between_ticks_and_nanoseconds():
    """BPDU times are 1/256 s: 20 s is 5120 ticks, one tick is 3906250 ns exactly."""
    assert (
        to_ticks(20_000_000_000) == 5120 and from_ticks(1) == 3_906_250 and from_ticks(to_ticks(2 * 10**9)) == 2 * 10**9
    )


def test_flags_and_role_of_an_rst_bpdu():
    """An RST BPDU's role sits in flag bits 3-4; a configuration BPDU always speaks for a designated port."""
    rst = Bpdu(BpduType.RST, BpduFlags.PROPOSAL | BpduRole.ROOT << 2 | BpduFlags.FORWARDING, version=2)
    assert rst.role == BpduRole.ROOT and rst.has(BpduFlags.PROPOSAL) and not rst.has(BpduFlags.AGREEMENT)
    assert Bpdu().role == BpduRole.DESIGNATED


def test_dissector_finds_a_bpdu_behind_802_3_and_llc():
    """dissect() follows 802.3 -> LLC SAP 0x42 -> BPDU and summarises it like tshark."""
    bpdu = Bpdu(flags=BpduFlags.TC, root_mac=MacAddress("02:00:00:00:00:01"), root_path_cost=4, port_id=0x8002)
    frame = OurDot3(STP_MULTICAST, MacAddress("02:00:00:00:00:09")).build(Llc().build(bpdu.build()))
    result = dissect(frame)
    assert result.layers[2] == bpdu
    assert result.protocol == "STP"
    assert result.info == "Conf. TC + Root = 32768/0/02:00:00:00:00:01  Cost = 4  Port = 0x8002"
    tcn = dissect(
        OurDot3(STP_MULTICAST, MacAddress("02:00:00:00:00:09")).build(Llc().build(Bpdu(BpduType.TCN).build()))
    )
    assert (tcn.protocol, tcn.info) == ("STP", "Topology Change Notification")


@settings(max_examples=60)
@given(configs | rsts)
def test_scapy_reads_our_bpdus(bpdu):
    """scapy's STP layer reads the same field values from a BPDU we built (times converted from 1/256 s)."""
    s = STP(bpdu.build())
    assert (s.proto, s.version, s.bpdutype, s.bpduflags) == (0, bpdu.version, bpdu.bpdu_type, bpdu.flags)
    assert (s.rootid, s.rootmac, s.pathcost) == (bpdu.root_priority, str(bpdu.root_mac), bpdu.root_path_cost)
    assert (s.bridgeid, s.bridgemac, s.portid) == (bpdu.bridge_priority, str(bpdu.bridge_mac), bpdu.port_id)
    assert [round(v * 256) for v in (s.age, s.maxage, s.hellotime, s.fwddelay)] == [
        bpdu.message_age,
        bpdu.max_age,
        bpdu.hello_time,
        bpdu.forward_delay,
    ]


@settings(max_examples=60)
@given(
    st.builds(
        STP,
        rootid=u16,
        rootmac=macs.map(str),
        pathcost=u32,
        bridgeid=u16,
        bridgemac=macs.map(str),
        portid=u16,
        bpduflags=u8,
        age=u16.map(lambda t: t / 256),
        maxage=u16.map(lambda t: t / 256),
        hellotime=u16.map(lambda t: t / 256),
        fwddelay=u16.map(lambda t: t / 256),
    )
)
def test_we_read_scapys_frames(stp):
    """A whole 802.3/LLC/STP frame scapy built parses, through dissect(), to the same field values."""
    frame = bytes(Dot3(dst="01:80:c2:00:00:00", src="02:00:00:00:00:09") / LLC() / stp)
    bpdu = dissect(frame).layers[2]
    assert isinstance(bpdu, Bpdu)
    assert (bpdu.root_priority, str(bpdu.root_mac), bpdu.root_path_cost) == (stp.rootid, stp.rootmac, stp.pathcost)
    assert (bpdu.bridge_priority, str(bpdu.bridge_mac), bpdu.port_id) == (stp.bridgeid, stp.bridgemac, stp.portid)
    assert bpdu.flags == stp.bpduflags
    assert [bpdu.message_age, bpdu.max_age, bpdu.hello_time, bpdu.forward_delay] == [
        round(v * 256) for v in (stp.age, stp.maxage, stp.hellotime, stp.fwddelay)
    ]


needs_tshark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed (apt install tshark)")
TSHARK_FIELDS = [
    "stp.protocol",
    "stp.version",
    "stp.type",
    "stp.flags",
    "stp.root.prio",
    "stp.root.ext",
    "stp.root.hw",
    "stp.root.cost",
    "stp.bridge.prio",
    "stp.bridge.ext",
    "stp.bridge.hw",
    "stp.port",
    "stp.msg_age",
    "stp.max_age",
    "stp.hello",
    "stp.forward",
    "stp.version_1_length",
    "_ws.col.Protocol",
    "_ws.col.Info",
]


@needs_tshark
@settings(max_examples=5, deadline=None)
@given(st.lists(configs | rsts.map(lambda b: dataclasses.replace(b, version=2)) | tcns, min_size=1, max_size=8))
def test_tshark_decodes_our_bpdus_field_by_field(tmp_path_factory, bpdus):
    """tshark reads every field of BPDUs we built (in a pcap) as we wrote them, without a warning."""
    path = tmp_path_factory.mktemp("stp") / "bpdus.pcap"
    with path.open("wb") as out:
        writer = PcapWriter(out)
        for i, bpdu in enumerate(bpdus):
            writer.write(i, OurDot3(STP_MULTICAST, MacAddress("02:00:00:00:00:09")).build(Llc().build(bpdu.build())))
    argv = ["tshark", "-r", str(path), "-T", "fields", "-E", "separator=|"]
    for name in TSHARK_FIELDS:
        argv += ["-e", name]
    rows = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True).stdout.splitlines()
    assert len(rows) == len(bpdus)
    for bpdu, row in zip(bpdus, rows):
        got = dict(zip(TSHARK_FIELDS, row.split("|")))
        assert (int(got["stp.protocol"], 16), int(got["stp.version"]), int(got["stp.type"], 16)) == (
            0,
            bpdu.version,
            bpdu.bpdu_type,
        )
        protocol, info = describe_bpdu(bpdu)
        assert got["_ws.col.Protocol"] == protocol
        if bpdu.root_path_cost < 1 << 31:  # tshark's Info line prints larger costs as negative numbers
            assert " ".join(got["_ws.col.Info"].split()) == " ".join(info.split())
        if bpdu.bpdu_type == BpduType.TCN:
            continue
        assert int(got["stp.flags"], 16) == bpdu.flags
        assert int(got["stp.root.prio"]) + int(got["stp.root.ext"]) == bpdu.root_priority
        assert int(got["stp.bridge.prio"]) + int(got["stp.bridge.ext"]) == bpdu.bridge_priority
        assert (got["stp.root.hw"], got["stp.bridge.hw"]) == (str(bpdu.root_mac), str(bpdu.bridge_mac))
        assert (int(got["stp.root.cost"]), int(got["stp.port"], 16)) == (bpdu.root_path_cost, bpdu.port_id)
        times = [round(float(got[f]) * 256) for f in ("stp.msg_age", "stp.max_age", "stp.hello", "stp.forward")]
        assert times == [bpdu.message_age, bpdu.max_age, bpdu.hello_time, bpdu.forward_delay]
        if bpdu.bpdu_type == BpduType.RST:
            assert int(got["stp.version_1_length"]) == 0
