#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, combined broker+controller) for local
# development and CI -- no Docker, no tarball download: the broker and its
# runtime dependencies are resolved from Maven Central with `mvn`.
#
# Usage: scripts/kafka.sh [start|stop|status|fetch]     (default: start)
#
#   fetch   resolve the pinned Kafka jars into the cache (skipped if complete)
#   start   fetch, write config, format storage once, start the broker in the
#           background and wait until it answers; no-op if already running
#   stop    stop the broker started by `start` (SIGTERM, then SIGKILL)
#   status  exit 0 if the broker is running and its port answers
#
# Environment (all optional):
#   LTCI_CACHE                  cache root            (default ~/.cache/ltci)
#   LTCI_KAFKA_DIR              data/log/pid dir      (default $LTCI_CACHE/kafka-data)
#   LTCI_KAFKA_PORT             client listener port  (default 9092)
#   LTCI_KAFKA_CONTROLLER_PORT  KRaft controller port (default 9093)
#   LTCI_KAFKA_START_TIMEOUT    seconds to wait for readiness (default 90)
#   JAVA                        java binary           (default: java on PATH)
#   MVN                         maven binary          (default: mvn on PATH)
set -euo pipefail

# --- pinned versions ---------------------------------------------------------
KAFKA_VERSION="3.9.2"          # org.apache.kafka:kafka_2.13 (3.9.1 also works)
SCALA_BINARY="2.13"
SLF4J_VERSION="1.7.36"         # what the Kafka 3.9 distribution ships
RELOAD4J_VERSION="1.2.25"      # log4j 1.x drop-in used by the Kafka 3.9 distribution
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.6.1"

# --- paths and settings ------------------------------------------------------
CACHE_ROOT="${LTCI_CACHE:-$HOME/.cache/ltci}"
KAFKA_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"
FETCH_MARKER="$LIBS/.fetch-complete"

DATA_DIR="${LTCI_KAFKA_DIR:-$CACHE_ROOT/kafka-data}"
HOST="127.0.0.1"
PORT="${LTCI_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${LTCI_KAFKA_CONTROLLER_PORT:-9093}"
START_TIMEOUT="${LTCI_KAFKA_START_TIMEOUT:-90}"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"

CONFIG="$DATA_DIR/server.properties"
LOG4J_CONFIG="$DATA_DIR/log4j.properties"
TOOLS_LOG4J_CONFIG="$DATA_DIR/tools-log4j.properties"
ADMIN_CONFIG="$DATA_DIR/admin.properties"
CLUSTER_ID_FILE="$DATA_DIR/cluster.id"
LOG_DIRS="$DATA_DIR/data"          # Kafka's partition data (log.dirs)
APP_LOG_DIR="$DATA_DIR/logs"       # log4j output (server.log, ...)
STDOUT_LOG="$DATA_DIR/kafka.out"   # JVM stdout/stderr
PID_FILE="$DATA_DIR/kafka.pid"

log() { echo "[kafka] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Is something accepting TCP connections on $HOST:$1?
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Print the pid of our broker if it is alive (and really is a Kafka broker).
running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid
    pid="$(<"$PID_FILE")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # Guard against pid reuse: the process must be our kafka.Kafka JVM.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $CONFIG" || return 1
    echo "$pid"
}

# Run a Kafka command-line class with the cached jars (quiet logging).
kafka_tool() {
    "$JAVA" -Xmx256m -Dlog4j.configuration="file:$TOOLS_LOG4J_CONFIG" \
        -cp "$LIBS/*" "$@"
}

# Serialise start/stop of the same data dir across concurrent invocations.
lock_data_dir() {
    mkdir -p "$DATA_DIR"
    exec 9>"$DATA_DIR/.lock"
    flock 9
}

