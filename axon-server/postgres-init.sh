#!/usr/bin/env bash
# Each service's own database, owned by the services' user. There is no events database in this topology: Axon
# Server stores the events.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
create role sagaengine login password '${SAGAENGINE_DB_PASSWORD}';
create database orders owner sagaengine;
create database inventory owner sagaengine;
create database payments owner sagaengine;
SQL
