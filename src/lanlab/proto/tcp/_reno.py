"""Reno congestion control (RFC 5681) with NewReno's partial-ACK rule (RFC 6582 3.2):
slow start, congestion avoidance, fast retransmit and fast recovery. Sizes in bytes."""

from __future__ import annotations


class RenoCongestion:
    """cwnd and ssthresh, moved by ACKs, duplicate ACKs and timeouts."""

    DUPACK_THRESHOLD = 3  # RFC 5681 3.2

    def __init__(self, smss: int, initial_window: int | None = None) -> None:
        self.smss = smss
        # RFC 5681 3.1 equation 1: IW = min(4*SMSS, max(2*SMSS, 4380)) unless configured.
        self.cwnd = initial_window if initial_window is not None else min(4 * smss, max(2 * smss, 4380))
        self.ssthresh = 1 << 30  # "arbitrarily high" (3.1)
        self.dupacks = 0
        self.recover: int | None = None  # highest sequence sent when recovery began (RFC 6582)
        self._avoidance_acked = 0

    @property
    def in_recovery(self) -> bool:
        return self.recover is not None

    @property
    def phase(self) -> str:
        if self.in_recovery:
            return "fast recovery"
        return "slow start" if self.cwnd < self.ssthresh else "congestion avoidance"

    def on_new_ack(self, acked: int, ack: int) -> bool:
        """Data was newly acknowledged up to `ack`. Returns True when a partial ACK in
        fast recovery asks for the next hole to be retransmitted at once (RFC 6582 3.2 step 3)."""
        self.dupacks = 0
        if self.recover is not None:
            if ack >= self.recover:
                # Full ACK: deflate the window and leave recovery (RFC 5681 3.2 step 6).
                self.cwnd = self.ssthresh
                self.recover = None
                return False
            # Partial ACK: deflate by what was acked, add one SMSS back (RFC 6582 3.2 step 3).
            self.cwnd = max(self.smss, self.cwnd - acked + self.smss)
            return True
        if self.cwnd < self.ssthresh:
            self.cwnd += min(acked, self.smss)  # slow start, RFC 5681 3.1 equation 2
        else:
            # Congestion avoidance: one SMSS per cwnd of acknowledged data (3.1 equation 3,
            # the byte-counting variant).
            self._avoidance_acked += acked
            if self._avoidance_acked >= self.cwnd:
                self._avoidance_acked -= self.cwnd
                self.cwnd += self.smss
        return False

    def on_duplicate_ack(self, flight_size: int, snd_nxt: int) -> bool:
        """Count a duplicate ACK. Returns True on the third: fast retransmit now (3.2 step 2)."""
        self.dupacks += 1
        if self.recover is not None:
            self.cwnd += self.smss  # inflate for each segment that left the network (3.2 step 4)
            return False
        if self.dupacks == self.DUPACK_THRESHOLD:
            self.ssthresh = max(flight_size // 2, 2 * self.smss)  # equation 4
            self.cwnd = self.ssthresh + self.DUPACK_THRESHOLD * self.smss
            self.recover = snd_nxt
            return True
        return False

    def on_timeout(self, flight_size: int) -> None:
        """The retransmission timer expired: back to one segment (3.1 equation 4, loss window)."""
        self.ssthresh = max(flight_size // 2, 2 * self.smss)
        self.cwnd = self.smss
        self.dupacks = 0
        self.recover = None
        self._avoidance_acked = 0
