"""UDP (RFC 768), with the pseudo-header checksum."""

from __future__ import annotations

from ipaddress import IPv4Address

from lanlab.wire.checksum import complement_of_sum, internet_checksum, pseudo_header_sum
from lanlab.wire.fields import Extent, Header, header, u16
from lanlab.wire.registry import register

HEADER = 8
PROTO_UDP = 17


@header(
    "UDP",
    layout=(u16("src_port"), u16("dst_port"), u16("length"), u16("checksum")),
    extent=Extent(payload_end=("length", 0)),
)
class Udp(Header):
    """A UDP header; checksum 0 means "not computed" (RFC 768)."""

    src_port: int
    dst_port: int
    length: int | None = None
    checksum: int | None = None

    def build(
        self, payload: bytes = b"", src_ip: IPv4Address | None = None, dst_ip: IPv4Address | None = None
    ) -> bytes:
        """Header + payload; with both IPs the checksum covers the pseudo-header, without them it is 0."""
        length = HEADER + len(payload) if self.length is None else self.length
        checksum = self.checksum
        if checksum is not None or src_ip is None or dst_ip is None:
            return self._pack(self.src_port, self.dst_port, length, checksum or 0) + payload
        # the header's fields added as numbers (checksum.complement_of_sum): the header is packed once
        value = int.from_bytes(payload, "big")
        checksum = complement_of_sum(
            self.src_port
            + self.dst_port
            + length
            + (value << 8 if len(payload) & 1 else value)
            + pseudo_header_sum(src_ip, dst_ip, PROTO_UDP, length)
        )
        # a computed 0 is sent as all ones (RFC 768)
        return self._pack(self.src_port, self.dst_port, length, checksum or 0xFFFF) + payload

    def checksum_ok(self, payload: bytes, src_ip: IPv4Address, dst_ip: IPv4Address) -> bool:
        """Whether the checksum parsed from the wire matches header + payload (0 = not computed: ok)."""
        if not self.checksum:
            return True
        length = HEADER + len(payload) if self.length is None else self.length
        initial = pseudo_header_sum(src_ip, dst_ip, PROTO_UDP, length)
        return (
            internet_checksum(self._pack(self.src_port, self.dst_port, length, self.checksum) + payload, initial) == 0
        )


def _udp_summary(h: Udp, below: object, payload: bytes) -> tuple[str, str]:
    # tshark counts the length field, not the bytes captured (a snaplen or an ICMP quote may keep fewer)
    length = h.length - HEADER if h.length is not None and h.length >= HEADER else len(payload)
    return "UDP", f"{h.src_port} → {h.dst_port} Len={length}"


register(
    Udp,
    under=[("ip_proto", PROTO_UDP)],
    next_keys=lambda h: [("udp_port", h.dst_port), ("udp_port", h.src_port)],
    summary=_udp_summary,
)
