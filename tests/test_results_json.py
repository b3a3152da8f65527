"""Typed results serialise to JSON via dataclasses-json, loaded only when asked."""

from __future__ import annotations

import json
import subprocess
import sys

import weaviate_telemetry as wt


def test_import_does_not_load_dataclasses_json() -> None:
    code = "import sys, weaviate_telemetry; print('dataclasses_json' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_results_from_a_real_server_round_trip_to_json(
    client: wt.Client, collection_name: str
) -> None:
    client.collections.create_from_config(
        wt.CollectionConfig(collection_name, properties=[wt.Property("title", "text")])
    )
    batch = client.batch.insert_objects(
        [{"title": "one"}, {"title": "two"}], collection=collection_name
    )
    obj = client.objects.get(collection_name, batch.successful_ids[0])
    assert obj is not None
    found = client.query.get(collection_name).fields("title").additional("id").do()
    health = client.health.check()
    nodes = client.nodes(output="verbose")
    for result in (client.meta(), batch, obj, found, health, nodes[0]):
        decoded = json.loads(result.to_json())
        assert decoded == json.loads(json.dumps(result.to_dict(encode_json=True)))
    assert json.loads(batch.to_json())["successful_ids"] == list(batch.successful_ids)
    titles = {o["properties"]["title"] for o in json.loads(found.to_json())["objects"]}
    assert titles == {"one", "two"}
    assert json.loads(health.to_json())["endpoints"][0]["ready"] is True
    assert json.loads(obj.to_json())["raw"]["class"] == collection_name
