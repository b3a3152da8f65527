"""Config, Timeouts, RetryPolicy, per-call keywords: validation, redaction, env."""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import weaviate_telemetry as wt
from weaviate_telemetry._core.options import resolve

SECRET = "sk-very-secret-key-0123"

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.binary(max_size=10),
    st.lists(st.text(max_size=5), max_size=3),
    st.tuples(st.text(max_size=5)),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    st.frozensets(st.integers(min_value=0, max_value=1000), max_size=3),
    st.sampled_from(
        [
            "http://",
            "https://h:0",
            "ftp://h",
            "http://u:p@h",
            "http://h?q=1",
            "http://h#f",
            "http://[::1",
            "http://h:99999",
            " http://h",
            "http://h/p\n",
        ]
    ),
)
field_names = st.sampled_from(
    [
        "base_url",
        "fallback_urls",
        "api_key",
        "timeouts",
        "pool_maxsize",
        "retry",
        "telemetry_prefix",
        "default_headers",
        "verify_tls",
        "ca_certs",
        "user_agent",
        "bogus",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(field_names, anything, max_size=4))
def test_config_construction_only_ever_raises_config_error(kwargs: dict[str, object]) -> None:
    kwargs.setdefault("base_url", "http://127.0.0.1:8080")
    try:
        config = wt.Config.build(**kwargs)
    except wt.ConfigError as err:
        assert isinstance(err, ValueError) and isinstance(err, wt.WeaviateError)
        assert err.kind is wt.ErrorKind.VALIDATION_ERROR
        assert (
            "expected" in str(err)
            or "not allowed" in str(err)
            or "conflicts" in str(err)
            or "unknown" in str(err)
            or "missing" in str(err)
            or "set one" in str(err)
        )
    else:
        assert config.base_url.startswith(("http://", "https://"))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["connect", "read", "total", "pool"]),
    anything,
)
def test_timeouts_only_raise_config_error(name: str, value: object) -> None:
    try:
        t = wt.Timeouts(**{name: value})  # type: ignore[arg-type]
    except wt.ConfigError as err:
        assert f"timeouts.{name}" in str(err)
    else:
        assert math.isfinite(getattr(t, name)) and getattr(t, name) > 0


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [
            "enabled",
            "max_attempts",
            "initial_backoff",
            "max_backoff",
            "retry_on_status",
            "budget_ratio",
        ]
    ),
    anything,
)
def test_retry_policy_only_raises_config_error(name: str, value: object) -> None:
    try:
        wt.RetryPolicy(**{name: value})  # type: ignore[arg-type]
    except wt.ConfigError as err:
        assert "retry." in str(err)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["timeout", "retry", "headers", "idempotent", "metadata"]), anything)
def test_per_call_keywords_only_raise_config_error(name: str, value: object) -> None:
    try:
        options = resolve({name: value})
    except wt.ConfigError as err:
        assert "expected" in str(err)
    else:
        assert options is not None
        stored = getattr(options, name)
        allowed = {
            "timeout": (wt.Timeouts, type(None)),
            "retry": (wt.RetryPolicy, type(None)),
            "headers": (dict, type(None)),
            "idempotent": (bool, type(None)),
            "metadata": (dict, type(None)),
        }[name]
        assert isinstance(stored, allowed)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"base_url": "ftp://h"}, "base_url"),
        ({"base_url": "http://h?x=1"}, "base_url"),
        ({"base_url": "http://127.0.0.1", "pool_maxsize": 0}, "pool_maxsize"),
        ({"base_url": "http://127.0.0.1", "pool_maxsize": 1001}, "pool_maxsize"),
        ({"base_url": "http://127.0.0.1", "timeouts": {"read": -1}}, "timeouts.read"),
        ({"base_url": "http://127.0.0.1", "telemetry_prefix": ()}, "telemetry_prefix"),
        ({"base_url": "http://127.0.0.1", "default_headers": {"X-A": "a\r\nb"}}, "default_headers"),
        ({"base_url": "http://127.0.0.1", "fallback_urls": ["http://127.0.0.1"]}, "fallback_urls"),
        ({"base_url": "http://127.0.0.1", "verify_tls": "yes"}, "verify_tls"),
    ],
)
def test_invalid_field_is_named_with_allowed_values(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(wt.ConfigError) as info:
        wt.Config.build(**kwargs)
    assert field in str(info.value)
    assert "expected" in str(info.value)


def test_credentials_in_url_rejected_without_echoing_them() -> None:
    with pytest.raises(wt.ConfigError) as info:
        wt.Config(base_url=f"http://user:{SECRET}@127.0.0.1")
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_api_key_conflicts_with_authorization_header() -> None:
    with pytest.raises(wt.ConfigError, match="conflicts with api_key"):
        wt.Config(
            base_url="http://127.0.0.1",
            api_key=SECRET,
            default_headers={"Authorization": "Bearer x"},
        )


def test_repr_and_str_never_show_secrets() -> None:
    config = wt.Config(
        base_url="http://127.0.0.1:8080",
        api_key=SECRET,
        default_headers={"X-OpenAI-Api-Key": "openai-secret-999"},
    )
    client = wt.Client(config=config)
    for text in (
        repr(config),
        str(config),
        repr(client),
        repr(resolve({"headers": {"Authorization": f"Bearer {SECRET}"}})),
    ):
        assert SECRET not in text
        assert "openai-secret-999" not in text
    assert "***" in repr(config)
    client.close()


def test_bad_header_value_error_hides_secret_header_value() -> None:
    with pytest.raises(wt.ConfigError) as info:
        wt.Config(base_url="http://127.0.0.1", default_headers={"X-Api-Key": SECRET + "\n"})
    assert SECRET not in str(info.value)


def test_defaults() -> None:
    config = wt.Config(base_url="http://127.0.0.1:8080/")
    assert config.base_url == "http://127.0.0.1:8080"
    assert config.retry.enabled is False
    assert config.telemetry_prefix == ("weaviate",)
    assert config.verify_tls is True
    assert config.user_agent.startswith("weaviate-telemetry/")
    assert config.timeouts == wt.Timeouts()


def test_client_keywords_mirror_config_and_reject_both_forms() -> None:
    client = wt.Client("http://127.0.0.1:1", pool_maxsize=3, timeouts=wt.Timeouts(read=2))
    assert client.config.pool_maxsize == 3 and client.config.timeouts.read == 2
    client.close()
    with pytest.raises(wt.ConfigError, match="either config"):
        wt.Client("http://127.0.0.1:1", config=wt.Config(base_url="http://127.0.0.1:1"))
    with pytest.raises(wt.ConfigError, match="unknown Config field"):
        wt.Client("http://127.0.0.1:1", base_ulr="typo")


def test_from_env_reads_documented_variables() -> None:
    env = {
        "WEAVIATE_URL": "http://127.0.0.1:9999",
        "WEAVIATE_API_KEY": SECRET,
        "WEAVIATE_FALLBACK_URLS": "http://127.0.0.2:9999, http://127.0.0.3:9999",
        "WEAVIATE_TIMEOUT_READ": "7.5",
        "WEAVIATE_POOL_MAXSIZE": "4",
        "WEAVIATE_RETRY_ENABLED": "true",
        "WEAVIATE_RETRY_MAX_ATTEMPTS": "5",
        "WEAVIATE_TELEMETRY_PREFIX": "myapp.weaviate",
    }
    config = wt.Config.from_env(env)
    assert config.base_url == "http://127.0.0.1:9999"
    assert config.api_key == SECRET
    assert config.fallback_urls == ("http://127.0.0.2:9999", "http://127.0.0.3:9999")
    assert config.timeouts.read == 7.5 and config.pool_maxsize == 4
    assert config.retry.enabled and config.retry.max_attempts == 5
    assert config.telemetry_prefix == ("myapp", "weaviate")


def test_client_from_env_uses_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEAVIATE_URL", "http://127.0.0.1:7777")
    with wt.Client.from_env() as client:
        assert client.config.base_url == "http://127.0.0.1:7777"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "WEAVIATE_URL"),
        (
            {"WEAVIATE_URL": "http://127.0.0.1", "WEAVIATE_POOL_MAXSIZE": "many"},
            "WEAVIATE_POOL_MAXSIZE",
        ),
        (
            {"WEAVIATE_URL": "http://127.0.0.1", "WEAVIATE_RETRY_ENABLED": "maybe"},
            "WEAVIATE_RETRY_ENABLED",
        ),
    ],
)
def test_from_env_errors_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(wt.ConfigError, match=named):
        wt.Config.from_env(env)


