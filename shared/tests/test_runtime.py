"""The consumer supervisor's restart delays (pure: no runner, no clock)."""

from __future__ import annotations

from ltci_shared.runtime import RestartBackoff


def test_delays_double_up_to_the_ceiling_while_runs_keep_failing_fast() -> None:
    backoff = RestartBackoff(first=0.5, most=4.0, healthy_after=60)
    delays = [backoff.after_failure(ran_for=1.0) for _ in range(6)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_a_run_that_stayed_up_resets_the_delay() -> None:
    backoff = RestartBackoff(first=0.5, most=30.0, healthy_after=60)
    assert [backoff.after_failure(ran_for=0.1) for _ in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert backoff.after_failure(ran_for=3600) == 0.5
    assert backoff.after_failure(ran_for=0.1) == 1.0