# Is the class file $2 (e.g. kafka/Kafka.class) in one of the jars in dir $1?
jars_have_class() {
    local jar
    for jar in "$1"/*.jar; do
        unzip -l "$jar" "$2" >/dev/null 2>&1 && return 0
    done
    return 1
}

# --- fetch -------------------------------------------------------------------
cmd_fetch() {
    if [[ -f "$FETCH_MARKER" ]]; then
        [[ "${1:-}" == "--quiet" ]] || log "jars for Kafka $KAFKA_VERSION already cached in $LIBS"
        return 0
    fi
    command -v "$MVN" >/dev/null || die "maven ($MVN) not found on PATH"
    command -v unzip >/dev/null || die "unzip not found on PATH (apt-get install unzip)"
    mkdir -p "$KAFKA_HOME"
    exec 8>"$KAFKA_HOME/.fetch.lock"
    flock 8
    if [[ -f "$FETCH_MARKER" ]]; then     # another process fetched meanwhile
        exec 8>&-
        return 0
    fi

    log "resolving org.apache.kafka:kafka_$SCALA_BINARY:$KAFKA_VERSION from Maven Central ..."
    # A throwaway pom whose runtime classpath is exactly what the broker needs:
    #  - kafka_2.13: the broker (kafka.Kafka, kafka.tools.StorageTool) and,
    #    transitively, kafka-server/-storage/-metadata/-raft/-group-coordinator...
    #  - kafka-tools: org.apache.kafka.tools.TopicCommand (readiness probe) and
    #    the console consumer; Kafka Connect (Jetty, Jersey...) is excluded.
    #  - slf4j-reload4j + reload4j: a logging backend so the broker logs.
    cat >"$KAFKA_HOME/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/kafka.sh; only used to resolve the broker's jars. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>ltci.local</groupId>
  <artifactId>kafka-broker-libs</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_$SCALA_BINARY</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$KAFKA_VERSION</version>
      <exclusions>
        <exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion>
        <exclusion><groupId>com.fasterxml.jackson.jaxrs</groupId><artifactId>jackson-jaxrs-json-provider</artifactId></exclusion>
      </exclusions>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>ch.qos.reload4j</groupId>
      <artifactId>reload4j</artifactId>
      <version>$RELOAD4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
    # Copy into a temporary folder and rename at the end, so an interrupted
    # fetch never leaves a half-filled libs/ behind.
    local tmp="$KAFKA_HOME/libs.tmp.$$"
    rm -rf "$tmp"
    if ! "$MVN" -B -Dstyle.color=never -f "$KAFKA_HOME/pom.xml" \
            "$DEPENDENCY_PLUGIN:copy-dependencies" \
            -DincludeScope=runtime -DoutputDirectory="$tmp" >"$KAFKA_HOME/fetch.log" 2>&1; then
        grep -E 'ERROR|FAIL' "$KAFKA_HOME/fetch.log" | head -n 20 >&2 || true
        rm -rf "$tmp"
        die "maven could not resolve Kafka $KAFKA_VERSION (see $KAFKA_HOME/fetch.log)"
    fi

    # Sanity check: the classes this script runs must be on the classpath.
    local cls
    for cls in kafka/Kafka.class kafka/tools/StorageTool.class \
               org/apache/kafka/tools/TopicCommand.class \
               org/apache/log4j/Logger.class org/slf4j/impl/StaticLoggerBinder.class; do
        jars_have_class "$tmp" "$cls" \
            || { rm -rf "$tmp"; die "class $cls missing from the resolved jars"; }
    done

    rm -rf "$LIBS"
    mv "$tmp" "$LIBS"
    date -u +%FT%TZ >"$FETCH_MARKER"
    exec 8>&-                              # release the fetch lock
    log "cached $(find "$LIBS" -name "*.jar" | wc -l) jars ($(du -sh "$LIBS" | cut -f1)) in $LIBS"
}

# --- configuration -----------------------------------------------------------
write_config() {
    mkdir -p "$LOG_DIRS" "$APP_LOG_DIR"
    # Regenerated on every start so that port overrides take effect.
    cat >"$CONFIG" <<EOF
# Generated by scripts/kafka.sh -- single-node KRaft (combined mode) for dev/CI.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOG_DIRS

# Single node: every internal topic has exactly one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
default.replication.factor=1
# Fewer internal partitions than the default 50: faster first group join.
offsets.topic.num.partitions=10
transaction.state.log.num.partitions=10

num.partitions=3
auto.create.topics.enable=true
delete.topic.enable=true
group.initial.rebalance.delay.ms=0

# Keep a dev box's disk usage small.
log.retention.hours=24
log.segment.bytes=104857600
EOF

    cat >"$LOG4J_CONFIG" <<'EOF'
# Broker logging: INFO and up to ${kafka.logs.dir}/server.log, WARN to stdout.
log4j.rootLogger=INFO, file, stdout

log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.Threshold=WARN
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n

log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=3
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n

# Chatty loggers.
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF

    cat >"$TOOLS_LOG4J_CONFIG" <<'EOF'
# Command-line tools: warnings only, to stderr.
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF

    # Short client timeouts for the readiness probe.
    cat >"$ADMIN_CONFIG" <<'EOF'
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

# Format the KRaft storage once (meta.properties marks a formatted log dir).
format_storage() {
    [[ -f "$LOG_DIRS/meta.properties" ]] && return 0
    if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
        kafka_tool kafka.tools.StorageTool random-uuid >"$CLUSTER_ID_FILE"
    fi
    log "formatting storage in $LOG_DIRS (cluster id $(<"$CLUSTER_ID_FILE"))"
    kafka_tool kafka.tools.StorageTool format --ignore-formatted \
        -t "$(<"$CLUSTER_ID_FILE")" -c "$CONFIG" >/dev/null
}

# Does the broker serve metadata requests? (a real Kafka API round trip)
broker_answers() {
    port_open "$PORT" || return 1
    timeout 30 "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 \
        -Dlog4j.configuration="file:$TOOLS_LOG4J_CONFIG" -cp "$LIBS/*" \
        org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$PORT" \
        --command-config "$ADMIN_CONFIG" --list >/dev/null 2>&1
}

wait_until_ready() {
    local pid="$1" deadline=$((SECONDS + START_TIMEOUT))
    while ((SECONDS < deadline)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            log "broker process $pid exited during startup; last log lines:"
            tail -n 40 "$STDOUT_LOG" "$APP_LOG_DIR/server.log" >&2 2>/dev/null || true
            rm -f "$PID_FILE"
            exit 1
        fi
        broker_answers && return 0
        sleep 1
    done
    log "broker did not become ready within ${START_TIMEOUT}s; last log lines:"
    tail -n 40 "$STDOUT_LOG" "$APP_LOG_DIR/server.log" >&2 2>/dev/null || true
    log "the broker (pid $pid) is still running; '$0 stop' stops it"
    exit 1
}

# --- commands ----------------------------------------------------------------
cmd_start() {
    command -v "$JAVA" >/dev/null || die "java ($JAVA) not found on PATH"
    cmd_fetch --quiet
    lock_data_dir

    local pid
    if pid="$(running_pid)"; then
        # Already started (possibly still starting up): just wait for it.
        if ! broker_answers; then
            log "broker (pid $pid) is starting, waiting ..."
            wait_until_ready "$pid"
        fi
        echo "kafka ready on $HOST:$PORT (already running, pid $pid)"
        return 0
    fi
    rm -f "$PID_FILE"

    local p
    for p in "$PORT" "$CONTROLLER_PORT"; do
        port_open "$p" && die "port $p is already in use by another process" \
            "(set LTCI_KAFKA_PORT / LTCI_KAFKA_CONTROLLER_PORT)"
    done

    write_config
    format_storage

    log "starting Kafka $KAFKA_VERSION (logs: $APP_LOG_DIR/server.log)"
    local started=$SECONDS
    # setsid: the broker must survive the shell (and its process group) that
    # started it; fds 8/9 (locks) must not be inherited by the daemon.
    nohup setsid "$JAVA" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Djava.awt.headless=true \
        -Dlog4j.configuration="file:$LOG4J_CONFIG" \
        -Dkafka.logs.dir="$APP_LOG_DIR" \
        -cp "$LIBS/*" kafka.Kafka "$CONFIG" \
        >"$STDOUT_LOG" 2>&1 </dev/null 8>&- 9>&- &
    pid=$!
    echo "$pid" >"$PID_FILE"

    wait_until_ready "$pid"
    echo "kafka ready on $HOST:$PORT (pid $pid, started in $((SECONDS - started))s)"
}

cmd_stop() {
    lock_data_dir
    local pid
    if ! pid="$(running_pid)"; then
        rm -f "$PID_FILE"
        log "not running"
        return 0
    fi
    log "stopping broker (pid $pid) ..."
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 60; i++)); do          # controlled shutdown: up to 30s
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "broker did not stop in 30s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    fi
    rm -f "$PID_FILE"
    log "stopped"
}

cmd_status() {
    local pid
    if pid="$(running_pid)" && port_open "$PORT"; then
        echo "kafka running on $HOST:$PORT (pid $pid)"
        return 0
    fi
    echo "kafka not running"
    return 1
}

case "${1:-start}" in
    start)  cmd_start ;;
    stop)   cmd_stop ;;
    status) cmd_status ;;
    fetch)  cmd_fetch ;;
    *)      echo "usage: $0 [start|stop|status|fetch]" >&2; exit 2 ;;
esac
