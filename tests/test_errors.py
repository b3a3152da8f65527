"""Error taxonomy: mapping of every status and transport failure, messages, redaction."""

from __future__ import annotations

import pickle

import pytest

import weaviate_telemetry as wt
from tests.support.servers import Canned, ScriptedHTTPServer, closed_port

SECRET = "sk-errors-secret-4242"

STATUS_CASES = [
    (400, wt.ErrorKind.BAD_REQUEST, wt.BadRequestError),
    (401, wt.ErrorKind.UNAUTHORIZED, wt.UnauthorizedError),
    (403, wt.ErrorKind.FORBIDDEN, wt.ForbiddenError),
    (404, wt.ErrorKind.NOT_FOUND, wt.NotFoundError),
    (409, wt.ErrorKind.CONFLICT, wt.ConflictError),
    (422, wt.ErrorKind.VALIDATION_ERROR, wt.ValidationError),
    (429, wt.ErrorKind.RATE_LIMITED, wt.RateLimitedError),
    (500, wt.ErrorKind.SERVER_ERROR, wt.ServerError),
    (501, wt.ErrorKind.SERVER_ERROR, wt.ServerError),
    (502, wt.ErrorKind.UNAVAILABLE, wt.UnavailableError),
    (503, wt.ErrorKind.UNAVAILABLE, wt.UnavailableError),
    (504, wt.ErrorKind.UNAVAILABLE, wt.UnavailableError),
    (418, wt.ErrorKind.BAD_REQUEST, wt.BadRequestError),
]


@pytest.mark.parametrize(("status", "kind", "cls"), STATUS_CASES)
def test_every_status_maps_to_its_kind_with_server_message(
    status: int, kind: wt.ErrorKind, cls: type[wt.WeaviateError]
) -> None:
    body = b'{"error":[{"message":"the server says no"}]}'
    with ScriptedHTTPServer([Canned(status, body)]) as server, wt.Client(server.url) as client:
        with pytest.raises(cls) as info:
            client.raw.request("GET", "/v1/objects/X/1")
    err = info.value
    assert err.kind is kind and err.status_code == status
    assert err.message == "the server says no"
    assert err.method == "GET" and err.path == "/v1/objects/X/1"
    assert err.operation == "raw" and err.attempts == 1 and err.duration is not None
    assert err.details == {"error": [{"message": "the server says no"}]}
    line = str(err)
    assert "\n" not in line
    assert line.startswith(f"{kind.value} {status} GET /v1/objects/X/1: the server says no")


def test_message_shapes_are_extracted() -> None:
    from weaviate_telemetry._core.errors import message_from_body

    assert message_from_body({"message": "m"}) == "m"
    assert message_from_body({"errors": [{"message": "a"}, {"message": "b"}]}) == "a; b"
    assert message_from_body({"error": "flat"}) == "flat"
    assert message_from_body("  plain text  ") == "plain text"
    assert message_from_body({"other": 1}) is None


def test_non_json_error_body_is_kept_as_text() -> None:
    with ScriptedHTTPServer(
        [Canned(502, b"<html>bad gateway</html>", {"Content-Type": "text/html"})]
    ) as s:
        with wt.Client(s.url) as client, pytest.raises(wt.UnavailableError) as info:
            client.meta()
    assert "bad gateway" in info.value.message


def test_invalid_json_in_success_is_protocol_error() -> None:
    with ScriptedHTTPServer([Canned(200, b"{not json")]) as s:
        with wt.Client(s.url) as client, pytest.raises(wt.ProtocolError) as info:
            client.meta()
    assert info.value.kind is wt.ErrorKind.PROTOCOL_ERROR
    assert info.value.__cause__ is not None


def test_unexpected_shape_is_protocol_error() -> None:
    with ScriptedHTTPServer([Canned(200, b"[1, 2]")]) as s:
        with (
            wt.Client(s.url) as client,
            pytest.raises(wt.ProtocolError, match="expected a JSON object"),
        ):
            client.meta()


def test_connection_refused_is_connection_error_and_builtin() -> None:
    with closed_port() as port, wt.Client(f"http://127.0.0.1:{port}") as client:
        with pytest.raises(wt.WeaviateConnectionError) as info:
            client.meta()
    err = info.value
    assert isinstance(err, ConnectionError)
    assert err.kind is wt.ErrorKind.CONNECTION_ERROR and err.status_code is None
    assert err.__cause__ is not None and "urllib3" in type(err.__cause__).__module__
    assert "hint:" in str(err)


def test_name_resolution_failure_is_connection_error() -> None:
    with wt.Client("http://does-not-exist.invalid:8080", timeouts=wt.Timeouts(connect=2)) as client:
        with pytest.raises(wt.WeaviateConnectionError, match=r"name resolution|cannot connect"):
            client.meta()


def test_closed_client_raises_connection_error() -> None:
    client = wt.Client("http://127.0.0.1:1")
    client.close()
    client.close()  # idempotent
    assert client.closed
    with pytest.raises(wt.WeaviateConnectionError, match="client is closed"):
        client.meta()


def test_rate_limited_carries_retry_after() -> None:
    with ScriptedHTTPServer(
        [
            Canned(
                429,
                b'{"message":"slow down"}',
                {"Content-Type": "application/json", "Retry-After": "7"},
            )
        ]
    ) as s:
        with wt.Client(s.url) as client, pytest.raises(wt.RateLimitedError) as info:
            client.meta()
    assert info.value.retry_after == 7.0
    assert "slow down" in str(info.value)


def test_hint_for_vector_dimension_mismatch() -> None:
    err = wt.WeaviateError.from_kind(
        wt.ErrorKind.VALIDATION_ERROR,
        "new node has a vector with length 3. Existing nodes have vectors with length 4",
        status_code=422,
    )
    assert isinstance(err, wt.ValidationError)
    assert "dimension" in str(err)


def test_errors_never_contain_the_api_key() -> None:
    body = ('{"error":[{"message":"bad header Authorization: Bearer ' + SECRET + '"}]}').encode()
    with ScriptedHTTPServer([Canned(401, body)]) as s:
        with (
            wt.Client(s.url, api_key=SECRET) as client,
            pytest.raises(wt.UnauthorizedError) as info,
        ):
            client.raw.request("GET", "/v1/meta", params={"api_key": SECRET, "limit": 1})
    err = info.value
    for text in (str(err), repr(err), err.message, str(err.details), str(err.url)):
        assert SECRET not in text
    assert "api_key=%2A%2A%2A" in str(err.url) or "api_key=***" in str(err.url)
    assert "limit=1" in str(err.url)


def test_errors_pickle_round_trip() -> None:
    err = wt.WeaviateError.from_kind(
        wt.ErrorKind.NOT_FOUND, "gone", status_code=404, method="GET", path="/v1/x"
    )
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is wt.NotFoundError and back.status_code == 404 and str(back) == str(err)


def test_timeout_error_is_builtin_timeout() -> None:
    assert issubclass(wt.WeaviateTimeoutError, TimeoutError)
    assert issubclass(wt.ConfigError, ValueError)
    assert wt.ErrorKind("graphql_error") is wt.ErrorKind.GRAPHQL_ERROR