def test_insecure_transport_warning_once_for_remote_http_with_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from weaviate_telemetry._core import config as _config

    monkeypatch.setattr(_config, "_warned_insecure", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wt.Client("http://127.0.0.1:1", api_key=SECRET).close()  # loopback: no warning
        wt.Client("http://weaviate.internal.example:8080", api_key=SECRET).close()
        wt.Client("http://weaviate.internal.example:8080", api_key=SECRET).close()
    relevant = [w for w in caught if issubclass(w.category, wt.InsecureTransportWarning)]
    assert len(relevant) == 1
    assert SECRET not in str(relevant[0].message)


def test_per_call_keywords_become_one_checked_value() -> None:
    assert resolve({}) is None  # no keywords: the client's settings apply unchanged
    merged = resolve({"timeout": 3, "idempotent": True})
    assert merged is not None and merged.idempotent is True
    assert isinstance(merged.timeout, wt.Timeouts) and merged.timeout.read == 3
    with pytest.raises(wt.ConfigError, match=r"unknown request option\(s\) tiemout: a call takes"):
        resolve({"tiemout": 1})


@pytest.mark.parametrize(
    "url",
    [
        f"http://h/?api_key={SECRET}",
        f"http://h/?x=1&access_token={SECRET}",
        f"http://u:{SECRET}@h:abc",
        f"http://u:{SECRET}@h",
    ],
)
def test_rejected_url_is_shown_without_its_secrets(url: str) -> None:
    for kwargs in ({"base_url": url}, {"base_url": "http://127.0.0.1", "fallback_urls": [url]}):
        with pytest.raises(wt.ConfigError) as info:
            wt.Config(**kwargs)  # type: ignore[arg-type]
        assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_options_keyword_is_refused_with_the_keywords_to_use() -> None:
    """One way for per-call options: ``options=`` fails before any I/O, naming the keywords."""
    with wt.Client("http://127.0.0.1:9") as client:
        articles = client.collections.use("Article")
        for call in (
            lambda: client.meta(options={"timeout": 1}),  # type: ignore[call-arg]
            lambda: client.raw.request("GET", "/v1/meta", options=None),  # type: ignore[call-arg]
            lambda: articles.query.fetch_objects(options=3),  # type: ignore[call-arg]
            lambda: articles.data.insert({}, options=None),  # type: ignore[call-arg]
            lambda: articles.batch.dynamic(options=None),  # type: ignore[call-arg]
            lambda: client.batch.fixed_size(10, options=None),  # type: ignore[call-arg]
        ):
            with pytest.raises(wt.ConfigError) as info:
                call()
            message = str(info.value)
            assert "options= was removed" in message
            assert "timeout=, retry=, headers=, idempotent=, metadata=" in message
    with pytest.raises(AttributeError, match="per-call options are keywords"):
        wt.RequestOptions  # noqa: B018
