"""The retransmission timeout estimator of RFC 6298. Times are integer nanoseconds."""

from __future__ import annotations

from lanlab.units import MILLISECOND, SECOND


class RtoEstimator:
    """SRTT, RTTVAR and RTO from RTT samples (RFC 6298 2), with exponential backoff (5.5).
    Karn's rule (3) is the caller's: it never samples a retransmitted segment."""

    ALPHA_SHIFT = 3  # alpha = 1/8
    BETA_SHIFT = 2  # beta = 1/4
    K = 4

    def __init__(
        self, initial: int = SECOND, minimum: int = SECOND, maximum: int = 60 * SECOND, granularity: int = MILLISECOND
    ) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.granularity = granularity
        self.srtt: int | None = None
        self.rttvar: int | None = None
        self._base = initial  # RTO before backoff (RFC 6298 2.1: 1 s until a sample)
        self.backoffs = 0

    @property
    def rto(self) -> int:
        """The current timeout, backoff included, clamped to [minimum, maximum] (2.4, 2.5)."""
        return min(self.maximum, max(self.minimum, self._base) << self.backoffs)

    def sample(self, rtt: int) -> None:
        """Take one RTT measurement (2.2, 2.3) and end any backoff (5.7 allows it once a
        sample arrives)."""
        if self.srtt is None or self.rttvar is None:
            self.srtt = rtt
            self.rttvar = rtt // 2
        else:
            self.rttvar += (abs(self.srtt - rtt) - self.rttvar) >> self.BETA_SHIFT
            self.srtt += (rtt - self.srtt) >> self.ALPHA_SHIFT
        self._base = self.srtt + max(self.granularity, self.K * self.rttvar)
        self.backoffs = 0

    def back_off(self) -> None:
        """Double the timeout after it expired (5.5)."""
        if self.rto < self.maximum:
            self.backoffs += 1
