#!/bin/sh
# Prints a docker/.env with fresh random credentials for docker/compose.yaml:
#   cd docker && ./gen-env.sh > .env
# .env is git-ignored; the compose file refuses to start without these three values.
set -eu
rand() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
echo "API_KEYS=$(rand 24):admin"
echo "AWS_ACCESS_KEY_ID=ezlive$(rand 6)"
echo "AWS_SECRET_ACCESS_KEY=$(rand 24)"
echo "# Host name publishers and players use to reach this machine"
echo "EZLIVE_PUBLIC_HOST=localhost"
