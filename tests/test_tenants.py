"""client.tenants against a real Weaviate: add/list/get/exists/update (activity)/remove."""

from __future__ import annotations

from typing import Any

import pytest

import weaviate_telemetry as wt


@pytest.fixture
def mt(client: wt.Client, collection_name: str) -> str:
    """A multi-tenant collection with one text property."""
    client.collections.create_from_config(
        wt.CollectionConfig(
            collection_name, properties=[wt.Property("text", "text")], multi_tenancy=True
        )
    )
    return collection_name


def test_add_list_get_exists(client: wt.Client, mt: str) -> None:
    added = client.tenants.add(mt, ["alpha", "beta"])
    assert [t.name for t in added] == ["alpha", "beta"]
    cold = client.tenants.add(mt, wt.Tenant("gamma"), activity_status="COLD")
    assert [(t.name, t.activity_status) for t in cold] == [("gamma", "COLD")]

    client.tenants.add(mt, "gamma")  # adding an existing tenant changes nothing
    listed = {t.name: t.activity_status for t in client.tenants.list(mt)}
    assert listed == {"alpha": "HOT", "beta": "HOT", "gamma": "COLD"}

    alpha = client.tenants.get(mt, "alpha")
    assert alpha is not None
    assert (alpha.name, alpha.activity_status, alpha.active) == ("alpha", "HOT", True)
    assert alpha.raw["name"] == "alpha"
    assert client.tenants.get(mt, "nobody") is None  # 404 is an answer
    assert client.tenants.exists(mt, "beta") is True
    assert client.tenants.exists(mt, "nobody") is False


def test_update_activity_status_controls_data_access(client: wt.Client, mt: str) -> None:
    client.tenants.add(mt, "alpha")
    client.objects.insert(mt, {"text": "hello"}, tenant="alpha")

    updated = client.tenants.update(mt, "alpha", "COLD")
    assert [(t.name, t.activity_status) for t in updated] == [("alpha", "COLD")]
    got = client.tenants.get(mt, "alpha")
    assert got is not None and got.active is False
    with pytest.raises(wt.ValidationError) as info:
        client.objects.insert(mt, {"text": "x"}, tenant="alpha")
    assert "not active" in info.value.message

    client.tenants.update(mt, [wt.Tenant("alpha", "hot")])  # Tenant values, any case
    again = client.tenants.get(mt, "alpha")
    assert again is not None and again.activity_status == "HOT"
    assert client.objects.list(mt, tenant="alpha").total_results == 1


def test_current_status_names_are_accepted(client: wt.Client, mt: str) -> None:
    client.tenants.add(mt, ["a", "b"], activity_status="INACTIVE")
    assert {t.active for t in client.tenants.list(mt)} == {False}
    client.tenants.update(mt, ["a", "b"], "ACTIVE")
    assert {t.name: t.active for t in client.tenants.list(mt)} == {"a": True, "b": True}


def test_update_unknown_tenant_is_rejected_by_the_server(client: wt.Client, mt: str) -> None:
    with pytest.raises(wt.ValidationError) as info:
        client.tenants.update(mt, "ghost", "COLD")
    assert info.value.status_code == 422
    assert "ghost" in info.value.message


def test_remove(client: wt.Client, mt: str) -> None:
    client.tenants.add(mt, ["a", "b", "c"])
    client.objects.insert(mt, {"text": "gone"}, tenant="b")
    client.tenants.remove(mt, ["b", "does-not-exist"])
    assert sorted(t.name for t in client.tenants.list(mt)) == ["a", "c"]
    client.tenants.remove(mt, "a")
    assert [t.name for t in client.tenants.list(mt)] == ["c"]
    client.tenants.add(mt, "b")  # a re-created tenant starts empty
    assert client.objects.list(mt, tenant="b").total_results == 0


def test_tenant_data_is_isolated(client: wt.Client, mt: str) -> None:
    client.tenants.add(mt, ["a", "b"])
    obj = client.objects.insert(mt, {"text": "mine"}, tenant="a")
    assert obj.tenant == "a"
    assert client.objects.exists(mt, obj.id, tenant="a") is True
    assert client.objects.exists(mt, obj.id, tenant="b") is False
    assert client.objects.get(mt, obj.id, tenant="b") is None


def test_tenant_calls_on_a_single_tenant_collection_are_rejected(
    client: wt.Client, collection_name: str
) -> None:
    client.collections.create_from_config(wt.CollectionConfig(collection_name))
    with pytest.raises(wt.ValidationError) as info:
        client.tenants.add(collection_name, "a")
    assert "multi-tenancy" in info.value.message


def test_telemetry_names_collection_and_tenant(client: wt.Client, mt: str) -> None:
    client.tenants.add(mt, "alpha")
    with wt.telemetry.capture() as events:
        client.tenants.exists(mt, "alpha")
    (stop,) = events.of("request", "stop")
    assert stop.metadata["operation"] == "tenants.exists"
    assert stop.metadata["path_template"] == "/v1/schema/{collection}/tenants/{tenant}"
    assert (stop.metadata["collection"], stop.metadata["tenant"]) == (mt, "alpha")


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda c: c.tenants.list("bad-name"), "collection"),
        (lambda c: c.tenants.get("Docs", "bad tenant"), "name"),
        (lambda c: c.tenants.exists("Docs", "x" * 65), "name"),
        (lambda c: c.tenants.add("Docs", []), "at least one"),
        (lambda c: c.tenants.add("Docs", 5), "tenants"),
        (lambda c: c.tenants.add("Docs", ["ok", "not ok"]), "tenant name"),
        (lambda c: c.tenants.add("Docs", "a", activity_status="WARM"), "activity_status"),
        (lambda c: c.tenants.update("Docs", "a"), "activity_status"),
        (lambda c: c.tenants.update("Docs", "a", "SLEEPY"), "HOT"),
        (lambda c: c.tenants.remove("Docs", [None]), "tenants item"),
    ],
)
def test_bad_arguments_fail_before_any_io(offline: wt.Client, call: Any, needle: str) -> None:
    with wt.telemetry.capture() as events, pytest.raises(wt.ValidationError) as info:
        call(offline)
    assert needle in str(info.value)
    assert events.events == []
