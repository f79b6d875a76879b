package dev.ferry.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every setting of ferry.properties (contract §3), validated once by {@link ConfigLoader}. Immutable:
 * a running daemon never changes its settings; a new configuration means a restart.
 */
public record FerrySettings(
        Path confDir,
        Path spoolDir,
        Path stateDir,
        int workers,
        int chunkSize,
        Duration queueSettle,
        Duration queueRescan,
        Duration healthInterval,
        int healthFailuresBeforeReconnect,
        Duration poolIdleTimeout,
        Duration poolReapInterval,
        int retryMaxAttempts,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        Duration shutdownTimeout,
        List<Path> sourceFileAllowedDirs,
        Optional<Integer> jmxPort,
        Map<String, ConnectionSettings> connections) {

    public FerrySettings {
        Objects.requireNonNull(spoolDir, "spoolDir");
        Objects.requireNonNull(stateDir, "stateDir");
        sourceFileAllowedDirs = List.copyOf(sourceFileAllowedDirs);
        connections = Collections.unmodifiableMap(new LinkedHashMap<>(connections));
        Objects.requireNonNull(jmxPort, "jmxPort");
    }

    public Optional<ConnectionSettings> connection(String name) {
        return Optional.ofNullable(connections.get(name));
    }

    /** Every password-bearing value, so that output can be scrubbed of them (see {@link Redaction#text}). */
    public List<String> secrets() {
        return connections.values().stream()
                .map(c -> c.uri())
                .map(FerrySettings::passwordOf)
                .flatMap(Optional::stream)
                .toList();
    }

    private static Optional<String> passwordOf(String uri) {
        int scheme = uri.indexOf("://");
        int at = uri.indexOf('@', Math.max(scheme, 0));
        if (scheme < 0 || at < 0) {
            return Optional.empty();
        }
        String userInfo = uri.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(userInfo.substring(colon + 1));
    }

    public Path incomingDir() {
        return spoolDir.resolve("incoming");
    }
}
