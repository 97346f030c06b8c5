#!/usr/bin/env bash
# Local infrastructure without Docker: Apache Kafka (KRaft, from Maven Central jars),
# PostgreSQL and Redis (Debian packages). Usage: infra.sh up|down|status [kafka|postgres|redis]
# Idempotent: 'up' twice leaves one of each running; state and logs live in $CACHE.
source "$(dirname "$0")/lib.sh"

KAFKA_HOME="$CACHE/kafka-$KAFKA_VERSION"
KAFKA_STATE="$CACHE/kafka"
PG_STATE="$CACHE/postgres"
REDIS_STATE="$CACHE/redis"
mkdir -p "$KAFKA_STATE" "$REDIS_STATE"

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# ---------------------------------------------------------------- Kafka
kafka_fetch() {
  [ -f "$KAFKA_HOME/libs/.complete" ] && return 0
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null || apt_install maven
  step "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central (once; ~40 s cold)"
  mkdir -p "$KAFKA_HOME/libs"
  cat >"$KAFKA_HOME/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>fi.silta.local</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>$SLF4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  mvn -B -q -f "$KAFKA_HOME/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" >"$CACHE/logs/kafka-fetch.log" 2>&1 \
    || die "Maven could not fetch Kafka $KAFKA_VERSION; see $CACHE/logs/kafka-fetch.log"
  touch "$KAFKA_HOME/libs/.complete"
  ok "$(ls "$KAFKA_HOME/libs" | wc -l) jars in $KAFKA_HOME/libs"
}

# The TLS listener's PKI (made once with openssl): a CA, the broker's certificate for 127.0.0.1,
# and a client certificate of that CA (a stand-in for a Strimzi KafkaUser's), all PEM.
kafka_tls_files() {
  local tls="$KAFKA_STATE/tls"
  [ -f "$tls/client.key" ] && return 0
  command -v openssl >/dev/null || apt_install openssl
  rm -rf "$tls.tmp" && mkdir -p "$tls.tmp" && (
    cd "$tls.tmp"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=silta-local-kafka-ca -keyout ca.key -out ca.crt
    for who in broker client; do
      openssl req -newkey rsa:2048 -nodes -subj "/CN=silta-local-$who" -keyout "$who.key" -out "$who.csr"
      openssl x509 -req -in "$who.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile san.ext -out "$who.crt"
    done
    cat broker.key broker.crt >broker.pem
  ) >"$CACHE/logs/kafka-tls.log" 2>&1 || die "making the Kafka TLS certificates failed; see $CACHE/logs/kafka-tls.log"
  mv "$tls.tmp" "$tls"
}

kafka_up() {
  # A broker started before the fault-drill listener existed is restarted with it.
  if pid_alive "$KAFKA_STATE/kafka.pid" && ! grep -q '^listeners=.*PROXIED://' "$KAFKA_STATE/server.properties" 2>/dev/null; then kafka_down; fi
  if pid_alive "$KAFKA_STATE/kafka.pid" && port_open "$KAFKA_PORT"; then ok "kafka already running on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  if port_open "$KAFKA_PORT"; then warn "port $KAFKA_PORT is taken by another process; using it as Kafka"; return 0; fi
  kafka_fetch
  kafka_tls_files
  local props="$KAFKA_STATE/server.properties" tls="$KAFKA_STATE/tls"
  cat >"$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SSL://127.0.0.1:$KAFKA_TLS_PORT,PROXIED://127.0.0.1:$KAFKA_PROXIED_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SSL://127.0.0.1:$KAFKA_TLS_PORT,PROXIED://127.0.0.1:$KAFKA_FAULT_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,PROXIED:PLAINTEXT
ssl.keystore.type=PEM
ssl.keystore.location=$tls/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.crt
ssl.client.auth=required
log.dirs=$KAFKA_STATE/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=24
PROPS
  local cp="$KAFKA_HOME/libs/*"
  if [ ! -f "$KAFKA_STATE/data/meta.properties" ]; then
    step "formatting Kafka KRaft storage"
    [ -f "$KAFKA_STATE/cluster-id" ] || java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1 >"$KAFKA_STATE/cluster-id"
    java -cp "$cp" kafka.tools.StorageTool format -t "$(cat "$KAFKA_STATE/cluster-id")" -c "$props" -g \
      >"$CACHE/logs/kafka-format.log" 2>&1 || die "Kafka storage format failed; see $CACHE/logs/kafka-format.log"
  fi
  step "starting Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:$KAFKA_PORT"
  # C1 only (TieredStopAtLevel=1): a fresh broker's C2 compiler otherwise takes most of its CPU
  # for minutes (measured: 15 s of C2 in a 45 s benchmark, ~2.6 ms per referral submission), on
  # machines where the broker shares two cores with the suite. Peak broker speed is not what a
  # local broker is for. KAFKA_JVM_OPTS replaces these options.
  nohup java ${KAFKA_JVM_OPTS:--Xms256m -Xmx768m -XX:+UseG1GC -XX:TieredStopAtLevel=1} -Dlog4j2.level=WARN -cp "$cp" kafka.Kafka "$props" \
    >"$CACHE/logs/kafka.log" 2>&1 </dev/null &
  echo $! >"$KAFKA_STATE/kafka.pid"
  # The port opens before the controller is elected: ready = an admin client can describe the cluster.
  wait_for "kafka" 90 node "$ROOT/scripts/kafka-ready.mjs" "127.0.0.1:$KAFKA_PORT" \
    || die "Kafka did not become ready; see $CACHE/logs/kafka.log"
}

