#!/usr/bin/env bash
# Starts/stops every service under services/ on this machine (`make up`), with the default
# ports of ARCHITECTURE.md, logs in $CACHE/logs/<service>.log. Usage: services.sh up|down|where
source "$(dirname "$0")/lib.sh"
STATE="$CACHE/services"; mkdir -p "$STATE"

# name grpc-port admin-port http-port(- if none), in start order: from services.json,
# the one list of services (make images, compose and the chart follow it too).
PORTS=$(node -e '
  for (const s of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).services)
    console.log([s.name, s.grpcPort ?? "-", s.adminPort, s.httpPort ?? "-"].join(" "));' "$ROOT/services.json")

# The services that exist, in the list's order (consent before the services that call it).
existing() {
  local name
  for name in $(awk '{print $1}' <<<"$PORTS"); do
    if [ -f "$ROOT/services/$name/src/main.ts" ]; then echo "$name"; fi
  done
}
ports_of() { awk -v n="$1" '$1 == n {print $2, $3, $4}' <<<"$PORTS"; }

ensure_db() {
  local db="silta_$1"
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $db" >/dev/null
  fi
}

# Local development settings shared by the services (ports are per service, above). The
# pseudonym key is a secret: made at random on first use, kept in the cache dir, never committed.
local_env() {
  local f="$CACHE/local.env"
  if [ ! -f "$f" ]; then
    umask 077
    cat >"$f" <<ENV
SILTA_AREA_CODE=13
SILTA_CONSENT_ADDRESS=127.0.0.1:50051
SILTA_PSEUDONYM_KEY=$(head -c 32 /dev/urandom | base64)
SILTA_LOG_LEVEL=info
ENV
  fi
  # Added after the first local.env files were made: appended once where missing.
  grep -q '^SILTA_MEETINGS_LINK_SECRET=' "$f" || echo "SILTA_MEETINGS_LINK_SECRET=$(head -c 32 /dev/urandom | base64)" >>"$f"
  echo "$f"
}

# Mailpit: the local SMTP server the notifications service sends to, with a web view of every
# e-mail at http://127.0.0.1:8025 (built with go install on first use).
MAILPIT_SMTP=1025
MAILPIT_WEB=8025
mailpit_up() {
  if [ -f "$STATE/mailpit.pid" ] && kill -0 "$(cat "$STATE/mailpit.pid")" 2>/dev/null; then ok "mailpit already running"; return 0; fi
  bash "$ROOT/scripts/tools.sh" mailpit
  step "starting Mailpit (SMTP 127.0.0.1:$MAILPIT_SMTP, web http://127.0.0.1:$MAILPIT_WEB)"
  nohup "$CACHE/bin/mailpit" --smtp "127.0.0.1:$MAILPIT_SMTP" --listen "127.0.0.1:$MAILPIT_WEB" \
    >>"$CACHE/logs/mailpit.log" 2>&1 </dev/null &
  echo $! >"$STATE/mailpit.pid"
  wait_for "mailpit (http://127.0.0.1:$MAILPIT_WEB/livez)" 30 curl -fsS "http://127.0.0.1:$MAILPIT_WEB/livez" || die "mailpit did not start; see $CACHE/logs/mailpit.log"
}

