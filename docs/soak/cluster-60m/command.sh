#!/bin/bash
# The committed 60-minute cluster soak: code = git archive of commit 67c75ba (branch soak).
cd /work/soak-run/code
exec nice -n 5 /work/wt-soak/.venv/bin/python tools/soak_stack.py --cluster 3 --duration 60m \
  --report /work/soak-run/report \
  --faults "20m:node1=kill,25m:node1=start" \
  -- --processes 4 --writers 1 --readers 1 --batch-size 20 --think-time 100ms \
  --sample-interval 5s --max-rss-growth 5
