#!/bin/sh
# One-shot job of docker-compose.yml (temporalio/admin-tools): waits until the Temporal server answers, then
# creates duban's namespace unless it exists. temporalio/server, unlike the old auto-setup image, creates none.
set -eu
ns=${TEMPORAL_NAMESPACE:-default}
tries=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -ge 60 ] && { echo "temporal-namespace: the server at $TEMPORAL_ADDRESS is not healthy" >&2; exit 1; }
  sleep 2
done
if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$ns" >/dev/null 2>&1; then
  echo "temporal-namespace: $ns exists"
else
  # Closed workflows' histories are kept 30 days; outcomes and the audit log live in duban's own store.
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$ns" --retention 30d
fi
