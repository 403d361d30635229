#!/bin/sh
# One-shot job of docker-compose.yml (temporalio/admin-tools): brings the schemas of Temporal's two PostgreSQL
# databases (created by postgres-init.sql) to the version of the admin-tools image. Safe on every `docker compose
# up`: setup-schema keeps a recorded version and update-schema applies only the missing ones. SQL_PASSWORD comes
# from the environment.
set -eu
sql() { temporal-sql-tool --plugin postgres12 --ep postgresql -p 5432 -u temporal "$@"; }
schemas=/etc/temporal/schema/postgresql/v12
for db in temporal temporal_visibility; do
  dir=$schemas/temporal/versioned
  [ "$db" = temporal_visibility ] && dir=$schemas/visibility/versioned
  echo "temporal-schema: $db"
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$dir"
done
echo "temporal-schema: done"
