"""A property-based run of the relay's OpenAPI schema (schemathesis): whatever arrives, never a 5xx, on
SQLite and on PostgreSQL. Every operation gets its own Hypothesis run of generated requests."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from coordinator.main import create_app
from coordinator.settings import Settings

EXAMPLES = 40  # per operation: about 30 s for the whole schema on 2 cores


def test_no_server_error(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url, requests_per_minute=10**9,
                              join_code_lookups_per_minute=10**9))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def call(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        call()
