"""Prometheus metrics of one certdesk process, served as text at ``/metrics``."""

from __future__ import annotations

from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "certdesk_http_requests",
    "HTTP requests answered, by route and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "certdesk_http_request_seconds",
    "Time to answer an HTTP request, by route.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 4.0, 10.0),
    registry=REGISTRY,
)
FLOW_STEPS = Counter(
    "certdesk_flow_steps",
    "Conversation steps handled, by flow and outcome (accepted, rejected, verb).",
    ["flow", "outcome"],
    registry=REGISTRY,
)
PAYMENTS = Counter(
    "certdesk_payments",
    "Payment events, by event (created, paid, closed, refunded, notify_rejected).",
    ["event"],
    registry=REGISTRY,
)
NOTICES = Counter(
    "certdesk_notices",
    "Notices pushed to applicants, by channel and outcome.",
    ["channel", "outcome"],
    registry=REGISTRY,
)
JOBS = Counter(
    "certdesk_jobs",
    "Outbox job attempts, by kind and outcome (done, retry, dead, lost).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "certdesk_errors",
    "Unexpected errors, by where they happened.",
    ["where"],
    registry=REGISTRY,
)


Metric = TypeVar("Metric", Counter, Histogram)

_children: dict[tuple[Any, tuple[str, ...]], Any] = {}


def labelled(metric: Metric, *values: str) -> Metric:
    """``metric.labels(*values)``, looked up once per metric and label values (a dictionary
    hit instead of prometheus_client's validation and lock on every request). Each child is
    kept for good, as prometheus_client keeps it: for label values from a small set (routes,
    statuses, flows, outcomes, and the request methods aiohttp's parser knows)."""
    key = (metric, values)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*values)
    return child


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
