"""The generated gRPC stubs (tools/generate_grpc_stubs.py).

They match the pinned Weaviate's protos, stay out of ``import weaviate_telemetry``, load beside
another client's ``weaviate.v1`` protos, and speak the server's RPC paths.
"""

from __future__ import annotations

import importlib.util
import struct
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from types import ModuleType

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct

import weaviate_telemetry as wt
from weaviate_telemetry._core.grpc_stubs.v1 import (
    base_pb2,
    base_search_pb2,
    batch_pb2,
    health_weaviate_pb2,
    search_get_pb2,
    weaviate_pb2_grpc,
)
from weaviate_telemetry.embedded import EmbeddedWeaviate

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "generate_grpc_stubs.py"


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_grpc_stubs", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_weaviate_telemetry_does_not_load_grpc_or_protobuf() -> None:
    done = _run_python(
        """
        import sys
        import weaviate_telemetry
        heavy = ("grpc", "google.protobuf")
        print(sorted(m for m in sys.modules if m in heavy or m.startswith(heavy)))
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_stubs_load_beside_another_clients_weaviate_v1_protos() -> None:
    # The official weaviate-client registers v1/*.proto in package weaviate.v1 (its own Weaviate
    # version) in protobuf's global pool; ours must not collide with them in the same process.
    done = _run_python(
        """
        from google.protobuf import descriptor_pb2, descriptor_pool

        pool = descriptor_pool.Default()
        for file_name, message in (("v1/base.proto", "Filters"),
                                   ("v1/search_get.proto", "SearchRequest")):
            proto = descriptor_pb2.FileDescriptorProto(
                name=file_name, package="weaviate.v1", syntax="proto3"
            )
            field = proto.message_type.add(name=message).field.add()
            field.name, field.number = "other_client", 1
            field.type = descriptor_pb2.FieldDescriptorProto.TYPE_STRING
            field.label = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
            pool.Add(proto)

        from weaviate_telemetry._core.grpc_stubs.v1 import search_get_pb2, weaviate_pb2_grpc
        request = search_get_pb2.SearchRequest(collection="C", uses_127_api=True)
        print(type(request).FromString(request.SerializeToString()).collection)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "C"


class _Recorder(grpc.GenericRpcHandler):
    """A real gRPC server side that records which RPC path and metadata each call arrives on."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []

    def service(self, details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        method = str(details.method)
        meta = {k: str(v) for k, v in details.invocation_metadata or ()}
        self.calls.append((method, meta))
        replies = {
            "/weaviate.v1.Weaviate/Search": search_get_pb2.SearchReply(took=1.5),
            "/weaviate.v1.Weaviate/BatchObjects": batch_pb2.BatchObjectsReply(
                errors=[batch_pb2.BatchObjectsReply.BatchError(index=1, error="bad")]
            ),
        }
        if method not in replies:
            return None
        reply = replies[method]
        return grpc.unary_unary_rpc_method_handler(
            lambda request, context: reply,
            request_deserializer=lambda b: b,
            response_serializer=type(reply).SerializeToString,
        )


@pytest.fixture
def recorder() -> Iterator[tuple[_Recorder, grpc.Channel]]:
    handler = _Recorder()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), handlers=[handler])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield handler, channel
    finally:
        channel.close()
        server.stop(grace=None)


def test_stub_calls_search_and_batch_objects_on_weaviates_rpc_paths(
    recorder: tuple[_Recorder, grpc.Channel],
) -> None:
    handler, channel = recorder
    stub = weaviate_pb2_grpc.WeaviateStub(channel)
    auth = (("authorization", "Bearer k"),)

    reply = stub.Search(search_get_pb2.SearchRequest(collection="C"), timeout=10, metadata=auth)
    batch = stub.BatchObjects(batch_pb2.BatchObjectsRequest(), timeout=10)

    assert reply.took == pytest.approx(1.5)
    assert [(e.index, e.error) for e in batch.errors] == [(1, "bad")]
    assert [method for method, _ in handler.calls] == [
        "/weaviate.v1.Weaviate/Search",
        "/weaviate.v1.Weaviate/BatchObjects",
    ]
    assert handler.calls[0][1]["authorization"] == "Bearer k"


@pytest.mark.integration
def test_committed_stubs_match_the_pinned_weaviate_protos() -> None:
    """Needs Go and the module proxy (``go mod download``), like the embedded server build."""
    done = subprocess.run(
        [sys.executable, str(TOOL), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gRPC stubs match Weaviate v1.39.0" in done.stdout


@pytest.mark.integration
def test_check_reports_drifted_missing_and_stale_stubs(capsys: pytest.CaptureFixture[str]) -> None:
    tool = _load_tool()
    fresh = tool.generate()
    assert tool.check(fresh) == 0

    drifted = dict(fresh)
    drifted["v1/search_get_pb2.py"] += "# edited\n"
    assert tool.check(drifted) == 1
    assert "+# edited" in capsys.readouterr().out

    more = dict(fresh, **{"v1/new_pb2.py": ""})
    assert tool.check(more) == 1
    assert "missing: weaviate_telemetry/_core/grpc_stubs/v1/new_pb2.py" in capsys.readouterr().out

    fewer = {k: v for k, v in fresh.items() if k != "v1/tenants_pb2.py"}
    assert tool.check(fewer) == 1
    assert "stale" in capsys.readouterr().out


def _vector(values: list[float], name: str = "") -> base_pb2.Vectors:
    return base_pb2.Vectors(
        name=name,
        vector_bytes=struct.pack(f"<{len(values)}f", *values),
        type=base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32,
    )


@pytest.mark.integration
def test_stubs_import_and_search_against_the_real_weaviate(
    weaviate_server: EmbeddedWeaviate, collection_name: str
) -> None:
    assert weaviate_server.ports is not None
    with wt.Client(weaviate_server.url) as client:
        client.collections.create_from_dict(
            {
                "class": collection_name,
                "properties": [
                    {"name": "title", "dataType": ["text"]},
                    {"name": "year", "dataType": ["int"]},
                ],
                "vectorConfig": {"a": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"}},
            }
        )
    ids = [f"00000000-0000-0000-0000-00000000000{i}" for i in range(1, 4)]

    def batch_object(i: int, year: object) -> batch_pb2.BatchObject:
        props = Struct()
        props.update({"title": f"object {i}", "year": year})
        return batch_pb2.BatchObject(
            uuid=ids[i],
            collection=collection_name,
            properties=batch_pb2.BatchObject.Properties(non_ref_properties=props),
            vectors=[_vector([1.0, i * 0.1, 0.0], "a")],
        )

    channel = grpc.insecure_channel(f"127.0.0.1:{weaviate_server.ports.grpc}")
    try:
        health = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_weaviate_pb2.WeaviateHealthCheckRequest.SerializeToString,
            response_deserializer=health_weaviate_pb2.WeaviateHealthCheckResponse.FromString,
        )(health_weaviate_pb2.WeaviateHealthCheckRequest(), timeout=10)
        assert health.status == health_weaviate_pb2.WeaviateHealthCheckResponse.SERVING

        stub = weaviate_pb2_grpc.WeaviateStub(channel)
        batch = stub.BatchObjects(
            batch_pb2.BatchObjectsRequest(
                objects=[batch_object(0, 2000), batch_object(1, "abc"), batch_object(2, 2002)]
            ),
            timeout=30,
        )
        assert [(e.index, "requires an integer" in e.error) for e in batch.errors] == [(1, True)]

        reply = stub.Search(
            search_get_pb2.SearchRequest(
                collection=collection_name,
                limit=5,
                near_vector=base_search_pb2.NearVector(
                    vectors=[_vector([1.0, 0.0, 0.0])],
                    targets=base_search_pb2.Targets(target_vectors=["a"]),
                ),
                properties=search_get_pb2.PropertiesRequest(non_ref_properties=["title", "year"]),
                metadata=search_get_pb2.MetadataRequest(uuid=True, distance=True),
                uses_127_api=True,
            ),
            timeout=30,
        )
    finally:
        channel.close()
        with wt.Client(weaviate_server.url) as client:
            client.collections.delete(collection_name)

    found = [
        (
            r.metadata.id,
            r.properties.non_ref_props.fields["title"].text_value,
            r.properties.non_ref_props.fields["year"].int_value,
        )
        for r in reply.results
    ]
    assert found == [(ids[0], "object 0", 2000), (ids[2], "object 2", 2002)]
    assert reply.results[0].metadata.distance_present
    assert reply.results[0].metadata.distance == pytest.approx(0.0, abs=1e-6)
