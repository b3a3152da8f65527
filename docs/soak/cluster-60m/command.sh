#!/bin/bash
# The committed 60-minute cluster soak: code = git archive of commit 78cfc11 (main), installed (not editable) into its own venv.
cd /work/soak-run/code3
exec nice -n 5 /work/soak-run/venv3/bin/python tools/soak_stack.py --cluster 3 --duration 60m \
  --report /work/soak-run/report3 \
  --faults "20m:node1=kill,25m:node1=start" \
  -- --processes 4 --writers 1 --readers 1 --batch-size 20 --think-time 100ms \
  --sample-interval 5s --max-rss-growth 5
