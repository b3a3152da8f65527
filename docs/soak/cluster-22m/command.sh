#!/bin/bash
# A shorter confirmation run after the reservoir fix: code = git archive of 5891e18 (branch soak).
cd /work/soak-run/code2
exec nice -n 5 /work/wt-soak/.venv/bin/python tools/soak_stack.py --cluster 3 --duration 22m \
  --report /work/soak-run/report2 \
  --faults "8m:node1=kill,11m:node1=start" \
  -- --processes 4 --writers 1 --readers 1 --batch-size 20 --think-time 100ms \
  --sample-interval 5s --max-rss-growth 5
