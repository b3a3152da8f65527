"""Peer processes the telemetry tests talk to (OpenTelemetry Collector)."""
