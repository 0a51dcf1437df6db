#!/bin/sh
# One image, every role: the first argument picks what this container runs.
#   web [serve options]  HTTP only; workers and the scheduler run as their own containers
#   worker [options]     one background worker (any number of them)
#   scheduler            periodic jobs (run one; a second one waits as a hot standby)
#   migrate              apply migrations (the Kubernetes Job / compose one-off before a rollout)
#   wait-for-migrations  wait until the database has every migration this image expects
#                        (MIGRATION_WAIT_SECONDS, default 600; the web pods' init container)
#   release              migrate, then `check --deploy` (fails the rollout on a bad setting)
#   sh|bash ...          a shell in the image, for debugging
#   anything else        an `innkeeper` command, e.g. `smoke`, `health check`, `maintenance down`
set -eu

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "${role}" in
  web)
    exec innkeeper serve --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" \
      --no-worker --no-scheduler "$@"
    ;;
  worker)
    exec innkeeper worker "$@"
    ;;
  scheduler)
    exec innkeeper scheduler "$@"
    ;;
  migrate)
    exec innkeeper migrate --no-input "$@"
    ;;
  wait-for-migrations)
    waited=0
    # Exit 1 from `migrations status` means pending migrations or no database yet: wait.
    until innkeeper migrations status >/dev/null 2>&1; do
      if [ "${waited}" -ge "${MIGRATION_WAIT_SECONDS:-600}" ]; then
        echo "docker-entrypoint: migrations still pending after ${waited} s:" >&2
        innkeeper migrations status >&2 || true
        exit 1
      fi
      sleep 2
      waited=$((waited + 2))
    done
    echo "docker-entrypoint: migrations applied"
    ;;
  release)
    innkeeper migrate --no-input
    exec innkeeper check --deploy --fail-level WARNING "$@"
    ;;
  sh|bash)
    exec "${role}" "$@"
    ;;
  -*)
    echo "docker-entrypoint: '${role}' is an option, not a role;" \
      "use: web|worker|scheduler|migrate|wait-for-migrations|release|<innkeeper command>" >&2
    exit 64
    ;;
  *)
    exec innkeeper "${role}" "$@"
    ;;
esac
