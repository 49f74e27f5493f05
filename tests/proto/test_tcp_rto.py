"""RFC 6298 retransmission timeout arithmetic."""

from lanlab.proto.tcp import SECOND, RtoEstimator

MS = 1_000_000


def test_first_sample_sets_srtt_and_half_rttvar():
    """The first RTT R gives SRTT = R, RTTVAR = R/2, RTO = SRTT + 4*RTTVAR (RFC 6298 2.2)."""
    rto = RtoEstimator(minimum=0)
    rto.sample(400 * MS)
    assert (rto.srtt, rto.rttvar, rto.rto) == (400 * MS, 200 * MS, 1200 * MS)


def test_later_samples_are_smoothed():
    """Later samples move SRTT by 1/8 and RTTVAR by 1/4 of the difference (RFC 6298 2.3)."""
    rto = RtoEstimator(minimum=0)
    rto.sample(400 * MS)
    rto.sample(800 * MS)
    assert rto.rttvar == 200 * MS + (400 * MS - 200 * MS) // 4
    assert rto.srtt == 400 * MS + 400 * MS // 8


def test_initial_one_second_minimum_and_backoff_to_the_maximum():
    """1 s before any sample, never below the minimum, doubled per expiry up to the maximum (2.1, 2.4, 5.5)."""
    rto = RtoEstimator()
    assert rto.rto == SECOND
    rto.sample(10 * MS)
    assert rto.rto == SECOND
    for expected in (2, 4, 8, 16, 32, 60, 60):
        rto.back_off()
        assert rto.rto == expected * SECOND
    rto.sample(10 * MS)
    assert rto.rto == SECOND and rto.backoffs == 0
