"""A bounded load on loopback: 20 clients for 30 s against the cached forecast page and the
what-if endpoint, with no error (latencies are recorded by benchmarks/serve.py)."""

from __future__ import annotations

from tests.server.conftest import LiveServer
from tests.server.loadgen import load


def test_twenty_clients_for_thirty_seconds_get_no_error(live: LiveServer) -> None:
    result = load(live.url, page_clients=16, what_if_clients=4, seconds=30)
    assert result["errors"] == 0, result["first_errors"]
    assert result["page"]["requests"] > 100
    assert result["what_if"]["requests"] >= 4
