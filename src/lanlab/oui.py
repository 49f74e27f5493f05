"""Who made a network card: the IEEE registries MA-L (24-bit OUI), MA-M (28-bit) and MA-S (36-bit).

MA-L comes from netaddr's copy of the IEEE list (oui.txt, found through its index oui.idx of
"oui,offset,size" lines; read directly because importing netaddr costs ~0.3 s). netaddr ships only the old IAB list
beside it, not MA-M or MA-S, so those blocks ship with lanlab in data/ieee-small-blocks.tsv
(made by scripts/make_oui_blocks.py). A lookup takes the longest matching block: MA-M and MA-S
blocks are carved out of MA-L OUIs registered to the IEEE itself.

Pure lookups on 6 MAC bytes (a lanlab.wire.MacAddress is bytes); no sockets, no clock.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

# prefix length in bits -> (registry name, hex digits of the prefix)
REGISTRIES: dict[int, tuple[str, int]] = {36: ("MA-S", 9), 28: ("MA-M", 7), 24: ("MA-L", 6)}


@dataclass(frozen=True, slots=True)
class Assignment:
    """One IEEE block: its registry, prefix (hex digits) and organization."""

    registry: str
    prefix: str
    organization: str

    @property
    def bits(self) -> int:
        return len(self.prefix) * 4

    @property
    def prefix_text(self) -> str:
        """The prefix as people write it: B8:27:EB, 70:B3:D5:4, 70:B3:D5:1A:3."""
        pairs = [self.prefix[i : i + 2] for i in range(0, len(self.prefix), 2)]
        return ":".join(pairs) + f"/{self.bits}"


@functools.cache
def _small_blocks() -> dict[str, str]:
    text = resources.files("lanlab").joinpath("data/ieee-small-blocks.tsv").read_text(encoding="utf-8")
    return dict(line.split("\t", 1) for line in text.splitlines() if line)


@functools.cache
def _netaddr_eui_dir() -> Path:
    # find_spec locates the package without running its __init__ (which loads both indexes).
    spec = importlib.util.find_spec("netaddr")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("netaddr is not installed; pip install netaddr")
    return Path(list(spec.submodule_search_locations)[0]) / "eui"


@functools.cache
def _ma_l_index() -> str:
    return "\n" + (_netaddr_eui_dir() / "oui.idx").read_text(encoding="ascii")


@functools.cache
def _ma_l_text() -> str:
    return (_netaddr_eui_dir() / "oui.txt").read_text(encoding="utf-8", errors="replace")


def _ma_l(prefix: str) -> str | None:
    """The first registration of a 24-bit OUI (as netaddr's OUI(...).registration() gives it)."""
    index = _ma_l_index()
    at = index.find(f"\n{int(prefix, 16)},")
    if at < 0:
        return None
    _key, offset, size = index[at + 1 : index.find("\n", at + 1)].split(",")
    with open(_netaddr_eui_dir() / "oui.txt", "rb") as registry:
        registry.seek(int(offset))
        record = registry.read(int(size)).decode("utf-8", errors="replace")
    return record.split("(hex)", 1)[1].splitlines()[0].strip()


def lookup(mac: bytes) -> Assignment | None:
    """The most specific IEEE block holding this MAC (6 bytes), or None if unregistered.

    A locally administered address (U/L bit set) is never an IEEE assignment. A group address
    belongs to the owner of the same OUI with the I/G bit cleared (01:00:5E is IANA's 00:00:5E).
    """
    digits = _registered_digits(mac)
    if digits is None:
        return None
    for bits, (registry, width) in REGISTRIES.items():
        prefix = digits[:width]
        organization = _ma_l(prefix) if bits == 24 else _small_blocks().get(prefix)
        if organization:
            return Assignment(registry, prefix, organization)
    return None


def lookup_oui(oui: bytes) -> Assignment | None:
    """The MA-L registration of a 24-bit OUI given alone (its 3 bytes), or None; as for a whole MAC, a
    locally administered OUI is nobody's and a group address is its OUI's owner's."""
    digits = _registered_digits(oui)
    organization = _ma_l(digits) if digits is not None else None
    return Assignment("MA-L", digits, organization) if digits is not None and organization else None


def blocks_inside(oui: bytes) -> int:
    """How many MA-M and MA-S blocks the IEEE carved out of this OUI: their owners need a whole MAC to tell."""
    digits = _registered_digits(oui)
    return 0 if digits is None else sum(prefix.startswith(digits) for prefix in _small_blocks())


def _registered_digits(prefix: bytes) -> str | None:
    """The prefix's hex digits as the registries write them (the I/G bit cleared), None when it is locally
    administered (the U/L bit set: never an IEEE assignment)."""
    if prefix[0] & 0x02:
        return None
    return (bytes([prefix[0] & 0xFE]) + bytes(prefix[1:])).hex().upper()


_MA_L_LINE = re.compile(r"^([0-9A-F]{6})\s+\(base 16\)\s+(.+?)\s*$", re.MULTILINE)


def search(text: str) -> list[Assignment]:
    """Every block whose organization contains `text` (case-insensitive), MA-L first, by prefix."""
    needle = text.casefold()
    found = [
        Assignment("MA-L", prefix, organization)
        for prefix, organization in _MA_L_LINE.findall(_ma_l_text())
        if needle in organization.casefold()
    ]
    found.sort(key=lambda a: a.prefix)
    small = sorted(
        (
            Assignment(REGISTRIES[len(prefix) * 4][0], prefix, organization)
            for prefix, organization in _small_blocks().items()
            if needle in organization.casefold()
        ),
        key=lambda a: (a.bits, a.prefix),
    )
    return found + small


def vendor(mac: bytes) -> str | None:
    """The organization name for a MAC, or None."""
    assignment = lookup(mac)
    return assignment.organization if assignment else None
