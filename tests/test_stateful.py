"""Stateful property test: random object operations against the real Weaviate and a model.

Every step runs one operation through the SDK against one multi-tenant
collection (a fresh tenant per example) and the same operation on an
in-memory dict; after every step the server's objects must equal the
model's. Invalid inputs (bad ids, wrong property types, unknown tenants)
must raise a typed error of the expected kind and change nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any, ClassVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

import weaviate_telemetry as wt
from weaviate_telemetry.embedded import EmbeddedWeaviate

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
PROPERTY_VALUES = {
    "title": TEXT,
    "n": st.integers(-(10**9), 10**9),
    "score": st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    "flag": st.booleans(),
}
FULL = st.fixed_dictionaries(PROPERTY_VALUES)
PARTIAL = st.fixed_dictionaries({}, optional=PROPERTY_VALUES)
# Values of the wrong JSON type for each property; the server must refuse them.
WRONG_TYPES = st.sampled_from(
    [{"n": "seven"}, {"n": 1.5}, {"flag": "yes"}, {"score": "high"}, {"title": 5}, {"n": [1]}]
)
BAD_IDS = st.sampled_from(["", "not-a-uuid", "123", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"])
UUIDS = st.uuids().map(str)


class ObjectsMachine(RuleBasedStateMachine):
    """insert / replace / update / delete / batch / get / exists / count vs a dict."""

    client: ClassVar[wt.Client]
    collection: ClassVar[str]

    ids = Bundle("ids")

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[str, dict[str, Any]] = {}
        self.tenant = "t" + uuid.uuid4().hex[:10]

    @initialize()
    def fresh_tenant(self) -> None:
        self.client.tenants.add(self.collection, [self.tenant])

    # -- valid operations -----------------------------------------------------------

    @rule(target=ids, oid=UUIDS, props=FULL)
    def insert(self, oid: str, props: dict[str, Any]) -> Any:
        stored = self.client.objects.insert(self.collection, props, id=oid, tenant=self.tenant)
        assert stored.id == oid
        self.model[oid] = dict(props)
        return oid

    @rule(oid=ids, props=FULL)
    def insert_existing_is_refused(self, oid: str, props: dict[str, Any]) -> None:
        if oid not in self.model:
            return
        with pytest.raises(wt.ValidationError) as info:
            self.client.objects.insert(self.collection, props, id=oid, tenant=self.tenant)
        assert info.value.status_code == 422 and "already exists" in info.value.message

    @rule(oid=st.one_of(ids, UUIDS), props=FULL)
    def replace(self, oid: str, props: dict[str, Any]) -> None:
        if oid in self.model:
            self.client.objects.replace(self.collection, oid, props, tenant=self.tenant)
            self.model[oid] = dict(props)
        else:
            with pytest.raises(wt.NotFoundError) as info:
                self.client.objects.replace(self.collection, oid, props, tenant=self.tenant)
            assert info.value.kind is wt.ErrorKind.NOT_FOUND

    @rule(oid=st.one_of(ids, UUIDS), props=PARTIAL)
    def update(self, oid: str, props: dict[str, Any]) -> None:
        if oid in self.model:
            self.client.objects.update(self.collection, oid, props, tenant=self.tenant)
            self.model[oid].update(props)
        else:
            with pytest.raises(wt.NotFoundError):
                self.client.objects.update(self.collection, oid, props, tenant=self.tenant)

    @rule(oid=st.one_of(ids, UUIDS))
    def delete(self, oid: str) -> None:
        self.client.objects.delete(self.collection, oid, tenant=self.tenant)  # absent: no error
        self.model.pop(oid, None)

    @rule(
        target=ids,
        items=st.lists(st.tuples(UUIDS, FULL), max_size=6, unique_by=lambda t: t[0]),
        reuse=st.lists(ids, max_size=2, unique=True),
        props=FULL,
    )
    def batch(
        self, items: list[tuple[str, dict[str, Any]]], reuse: list[str], props: dict[str, Any]
    ) -> Any:
        fresh = {oid for oid, _ in items}
        items = items + [(oid, props) for oid in reuse if oid not in fresh]  # upserts
        result = self.client.batch.insert_objects(
            [{"id": oid, "properties": p} for oid, p in items],
            collection=self.collection,
            tenant=self.tenant,
            batch_size=4,
        )
        assert result.ok, result.failures
        assert sorted(result.successful_ids) == sorted(oid for oid, _ in items)
        for oid, p in items:
            self.model[oid] = dict(p)
        return multiple(*(oid for oid, _ in items))

    @rule(oid=st.one_of(ids, UUIDS))
    def get(self, oid: str) -> None:
        got = self.client.objects.get(self.collection, oid, tenant=self.tenant)
        if oid in self.model:
            assert got is not None and got.id == oid
            assert dict(got.properties) == self.model[oid]
        else:
            assert got is None

    @rule(oid=st.one_of(ids, UUIDS))
    def exists(self, oid: str) -> None:
        assert self.client.objects.exists(self.collection, oid, tenant=self.tenant) == (
            oid in self.model
        )

    @rule()
    def count(self) -> None:
        result = self.client.query.aggregate(self.collection).tenant(self.tenant).meta_count().do()
        assert result.total_count == len(self.model)

    # -- invalid inputs: typed errors, nothing changes ---------------------------------

    @rule(bad=BAD_IDS, props=FULL, op=st.sampled_from(["insert", "get", "delete", "update"]))
    def bad_id(self, bad: str, props: dict[str, Any], op: str) -> None:
        objects, c, t = self.client.objects, self.collection, self.tenant
        calls = {
            "insert": lambda: objects.insert(c, props, id=bad, tenant=t),
            "get": lambda: objects.get(c, bad, tenant=t),
            "delete": lambda: objects.delete(c, bad, tenant=t),
            "update": lambda: objects.update(c, bad, props, tenant=t),
        }
        with pytest.raises(wt.ValidationError) as info:
            calls[op]()
        assert info.value.kind is wt.ErrorKind.VALIDATION_ERROR
        assert info.value.status_code is None  # refused before any request was sent

    @rule(wrong=WRONG_TYPES, oid=st.one_of(ids, UUIDS), props=FULL)
    def wrong_property_type(self, wrong: dict[str, Any], oid: str, props: dict[str, Any]) -> None:
        bad = {**props, **wrong}
        if oid in self.model:
            with pytest.raises(wt.ValidationError) as info:
                self.client.objects.replace(self.collection, oid, bad, tenant=self.tenant)
        else:
            with pytest.raises(wt.ValidationError) as info:
                self.client.objects.insert(self.collection, bad, id=oid, tenant=self.tenant)
        assert info.value.status_code == 422 and info.value.message
        result = self.client.batch.insert_objects(
            [{"id": str(uuid.uuid4()), "properties": bad}],
            collection=self.collection,
            tenant=self.tenant,
        )
        assert result.succeeded == 0 and result.failed == 1
        assert result.failures[0].kind is None and result.failures[0].message

    @rule(oid=st.one_of(ids, UUIDS), props=FULL)
    def unknown_tenant(self, oid: str, props: dict[str, Any]) -> None:
        ghost = "ghost" + uuid.uuid4().hex[:6]
        for call in (
            lambda: self.client.objects.insert(self.collection, props, id=oid, tenant=ghost),
            lambda: self.client.objects.get(self.collection, oid, tenant=ghost),
        ):
            with pytest.raises(wt.WeaviateError) as info:
                call()
            assert info.value.kind in UNKNOWN_TENANT_KINDS, info.value
            assert ghost in info.value.message

    @invariant()
    def server_equals_model(self) -> None:
        stored = {
            o.id: dict(o.properties)
            for o in self.client.objects.iterate(self.collection, tenant=self.tenant)
        }
        assert stored == self.model

    def teardown(self) -> None:
        self.client.tenants.remove(self.collection, [self.tenant])


UNKNOWN_TENANT_KINDS = {wt.ErrorKind.VALIDATION_ERROR}  # measured: 422 for insert and get


@pytest.mark.integration
def test_objects_behave_like_a_dict(weaviate_server: EmbeddedWeaviate) -> None:
    name = "S" + uuid.uuid4().hex[:10]
    with wt.Client(weaviate_server.url) as client:
        client.collections.create_from_config(
            wt.CollectionConfig(
                name,
                properties=[
                    wt.Property("title", "text"),
                    wt.Property("n", "int"),
                    wt.Property("score", "number"),
                    wt.Property("flag", "boolean"),
                ],
                multi_tenancy=True,
            )
        )
        ObjectsMachine.client = client
        ObjectsMachine.collection = name
        try:
            with wt.telemetry.capture() as events:
                run_state_machine_as_test(
                    ObjectsMachine,
                    settings=settings(max_examples=15, stateful_step_count=20, deadline=None),
                )
        finally:
            client.collections.delete(name)
    calls = Counter(e.metadata["operation"] for e in events.of("request", "start"))
    outcomes = Counter(
        (e.metadata["operation"], e.metadata["error_kind"])
        for e in events.of("request", "exception")
    )
    print(f"\n[stateful] calls {dict(calls)}\n[stateful] errors {dict(outcomes)}")
    for operation in (
        "objects.insert",
        "objects.replace",
        "objects.update",
        "objects.delete",
        "batch.insert_objects",
        "objects.get",
        "objects.exists",
        "query.aggregate",
    ):
        assert calls[operation] >= 1, operation  # every operation really ran
    assert outcomes[("objects.insert", "validation_error")] >= 1
