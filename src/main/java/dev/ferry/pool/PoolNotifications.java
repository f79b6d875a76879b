package dev.ferry.pool;

import dev.ferry.jmx.Events;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.ObjectName;

/**
 * The notifications of {@code dev.ferry:type=Pools}: {@value #DOWN}, {@value #UP} and {@value #RESET},
 * each with user data {@code {connection, state, message}} (all strings).
 */
public final class PoolNotifications extends Events implements PoolEvents {
    public static final String DOWN = "ferry.pool.down";
    public static final String UP = "ferry.pool.up";
    public static final String RESET = "ferry.pool.reset";

    public PoolNotifications(ObjectName source, Clock clock) {
        super(source, clock, "ferry.pool.event", fields(),
                info(DOWN, "a connection's health checks failed health.failuresBeforeReconnect times in a row:"
                        + " its jobs wait (WAITING_FOR_DESTINATION) and its client is replaced until a ping passes"),
                info(UP, "a connection that was DOWN answered a health check again; its jobs go on"),
                info(RESET, "an operator reset a connection (ferry ctl reset, reset-all, Pool.reset):"
                        + " new work uses a fresh client, work in flight finishes on the old one"));
    }

    private static Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("connection", "the connection's name, as in connection.NAME.uri");
        fields.put("state", "the pool's state after the event: OPEN, DOWN, CLOSED or DRAINING");
        fields.put("message", "what happened, in words");
        return fields;
    }

    @Override
    public void down(String connection, int failures, String lastError) {
        send(DOWN, connection + ": DOWN after " + failures + " failed health checks: " + lastError,
                Map.of("connection", connection, "state", PoolState.DOWN.name(), "message", lastError));
    }

    @Override
    public void up(String connection, int failedChecks) {
        String message = "healthy again after " + failedChecks + " failed health checks";
        send(UP, connection + ": " + message,
                Map.of("connection", connection, "state", PoolState.OPEN.name(), "message", message));
    }

    @Override
    public void reset(String connection, long client) {
        String message = client == 0 ? "reset; no client was open, the next lease opens one"
                : "reset; new work uses client #" + client + ", work in flight finishes on the old one";
        send(RESET, connection + ": " + message, Map.of("connection", connection,
                "state", client == 0 ? PoolState.CLOSED.name() : PoolState.OPEN.name(), "message", message));
    }
}
