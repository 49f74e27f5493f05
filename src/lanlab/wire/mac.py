"""MacAddress: six bytes that print as 02:00:00:00:00:01.

A subclass of bytes, so equality and hashing are the C ones (it is a dict key on the
simulator's hot path) and struct packs it as "6s" with no conversion.
"""

from __future__ import annotations

import re

from lanlab import oui
from lanlab.wire.errors import MalformedError

# aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff (Cisco), aabbccddeeff; with a separator an octet
# may drop its leading zero (0:1b:63:84:45:e6), as macOS's and the BSDs' `arp -a` print it
_TEXT = re.compile(
    r"^(?:[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(?:\1[0-9a-f]{1,2}){4}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|[0-9a-f]{12})$",
    re.IGNORECASE,
)


class MacAddress(bytes):
    """An IEEE 802 MAC-48 address. MacAddress("02:00:00:00:00:01"), MacAddress(b"\\x02..."), MacAddress(0x020000000001)."""

    __slots__ = ()
    BROADCAST: MacAddress

    def __new__(cls, value: str | bytes | int) -> MacAddress:
        if isinstance(value, MacAddress):
            return value
        if isinstance(value, str):
            match = _TEXT.match(value)
            if not match:
                raise MalformedError(f"MacAddress: {value!r} is not a MAC address (write it like 02:00:00:00:00:01)")
            separator = match.group(1)
            if separator:
                return bytes.__new__(cls, bytes(int(octet, 16) for octet in value.split(separator)))
            return bytes.__new__(cls, bytes.fromhex(value.replace(".", "")))
        if isinstance(value, int) and not isinstance(value, bool):
            if not 0 <= value < 1 << 48:
                raise MalformedError(f"MacAddress: {value:#x} does not fit in 48 bits")
            return bytes.__new__(cls, value.to_bytes(6, "big"))
        if isinstance(value, (bytes, bytearray, memoryview)):
            if len(value) != 6:
                raise MalformedError(f"MacAddress: need 6 bytes, got {len(value)}")
            return bytes.__new__(cls, value)
        raise TypeError(f"MacAddress: cannot make one from {type(value).__name__}")

    @property
    def packed(self) -> bytes:
        """The six bytes as they go on the wire."""
        return bytes(self)

    @property
    def is_broadcast(self) -> bool:
        """ff:ff:ff:ff:ff:ff."""
        return self == _BROADCAST_BYTES

    @property
    def is_multicast(self) -> bool:
        """The I/G bit (least significant bit of the first octet); broadcast is multicast too."""
        return bool(self[0] & 0x01)

    @property
    def is_local(self) -> bool:
        """The U/L bit: locally administered, not from an IEEE-assigned OUI (02:..., like the simulator's)."""
        return bool(self[0] & 0x02)

    @property
    def vendor(self) -> str | None:
        """The organisation of the most specific IEEE block (MA-S, MA-M, MA-L) holding this address (lanlab.oui)."""
        return oui.vendor(self)

    def __int__(self) -> int:
        return int.from_bytes(self, "big")

    def __str__(self) -> str:
        return self.hex(":")

    def __repr__(self) -> str:
        return f"MacAddress('{self.hex(':')}')"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self) -> tuple[type, tuple[bytes]]:
        return (MacAddress, (bytes(self),))


_BROADCAST_BYTES = b"\xff" * 6
MacAddress.BROADCAST = MacAddress(_BROADCAST_BYTES)