kafka_down() {
  if pid_alive "$KAFKA_STATE/kafka.pid"; then
    step "stopping Kafka"
    local pid; pid=$(cat "$KAFKA_STATE/kafka.pid"); kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$KAFKA_STATE/kafka.pid"
}

kafka_status() {
  if port_open "$KAFKA_PORT" && node "$ROOT/scripts/kafka-ready.mjs" "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1; then
    ok "kafka      up    127.0.0.1:$KAFKA_PORT   (log $CACHE/logs/kafka.log)"
  else echo "    kafka      DOWN  127.0.0.1:$KAFKA_PORT"; return 1; fi
}

# ---------------------------------------------------------------- PostgreSQL
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }
pg_data_dir() {
  # initdb refuses root, so the cluster belongs to the 'postgres' user. If that user cannot
  # reach the repo's cache dir (a clone under a private 0700 dir), keep the cluster in /var/lib.
  local d="$PG_STATE/data"
  mkdir -p "$PG_STATE"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_STATE"
    if ! runuser -u postgres -- test -w "$PG_STATE"; then
      d="/var/lib/silta-postgres/$(printf '%s' "$ROOT" | md5sum | cut -c1-12)/data"
      mkdir -p "$(dirname "$d")"; chown postgres:postgres "$(dirname "$d")"
    fi
  fi
  echo "$d"
}
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_up() {
  apt_install postgresql-common postgresql
  local bin data; bin=$(pg_bin); data=$(pg_data_dir)
  if as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then ok "postgres already running on 127.0.0.1:$PG_PORT"; return 0; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    step "creating a PostgreSQL cluster in $data"
    mkdir -p "$data"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$CACHE/logs/postgres-initdb.log" 2>&1 \
      || die "initdb failed; see $CACHE/logs/postgres-initdb.log"
  fi
  step "starting PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
  touch "$CACHE/logs/postgres.log"; [ "$(id -u)" -eq 0 ] && chown postgres "$CACHE/logs/postgres.log"
  local log="$CACHE/logs/postgres.log"
  as_pg test -w "$log" || log="$(dirname "$data")/postgres.log"
  as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-p $PG_PORT -k $data -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${SILTA_PG_FSYNC:-on}" start >/dev/null \
    || die "PostgreSQL did not start; see $log"
  ok "postgres ready"
}

pg_down() {
  local bin data; bin=$(pg_bin); [ -n "$bin" ] || return 0; data=$(pg_data_dir)
  if [ -f "$data/postmaster.pid" ]; then step "stopping PostgreSQL"; as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true; fi
}

pg_status() {
  local bin; bin=$(pg_bin)
  if [ -n "$bin" ] && "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then ok "postgres   up    127.0.0.1:$PG_PORT   (user postgres, trust auth on loopback)"
  else echo "    postgres   DOWN  127.0.0.1:$PG_PORT"; return 1; fi
}

# ---------------------------------------------------------------- Redis
redis_up() {
  apt_install redis-server
  if redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then ok "redis already running on 127.0.0.1:$REDIS_PORT"; return 0; fi
  step "starting Redis on 127.0.0.1:$REDIS_PORT (no persistence: Redis holds only what may be lost)"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --dir "$REDIS_STATE" --pidfile "$REDIS_STATE/redis.pid" --logfile "$CACHE/logs/redis.log" \
    || die "Redis did not start; see $CACHE/logs/redis.log"
  wait_for "redis" 20 sh -c "redis-cli -p $REDIS_PORT ping | grep -q PONG" || die "Redis did not answer; see $CACHE/logs/redis.log"
}
redis_down() {
  if command -v redis-cli >/dev/null && redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    step "stopping Redis"; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
}
redis_status() {
  if command -v redis-cli >/dev/null && redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then ok "redis      up    127.0.0.1:$REDIS_PORT"
  else echo "    redis      DOWN  127.0.0.1:$REDIS_PORT"; return 1; fi
}

# ---------------------------------------------------------------- faults (make drills)
# Each injects its fault into the running server and brings it back; returns when it is ready.
fault() {
  case $1 in
    kafka-kill)
      pid_alive "$KAFKA_STATE/kafka.pid" || die "kafka is not running"
      local pid; pid=$(cat "$KAFKA_STATE/kafka.pid"); kill -9 "$pid"
      while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
      rm -f "$KAFKA_STATE/kafka.pid"; kafka_up >/dev/null ;;
    postgres-fast|postgres-immediate)
      local bin data; bin=$(pg_bin); data=$(pg_data_dir)
      as_pg "$bin/pg_ctl" -D "$data" -m "${1#postgres-}" -w stop >/dev/null; pg_up >/dev/null ;;
    redis-flush)
      redis-cli -p "$REDIS_PORT" flushall >/dev/null; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
      while redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.05; done
      redis_up >/dev/null ;;
    *) die "usage: infra.sh fault kafka-kill|postgres-fast|postgres-immediate|redis-flush" ;;
  esac
}

# ---------------------------------------------------------------- main
cmd=${1:-status}; shift || true
what=("$@"); [ ${#what[@]} -gt 0 ] || what=(postgres redis kafka)
short() { case $1 in postgres) echo pg;; *) echo "$1";; esac; }
case $cmd in
  up)     for w in "${what[@]}"; do "$(short "$w")_up"; done ;;
  down)   for w in "${what[@]}"; do "$(short "$w")_down"; done ;;
  fault)  fault "${what[0]}" ;;
  status) rc=0; for w in "${what[@]}"; do "$(short "$w")_status" || rc=1; done; exit $rc ;;
  *) die "usage: infra.sh up|down|status [kafka|postgres|redis] | fault kafka-kill|postgres-fast|postgres-immediate|redis-flush" ;;
esac
