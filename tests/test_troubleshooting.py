"""docs/troubleshooting.md shows the messages users actually see: this provokes each one.

Each case makes one failure happen for real — against the real Weaviate, a
Weaviate that requires an API key, or a scripted loopback server for the
answers a single-node test server cannot give (403, 429, 503) — and the test
checks that ``str(err)``, with its run-specific parts (ports, generated
names, timings) normalised, is printed in the guide. Run it as a script to
print every message (to update the guide):

    python tests/test_troubleshooting.py
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":  # pragma: no cover - script mode
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import weaviate_telemetry as wt  # noqa: E402
from tests.support.servers import Canned, ScriptedHTTPServer, StallingServer  # noqa: E402
from weaviate_telemetry.embedded import EmbeddedWeaviate, free_port  # noqa: E402

GUIDE = ROOT / "docs" / "troubleshooting.md"
WEAVIATE_ERROR = b'{"error":[{"message":"%s"}]}'


def normalise(text: str) -> str:
    """Replace the parts that change from run to run."""
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:8080", text)
    text = re.sub(r"\bTs[0-9a-f]{8}", "Article", text)
    text = re.sub(r"\bts[0-9a-f]{8}", "article", text)
    text = re.sub(r'shard="[^"]+"', 'shard="<shard>"', text)
    text = re.sub(r"(repair-filterable:title:)[0-9a-f]+\b", r"\g<1>1a2b", text)
    # A reindex in flight is STARTED or already SWAPPING, depending on the server's pace.
    text = re.sub(r"\(status=(?:STARTED|SWAPPING)\)", "(status=STARTED)", text)
    text = re.sub(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<id>", text)
    return re.sub(r"\d+(\.\d+)? ?(ms|s)\b", "<t>", text)


def _error(call: Callable[[], object]) -> wt.WeaviateError:
    try:
        call()
    except wt.WeaviateError as err:
        return err
    raise AssertionError("no error")


def provoke_all(url: str, auth_url: str, stack: ExitStack) -> dict[str, wt.WeaviateError]:
    """One real error per case of the guide, by case name."""
    found: dict[str, wt.WeaviateError] = {}
    name = "Ts" + uuid.uuid4().hex[:8]
    client = stack.enter_context(wt.Client(url))
    client.collections.create_from_dict(
        {
            "class": name,
            "vectorizer": "none",
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "year", "dataType": ["int"]},
            ],
        }
    )
    stack.callback(client.collections.delete, name)
    client.objects.insert(name, {"title": "a", "year": 2020}, vector=[0.1, 0.2, 0.3])

    # -- connecting ------------------------------------------------------------------------
    dead = f"http://127.0.0.1:{free_port()}"
    with wt.Client(dead) as offline:
        found["connection_error"] = _error(offline.meta)
    stalling = stack.enter_context(StallingServer())
    with wt.Client(stalling.url, timeouts=wt.Timeouts(connect=1, read=0.3, total=5)) as slow:
        found["timeout"] = _error(slow.meta)
    with wt.Client(stalling.url, timeouts=wt.Timeouts(read=5, total=0.5)) as slow:
        found["deadline"] = _error(slow.meta)

    # -- auth ------------------------------------------------------------------------------
    with wt.Client(auth_url) as anonymous:
        found["unauthorized"] = _error(anonymous.meta)
    with wt.Client(auth_url, api_key="not-the-key") as wrong:
        found["unauthorized_key"] = _error(wrong.meta)
    forbidden = stack.enter_context(
        ScriptedHTTPServer(
            [
                Canned(
                    403,
                    WEAVIATE_ERROR
                    % b"authorization, forbidden action: user 'reader' has insufficient "
                    b"permissions to create_data [[Domain: data, Collection: Article]]",
                )
            ]
        )
    )
    with wt.Client(forbidden.url) as reader:
        found["forbidden"] = _error(
            lambda: reader.objects.insert("Article", {"title": "x"}, vector=[0.1])
        )

    # -- what the server refuses ----------------------------------------------------------
    found["validation_error"] = _error(
        lambda: client.objects.insert(name, {"year": "two thousand"}, vector=[0.1, 0.2, 0.3])
    )
    found["vector_dimensions"] = _error(
        lambda: client.objects.insert(name, {"title": "b"}, vector=[0.1, 0.2])
    )
    found["graphql_error"] = _error(
        lambda: client.query.graphql("{ Get { " + name + '(limit: "x") { title } } }')
    )
    found["unknown_property"] = _error(lambda: client.query.get(name).fields("nosuch").do())
    found["not_found"] = _error(lambda: client.raw.request("GET", f"/v1/schema/{name}Missing"))
    found["client_validation"] = _error(lambda: client.objects.get("article", "42"))

    found["bad_request"] = _error(lambda: client.raw.request("POST", "/v1/objects", body=b"{nope"))
    found.update(_reindex_in_flight(client))

    tenants = "Ts" + uuid.uuid4().hex[:8]
    client.collections.create_from_dict({"class": tenants, "multiTenancyConfig": {"enabled": True}})
    stack.callback(client.collections.delete, tenants)
    client.tenants.add(tenants, ["cold-tenant"], activity_status="COLD")
    found["tenant_not_active"] = _error(
        lambda: client.objects.insert(tenants, {"title": "x"}, tenant="cold-tenant")
    )
    found["tenant_missing"] = _error(
        lambda: client.objects.insert(tenants, {"title": "x"}, tenant="nobody")
    )

    # -- overload --------------------------------------------------------------------------
    busy = stack.enter_context(
        ScriptedHTTPServer(
            [Canned(429, WEAVIATE_ERROR % b"too many requests", {"Retry-After": "1"})]
        )
    )
    with wt.Client(busy.url) as limited:
        found["rate_limited"] = _error(limited.meta)
    down = stack.enter_context(
        ScriptedHTTPServer([Canned(503, b"upstream connect error", {"Content-Type": "text/plain"})])
    )
    retry = wt.RetryPolicy(enabled=True, initial_backoff=0.01, max_backoff=0.02)
    with wt.Client(down.url, retry=retry) as unavailable:
        found["unavailable"] = _error(unavailable.meta)
        for _ in range(200):  # the budget (10 retries + 20 % of calls) runs dry
            err = _error(unavailable.meta)
            if "retry budget exhausted" in str(err):
                found["retry_budget"] = err
                break

    garbled = stack.enter_context(
        ScriptedHTTPServer([Canned(200, b"<html>login page</html>", {"Content-Type": "text/html"})])
    )
    with wt.Client(garbled.url) as proxy_page:
        found["protocol_error"] = _error(proxy_page.meta)

    # -- the connection pool ---------------------------------------------------------------
    slow_server = stack.enter_context(ScriptedHTTPServer([Canned(200, b"{}", delay=1.5)]))
    pool = wt.Timeouts(connect=1, read=5, total=10, pool=0.2)
    with wt.Client(slow_server.url, pool_maxsize=1, timeouts=pool) as small:
        holder = threading.Thread(target=lambda: small.raw.request("GET", "/v1/meta"))
        holder.start()
        threading.Event().wait(0.3)  # the one connection is busy now
        found["pool_exhausted"] = _error(lambda: small.raw.request("GET", "/v1/meta"))
        holder.join()
    return found


def _reindex_in_flight(client: wt.Client) -> dict[str, wt.WeaviateError]:
    """A second rebuild (409) and a delete (400) while a collection's reindex runs.

    A rebuild of one object's index takes about a second on the test server and
    the two calls follow within milliseconds; up to three tries, then whatever
    was caught fails the test by its absence.
    """
    found: dict[str, wt.WeaviateError] = {}
    for _ in range(3):
        name = "Ts" + uuid.uuid4().hex[:8]
        client.collections.create_from_dict(
            {
                "class": name,
                "vectorizer": "none",
                "properties": [{"name": "title", "dataType": ["text"]}],
            }
        )
        client.objects.insert(name, {"title": "a"}, vector=[0.1, 0.2, 0.3])
        index = f"/v1/schema/{name}/properties/title/index/filterable"
        client.raw.request("POST", f"{index}/rebuild")
        try:
            client.raw.request("POST", f"{index}/rebuild")
        except wt.ConflictError as err:
            found.setdefault("conflict", err)
        try:
            client.collections.delete(name)
        except wt.BadRequestError as err:
            found.setdefault("bad_request_reindex", err)
            # Cancel, then delete; a task that just finished needs no cancel.
            with contextlib.suppress(wt.WeaviateError):
                client.raw.request("POST", f"{index}/cancel")
            for _ in range(100):  # the cancel lands within milliseconds; bounded anyway
                try:
                    client.collections.delete(name)
                    break
                except wt.BadRequestError:
                    threading.Event().wait(0.1)
        if len(found) == 2:
            break
    return found


@pytest.fixture(scope="module")
def messages(
    weaviate_server: EmbeddedWeaviate, weaviate_auth_server: EmbeddedWeaviate
) -> Iterator[dict[str, wt.WeaviateError]]:
    with ExitStack() as stack:
        yield provoke_all(weaviate_server.url, weaviate_auth_server.url, stack)


CASES = [
    ("connection_error", "connection_error"),
    ("timeout", "timeout"),
    ("deadline", "timeout"),
    ("unauthorized", "unauthorized"),
    ("unauthorized_key", "unauthorized"),
    ("forbidden", "forbidden"),
    ("validation_error", "validation_error"),
    ("vector_dimensions", "validation_error"),
    ("graphql_error", "graphql_error"),
    ("unknown_property", "validation_error"),
    ("not_found", "not_found"),
    ("bad_request", "bad_request"),
    ("bad_request_reindex", "bad_request"),
    ("conflict", "conflict"),
    ("client_validation", "validation_error"),
    ("tenant_not_active", "validation_error"),
    ("tenant_missing", "validation_error"),
    ("rate_limited", "rate_limited"),
    ("unavailable", "unavailable"),
    ("retry_budget", "unavailable"),
    ("pool_exhausted", "timeout"),
    ("protocol_error", "protocol_error"),
]


@pytest.mark.integration
@pytest.mark.parametrize(("case", "kind"), CASES)
def test_the_guide_shows_the_message_users_see(
    messages: dict[str, wt.WeaviateError], case: str, kind: str
) -> None:
    err = messages[case]
    assert err.kind.value == kind, (case, str(err))
    assert normalise(str(err)) in GUIDE.read_text(), (
        f"{case}: not in the guide:\n{normalise(str(err))}"
    )


def test_every_error_kind_has_a_section_in_the_guide() -> None:
    guide = GUIDE.read_text()
    for kind in wt.ErrorKind:
        assert f"`{kind.value}`" in guide, kind


def main() -> int:  # pragma: no cover - script mode
    with ExitStack() as stack:
        server = stack.enter_context(EmbeddedWeaviate())
        auth = stack.enter_context(EmbeddedWeaviate(api_keys={"the-key": "alice"}))
        for case, err in provoke_all(server.url, auth.url, stack).items():
            print(f"{case} [{err.kind.value}]:\n    {normalise(str(err))}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
