"""MacAddress: text forms, bits, vendor, hashing."""

import pytest
from hypothesis import given

from lanlab import oui
from lanlab.wire import MacAddress, WireError
from wire_strategies import macs


@pytest.mark.parametrize(
    "text",
    [
        "02:00:00:00:00:01",
        "02-00-00-00-00-01",
        "0200.0000.0001",
        "020000000001",
        "02:00:00:00:00:01".upper(),
        "2:0:0:0:0:1",  # macOS's and the BSDs' arp -a: no leading zeros
        "2-0-00-0-0-01",
    ],
)
def test_mac_accepts_the_usual_spellings(text):
    """Colon, dash, Cisco dotted and bare hex forms all give the same address."""
    assert str(MacAddress(text)) == "02:00:00:00:00:01"


@pytest.mark.parametrize(
    "bad",
    [
        "02:00:00:00:00",
        "02:00:00:00:00:0g",
        "02:00-00:00:00:01",
        "",
        "x" * 12,
        "2:0:0:0:0:100",
        "2::0:0:0:1",
        "1:2:3:4:5:6:7",
    ],
)
def test_mac_rejects_bad_text(bad):
    """Text that is not six octets raises a WireError naming the input."""
    with pytest.raises(WireError, match="MacAddress"):
        MacAddress(bad)


def test_mac_from_int_and_bytes():
    """An int and six bytes give the same address as its text; wrong sizes are refused."""
    assert MacAddress(0x020000000001) == MacAddress(b"\x02\x00\x00\x00\x00\x01") == MacAddress("02:00:00:00:00:01")
    assert int(MacAddress("02:00:00:00:00:01")) == 0x020000000001
    with pytest.raises(WireError):
        MacAddress(1 << 48)
    with pytest.raises(WireError):
        MacAddress(b"\x00" * 5)


def test_mac_bits():
    """Broadcast is multicast; the I/G and U/L bits of the first octet decide multicast and local."""
    assert MacAddress.BROADCAST.is_broadcast and MacAddress.BROADCAST.is_multicast
    assert MacAddress("01:00:5e:00:00:01").is_multicast and not MacAddress("01:00:5e:00:00:01").is_broadcast
    assert MacAddress("02:00:00:00:00:01").is_local and not MacAddress("02:00:00:00:00:01").is_multicast
    assert not MacAddress("00:1b:21:00:00:01").is_local


def test_mac_vendor_from_ieee_registry():
    """An IEEE-assigned OUI names its organisation; local and unknown ones give None."""
    assert "Intel" in MacAddress("00:1b:21:12:34:56").vendor
    assert MacAddress("02:00:00:00:00:01").vendor is None


@pytest.mark.parametrize("text", ["70:b3:d5:00:12:34", "00:55:da:e1:23:45", "01:00:5e:00:00:01"])
def test_mac_vendor_agrees_with_oui_on_small_blocks_and_group_addresses(text):
    """.vendor names the MA-S/MA-M owner (not the IEEE's own MA-L prefix) and a group address's OUI, as lanlab.oui does."""
    mac = MacAddress(text)
    assert mac.vendor is not None and mac.vendor == oui.vendor(mac)


@given(macs)
def test_mac_text_round_trip_and_hash(mac):
    """str() parses back to an equal address with the same hash, usable as a dict key."""
    again = MacAddress(str(mac))
    assert again == mac and hash(again) == hash(mac) and {mac: 1}[again] == 1
    assert again.packed == bytes(mac) and len(again.packed) == 6
