#!/usr/bin/env bash
# The measurement of docs/insight/sensitivity.md: builds the CLI, copies the jar to a snapshot
# (rebuilding the worktree then cannot pull classes from under the running JVM) and runs the sweep.
# Usage: bench/sensitivity_sweep.sh [OUT_DIR] [extra fathom sensitivity options...]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/sensitivity-sweep}
shift || true
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA_HOME=$java_home ./mvnw -B -ntp -o -q -pl cli -am package -DskipTests
snap=$(mktemp -d /tmp/sensitivity-snap.XXXXXX)
cp cli/target/fathom-cli.jar "$snap/"
cp -r cli/target/lib "$snap/lib"
"$java_home/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xss8m \
  -cp "$snap/fathom-cli.jar:$snap/lib/*" dev.fathom.cli.Main sensitivity \
  --tasks parity,majority,sparse-parity,first --lengths 3,4,5,6,7,9,13,17 --steps 6000 --seed 1 --scratchpad --out "$out" "$@" \
  2> >(grep -v 'Using incubator modules' >&2)