up() {
  local names; names=$(existing)
  [ -n "$names" ] || { ok "no services under services/ yet: only the infrastructure runs"; return 0; }
  if grep -qx notifications <<<"$names"; then mailpit_up; fi
  for s in $names; do
    read -r grpc admin http < <(ports_of "$s")
    if [ -f "$STATE/$s.pid" ] && kill -0 "$(cat "$STATE/$s.pid")" 2>/dev/null; then ok "$s already running"; continue; fi
    ensure_db "$s"
    step "starting $s"
    (
      cd "$ROOT/services/$s"
      export SILTA_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/silta_$s"
      export SILTA_KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" SILTA_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
      set -a; source "$(local_env)"; set +a
      export SILTA_GRPC_PORT="$grpc" SILTA_ADMIN_PORT="$admin" OTEL_SERVICE_NAME="silta-$s" SILTA_BIND_ADDRESS=127.0.0.1
      # Identity proofs between the services: development keys made once in the cache dir.
      node "$ROOT/services/gateway/scripts/dev-identity.ts" "$CACHE/identity" "$SILTA_AREA_CODE"
      export SILTA_IDENTITY_TRUST_FILE="$CACHE/identity/trusted-signers.json"
      if [ -f "$CACHE/identity/$s.signing-key.json" ]; then export SILTA_IDENTITY_SIGNING_KEY_FILE="$CACHE/identity/$s.signing-key.json"; fi
      if [ "$s" = gateway ]; then
        # The local gateway trusts the development key that `make token` signs with.
        node scripts/token.ts --dir "$CACHE/dev-jwt" >/dev/null
        export SILTA_HTTP_PORT="$http" SILTA_JWKS_FILE="$CACHE/dev-jwt/jwks.json" SILTA_JWT_ISSUER=silta-dev SILTA_JWT_AUDIENCE=silta \
          SILTA_REFERRALS_ADDRESS=127.0.0.1:50052 SILTA_CONSULTATIONS_ADDRESS=127.0.0.1:50053 \
          SILTA_MEETINGS_ADDRESS=127.0.0.1:50054 SILTA_NOTIFICATIONS_ADDRESS=127.0.0.1:50055
      fi
      if [ "$s" = notifications ]; then
        # Development: e-mail to the local Mailpit, webhooks to loopback allowed, links to the local gateway.
        export SILTA_SMTP_HOST=127.0.0.1 SILTA_SMTP_PORT="$MAILPIT_SMTP" SILTA_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS=true \
          SILTA_NOTIFICATIONS_LINK_BASE=http://127.0.0.1:8080
      fi
      # Appended, not truncated: a restart keeps what the last run logged.
      nohup node --import @silta/platform/telemetry-start src/main.ts >>"$CACHE/logs/$s.log" 2>&1 </dev/null &
      echo $! >"$STATE/$s.pid"
    )
    wait_for "$s (http://127.0.0.1:$admin/readyz)" 60 curl -fsS "http://127.0.0.1:$admin/readyz" \
      || die "$s did not become ready; see $CACHE/logs/$s.log"
  done
}

down() {
  for f in "$STATE"/*.pid; do
    [ -f "$f" ] || continue
    local pid; pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then step "stopping $(basename "$f" .pid)"; kill "$pid"; for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done; fi
    rm -f "$f"
  done
}

where() {
  echo
  echo "${B}Silta is up.${N} Where to look:"
  bash "$ROOT/scripts/infra.sh" status || true
  for s in $(existing); do
    read -r grpc admin http < <(ports_of "$s")
    printf '    %-14s' "$s"
    [ "$http" != "-" ] && printf 'API http://127.0.0.1:%s (docs /docs)  ' "$http"
    [ "$grpc" != "-" ] && printf 'gRPC 127.0.0.1:%s  ' "$grpc"
    printf 'admin http://127.0.0.1:%s/{healthz,readyz,metrics}  log %s\n' "$admin" "$CACHE/logs/$s.log"
  done
  if [ -f "$ROOT/services/gateway/src/main.ts" ]; then
    echo "    try the API: TOKEN=\$(make -s token ROLE=teacher ORG=kuopio-school-12 TYPE=municipality MUNICIPALITY=297)"
    echo "                 curl -H \"Authorization: Bearer \$TOKEN\" http://127.0.0.1:8080/v1/referral-statuses/LS-13-2026-000001"
  fi
  if [ -f "$STATE/mailpit.pid" ]; then echo "    e-mails:     http://127.0.0.1:$MAILPIT_WEB (Mailpit: every e-mail the notifications service sent)"; fi
  echo "    logs:        $CACHE/logs/"
  echo "    stop:        make down"
}

case ${1:-} in
  up) up ;; down) down ;; where) where ;;
  *) die "usage: services.sh up|down|where" ;;
esac
