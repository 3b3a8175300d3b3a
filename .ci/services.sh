#!/usr/bin/env bash
# The production-scale services of issue 15, on top of the primary PostgreSQL that
# .ci/run starts on 127.0.0.1:5432:
#  - a streaming replica of it, a second Debian cluster ("replica") on 127.0.0.1:5433;
#  - PgBouncer on 127.0.0.1:6432 in transaction pooling mode, in front of the primary.
# Idempotent: a service that already answers is left alone. Runs as root, alone
# (`bash .ci/services.sh`) or from .ci/run. The primary is reloaded, never restarted.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=.ci/lib.sh
source .ci/lib.sh

PRIMARY_PORT=5432
REPLICA_PORT=5433
REPLICA_CLUSTER=replica
PGBOUNCER_PORT=6432
PGBOUNCER_INI=/etc/pgbouncer/kakaorm.ini
PGBOUNCER_USERS=/etc/pgbouncer/kakaorm_users.txt

primary_sql() { psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "$1"; }
replica_in_recovery() {
  [[ "$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atc 'select pg_is_in_recovery()' 2>/dev/null)" == "t" ]]
}
pgbouncer_answers() { psql -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; }
pgbouncer_mode() {  # the pool_mode of the PgBouncer on the port, from its admin console
  psql -h 127.0.0.1 -p "$PGBOUNCER_PORT" -U postgres -d pgbouncer -Atc 'show config' 2>/dev/null \
    | awk -F'|' '$1 == "pool_mode" { print $2 }'
}

version=$(ls /etc/postgresql | sort -V | tail -n 1)

allow_replication() {
  local hba
  hba=$(primary_sql 'show hba_file')
  if ! grep -q '^host replication all 127.0.0.1/32 trust' "$hba"; then
    log "allowing replication from loopback in $hba"
    sed -i '1i host replication all 127.0.0.1/32 trust' "$hba"
    primary_sql 'select pg_reload_conf()' >/dev/null
  fi
  # wal_level=replica and max_wal_senders=10 are PostgreSQL's defaults; a changed
  # value would need a restart of the primary, which this script never does.
  local wal_level senders
  wal_level=$(primary_sql 'show wal_level')
  senders=$(primary_sql 'show max_wal_senders')
  if [[ "$wal_level" == "minimal" || "$senders" == "0" ]]; then
    log "the primary has wal_level=$wal_level max_wal_senders=$senders: set wal_level=replica and max_wal_senders>0, restart it, and run again"
    return 1
  fi
}

ensure_replica() {
  if replica_in_recovery; then log "replica answers on $REPLICA_PORT (in recovery)"; return 0; fi
  allow_replication
  local conf_dir="/etc/postgresql/$version/$REPLICA_CLUSTER"
  local data_dir="/var/lib/postgresql/$version/$REPLICA_CLUSTER"
  if [[ -d "$conf_dir" ]]; then
    pg_ctlcluster --skip-systemctl-redirect "$version" "$REPLICA_CLUSTER" stop >/dev/null 2>&1 || true
  else
    log "creating cluster $version/$REPLICA_CLUSTER on port $REPLICA_PORT"
    pg_createcluster "$version" "$REPLICA_CLUSTER" -p "$REPLICA_PORT" >/dev/null
  fi
  log "copying the primary into $data_dir with pg_basebackup"
  rm -rf "$data_dir"
  install -d -o postgres -g postgres -m 700 "$data_dir"
  # --checkpoint=fast: the backup starts at once instead of after a spread checkpoint
  # (up to minutes on an idle primary)
  su postgres -s /bin/sh -c "pg_basebackup -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D '$data_dir' -R -X stream --checkpoint=fast"
  # A hot standby needs these at least as high as on the primary.
  local conf="$conf_dir/postgresql.conf" setting
  {
    echo "# kakaorm .ci/services.sh"
    echo "port = $REPLICA_PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "hot_standby = on"
    for setting in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
      echo "$setting = $(primary_sql "show $setting")"
    done
  } > "$conf_dir/conf.d/kakaorm-replica.conf"
  grep -q "^include_dir = 'conf.d'" "$conf" || echo "include_dir = 'conf.d'" >> "$conf"
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$conf_dir/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$conf_dir/pg_hba.conf"
  fi
  log "starting the replica"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$REPLICA_CLUSTER" start
  wait_for "replica (in recovery)" replica_in_recovery
}

ensure_pgbouncer() {
  if pgbouncer_answers; then
    local mode
    mode=$(pgbouncer_mode)
    if [[ "$mode" == "transaction" ]]; then log "PgBouncer answers on $PGBOUNCER_PORT (transaction mode)"; return 0; fi
    log "something answers on $PGBOUNCER_PORT but is not a PgBouncer in transaction mode (pool_mode '${mode:-unknown}'): stop it and run again"
    return 1
  fi
  if ! command -v pgbouncer >/dev/null 2>&1; then
    log "installing PgBouncer from Debian's packages"
    apt_install pgbouncer
    # the package's own instance (session mode, /etc/pgbouncer/pgbouncer.ini) also
    # wants 6432: stop it if the package started it
    /etc/init.d/pgbouncer stop >/dev/null 2>&1 || true
  fi
  log "$(pgbouncer --version | head -n 1)"
  install -d -o postgres -g postgres /var/run/postgresql /var/log/postgresql
  echo '"postgres" ""' > "$PGBOUNCER_USERS"
  cat > "$PGBOUNCER_INI" <<INI
; written by kakaorm .ci/services.sh: transaction pooling in front of the primary
[databases]
* = host=127.0.0.1 port=$PRIMARY_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGBOUNCER_PORT
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = $PGBOUNCER_USERS
admin_users = postgres
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
logfile = /var/log/postgresql/pgbouncer-kakaorm.log
pidfile = /var/run/postgresql/pgbouncer-kakaorm.pid
INI
  chown postgres:postgres "$PGBOUNCER_USERS" "$PGBOUNCER_INI"
  log "starting PgBouncer (transaction mode) on $PGBOUNCER_PORT"
  su postgres -s /bin/sh -c "pgbouncer -d $PGBOUNCER_INI"
  wait_for PgBouncer pgbouncer_answers
}

ensure_replica
ensure_pgbouncer
