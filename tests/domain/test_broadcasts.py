"""Rules of broadcasts: retry backoff, giving up, progress counts, how often progress shows."""

from domain.broadcasts import (
    MAX_ATTEMPTS,
    RETRY_MAX_SECONDS,
    Progress,
    gives_up,
    report_due,
    retry_delay,
)


def test_retries_wait_twice_as_long_each_time_up_to_a_limit():
    assert [retry_delay(n) for n in range(0, 6)] == [0, 5, 10, 20, 40, 80]
    assert retry_delay(50) == RETRY_MAX_SECONDS


def test_a_message_is_given_up_after_max_attempts():
    assert not gives_up(MAX_ATTEMPTS - 1)
    assert gives_up(MAX_ATTEMPTS)
    assert gives_up(2, max_attempts=2)


def test_progress_counts_what_is_left():
    progress = Progress(total=10, sent=5, failed=1, gone=2, unconfirmed=1)
    assert progress.left == 2 and progress.not_delivered == 3 and not progress.finished
    assert Progress(total=3, sent=3).finished
    assert Progress(total=0).finished


def test_progress_is_shown_at_most_every_few_seconds():
    assert report_due(None, 100.0)
    assert not report_due(100.0, 104.9, every=5)
    assert report_due(100.0, 105.0, every=5)
