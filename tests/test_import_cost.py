"""A bare ``import weaviate_telemetry`` stays light (docs/performance.md) and the
library stays quiet (docs/telemetry.md).

Each check runs in a fresh interpreter: in this process other tests have
already imported loguru, OpenTelemetry and friends.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

# Third-party top-level packages a bare import may load, and why:
# urllib3 is the transport, orjson decodes every answer.
ALLOWED = {"urllib3", "orjson"}
# Loaded on first use only: logging routes, OpenTelemetry, to_json(), gRPC, retries.
ON_FIRST_USE = {"loguru", "opentelemetry", "grpc", "dataclasses_json", "marshmallow", "stamina"}


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_bare_import_loads_only_the_transport_and_json_packages() -> None:
    out = run(
        """
        import json, sys
        before = set(sys.modules)
        import weaviate_telemetry
        tops = {m.split(".")[0] for m in set(sys.modules) - before}
        third = sorted(
            m for m in tops
            if m not in sys.stdlib_module_names and not m.startswith("_")
            and m != "weaviate_telemetry"
        )
        print(json.dumps({"third": third, "asyncio": "asyncio" in sys.modules}))
        """
    )
    loaded = json.loads(out)
    assert set(loaded["third"]) == ALLOWED
    assert not ON_FIRST_USE & set(loaded["third"])
    assert loaded["asyncio"] is False  # loguru pulled it in; nothing else should


def test_public_names_resolve_and_heavy_modules_load_on_first_use() -> None:
    out = run(
        """
        import json, sys
        import weaviate_telemetry as wt
        seen = {}
        seen["query_before"] = "weaviate_telemetry._query.builders" in sys.modules
        client = wt.Client("http://127.0.0.1:9")
        seen["query_after_client"] = "weaviate_telemetry._query.builders" in sys.modules
        handle = client.collections.use("Article")
        seen["handle"] = type(handle) is wt.Collection
        get = client.query.get("Article").fields("title")
        seen["get_query"] = type(get).__name__ == "GetQuery"
        seen["all_names"] = all(getattr(wt, name) is not None for name in wt.__all__)
        seen["dir"] = set(wt.__all__) <= set(dir(wt))
        seen["otel"] = "opentelemetry" in sys.modules
        seen["loguru"] = "loguru" in sys.modules
        print(json.dumps(seen))
        """
    )
    seen = json.loads(out)
    assert seen == {
        "query_before": False,
        "query_after_client": False,
        "handle": True,
        "get_query": True,
        "all_names": True,
        "dir": True,
        "otel": False,
        "loguru": False,
    }


QUIET = """
    import json
    from loguru import logger
    {before}
    import weaviate_telemetry as wt
    from weaviate_telemetry.embedded import free_port

    records = []
    logger.remove()
    logger.add(lambda m: records.append(m.record["message"]), level="TRACE")

    def broken(*args):
        raise ValueError("boom")

    wt.telemetry.attach("test.broken", [("weaviate", "request", "start")], broken)
    client = wt.Client(f"http://127.0.0.1:{{free_port()}}")
    try:
        client.meta(timeout=2)
    except wt.WeaviateError:
        pass
    print(json.dumps(records))
"""


def test_library_is_silent_by_default_even_though_loguru_is_imported_late() -> None:
    records = json.loads(run(QUIET.format(before="")))
    assert records == []


def test_an_application_that_enabled_the_library_logger_first_keeps_its_choice() -> None:
    records = json.loads(run(QUIET.format(before='logger.enable("weaviate_telemetry")')))
    assert len(records) == 1
    assert "test.broken" in records[0]


def test_log_to_loguru_routes_lines_but_keeps_other_library_records_quiet() -> None:
    out = run(
        """
        import json
        import weaviate_telemetry as wt
        from weaviate_telemetry.embedded import free_port
        from loguru import logger

        records = []
        logger.remove()
        logger.add(lambda m: records.append(m.record["name"]), level="TRACE")

        def broken(*args):
            raise ValueError("boom")

        with wt.telemetry.log_to_loguru():
            wt.telemetry.attach("test.broken", [("weaviate", "request", "start")], broken)
            client = wt.Client(f"http://127.0.0.1:{free_port()}")
            try:
                client.meta(timeout=2)
            except wt.WeaviateError:
                pass
        print(json.dumps(records))
        """
    )
    # One routed line (the failed call); the broken handler's report stays disabled.
    assert json.loads(out) == ["weaviate_telemetry.telemetry._loguru"]
