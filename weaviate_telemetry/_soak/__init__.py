"""``weaviate-telemetry soak``: a mixed, bounded workload with telemetry on, then a report.

Modules: :mod:`.options` (arguments, fault schedules; light, imported by
``--help``), :mod:`.workload` (writers, readers, the end-of-run check of
every written id), :mod:`.sampler` (RSS/CPU/GC/threads in-process),
:mod:`.faults` (toxiproxy schedule), :mod:`.progress` (rich bar or plain
lines), :mod:`.report` (``report.json``/``report.md``, charts from the
samples), :mod:`.render` (dashboard panels from Prometheus) and
:mod:`.run` (the steps and the exit code). matplotlib, rich, psutil and the
system-metrics instrumentation come with the ``soak`` extra and are
imported only by the command.
"""
