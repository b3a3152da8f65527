"""The soak's telemetry providers and the dashboards rendered from Prometheus into a report."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .._dashboards import shipped
from .._version import __version__
from .options import SoakOptions

#: Telemetry counters summed into the report, by the attribute that splits them.
_SUMMED = {
    "weaviate.client.retries": "error.type",
    "weaviate.client.errors": "error.type",
    "weaviate.client.batch.objects": "outcome",
}


class SoakTelemetry:
    """Providers for this run: SDK spans and metrics, process metrics, the soak's own metrics."""

    def __init__(self, options: SoakOptions, instance_id: str) -> None:
        """``instance_id`` is the resource's ``service.instance.id`` (one per process)."""
        from opentelemetry.instrumentation.system_metrics import SystemMetricsInstrumentor
        from opentelemetry.metrics import CallbackOptions, Observation
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import (
            InMemoryMetricReader,
            MetricReader,
            PeriodicExportingMetricReader,
        )
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        from ..telemetry import instrument_opentelemetry

        resource = Resource.create(
            {"service.name": options.service_name, "service.instance.id": instance_id}
        )
        self.memory = InMemoryMetricReader()
        readers: list[MetricReader] = [self.memory]
        self.tracer_provider = TracerProvider(resource=resource)
        self.endpoint = options.otlp_endpoint
        if self.endpoint:
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
                OTLPMetricExporter,
            )
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            base = self.endpoint.rstrip("/")
            interval = max(1.0, min(5.0, options.scrape_interval))
            readers.append(
                PeriodicExportingMetricReader(
                    OTLPMetricExporter(endpoint=base + "/v1/metrics"),
                    export_interval_millis=interval * 1000,
                )
            )
            self.tracer_provider.add_span_processor(
                BatchSpanProcessor(OTLPSpanExporter(endpoint=base + "/v1/traces"))
            )
        self.meter_provider = MeterProvider(resource=resource, metric_readers=readers)
        self.system = SystemMetricsInstrumentor(
            config={
                "process.memory.usage": None,
                "process.memory.virtual": None,
                "process.cpu.time": ["user", "system"],
                "process.cpu.utilization": None,
                "process.thread.count": None,
                "process.open_file_descriptor.count": None,
                "cpython.gc.collections": None,
            }
        )
        self.system.instrument(meter_provider=self.meter_provider)
        self.instrumentation = instrument_opentelemetry(self.tracer_provider, self.meter_provider)
        meter = self.meter_provider.get_meter("weaviate_telemetry.soak", __version__)
        self.written = meter.create_counter(
            "weaviate.soak.objects.written",
            unit="{object}",
            description="Objects the soak harness wrote (confirmed by the server).",
        )
        self.lost = 0

        def observe_lost(_options: CallbackOptions) -> Iterable[Observation]:
            yield Observation(self.lost)

        meter.create_observable_gauge(
            "weaviate.soak.objects.lost",
            callbacks=[observe_lost],
            unit="{object}",
            description="Written objects missing at the end-of-run check (0 until it ran).",
        )

    def summary(self) -> dict[str, dict[str, float]]:
        """The SDK's own counters, summed by their splitting attribute."""
        found: dict[str, dict[str, float]] = {name: {} for name in _SUMMED}
        data = self.memory.get_metrics_data()
        for resource_metrics in data.resource_metrics if data else ():
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    key = _SUMMED.get(metric.name)
                    if key is None:
                        continue
                    for point in getattr(metric.data, "data_points", ()):
                        label = str((point.attributes or {}).get(key, "-"))
                        found[metric.name][label] = found[metric.name].get(label, 0.0) + float(
                            point.value
                        )
        return found

    def flush(self) -> None:
        self.meter_provider.force_flush(10_000)
        self.tracer_provider.force_flush(10_000)

    def shutdown(self) -> None:
        self.instrumentation.uninstrument()
        self.system.uninstrument()
        self.meter_provider.shutdown()
        self.tracer_provider.shutdown()


def export_lost(options: SoakOptions, instance_id: str, lost: int) -> None:
    """Export ``weaviate.soak.objects.lost`` = ``lost`` once, from the coordinator.

    In a multi-process run the check runs in the coordinator after the workers
    have exited, so it reports the figure under its own ``service.instance.id``.
    """
    if not options.otlp_endpoint:
        return
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    from opentelemetry.metrics import CallbackOptions, Observation
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.resources import Resource

    resource = Resource.create(
        {"service.name": options.service_name, "service.instance.id": instance_id}
    )
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=options.otlp_endpoint.rstrip("/") + "/v1/metrics"),
        export_interval_millis=1000,
    )
    provider = MeterProvider(resource=resource, metric_readers=[reader])

    def observe(_options: CallbackOptions) -> Iterable[Observation]:
        yield Observation(lost)

    provider.get_meter("weaviate_telemetry.soak", __version__).create_observable_gauge(
        "weaviate.soak.objects.lost",
        callbacks=[observe],
        unit="{object}",
        description="Written objects missing at the end-of-run check (0 until it ran).",
    )
    provider.force_flush(10_000)
    provider.shutdown()


def render_dashboards(
    o: SoakOptions, start: float, end: float, dashboards: list[Path] | None = None
) -> list[dict[str, Any]]:
    """Every dashboard's panels from ``o.prometheus`` into the report folder; one entry each."""
    import json

    from . import render

    assert o.prometheus is not None
    charts = []
    for path in dashboards or list(o.dashboards) or shipped():
        board = json.loads(path.read_text())
        names = {v["name"] for v in (board.get("templating") or {}).get("list") or []}
        variables = {"job": o.service_name}
        if "weaviate_job" in names:
            variables["weaviate_job"] = o.weaviate_job
        out = o.report / (path.stem + ".png")
        title = str(board.get("title") or path.stem)
        entry: dict[str, Any] = {"title": title, "file": out.name}
        try:
            panels = render.render(
                board,
                o.prometheus,
                out,
                variables=variables,
                start=start,
                end=end,
                scrape_interval=o.scrape_interval,
            )
            entry.update(panels=len(panels), empty=[], failed={})
        except render.PreviewError as err:
            entry.update(
                panels=len(render.panels_of(board)),
                empty=err.empty,
                failed=err.failed,
                problems=str(err),
            )
        except (render.QueryError, ValueError) as err:
            entry.update(panels=0, empty=[], failed={"*": str(err)}, problems=str(err))
        charts.append(entry)
    return charts
