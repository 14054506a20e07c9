"""Under CI=true the PostgreSQL tests must fail, not skip, when PostgreSQL is missing or does not answer;
elsewhere they skip and say why."""

from __future__ import annotations

import pytest

from tests.coordinator.conftest import postgres_url

NOBODY = "postgresql://kraft:secret@127.0.0.1:1/kraft_test"  # port 1: refused at once


@pytest.mark.parametrize("url", ["", NOBODY])
def test_ci_fails_where_a_laptop_skips(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("KRAFT_TEST_POSTGRES_URL", url)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        postgres_url()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception) as skipped:
        postgres_url()
    for reason in (str(failed.value), str(skipped.value)):
        assert ("does not answer" if url else "KRAFT_TEST_POSTGRES_URL") in reason
        assert "secret" not in reason  # the password is not printed
