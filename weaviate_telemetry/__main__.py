"""``python -m weaviate_telemetry doctor``."""

import sys

from ._cli import main

sys.exit(main())
