package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A ferry configuration in a temporary directory, with test-friendly timing: jobs are claimed as
 * soon as they appear, retries back off briefly, health is checked every second. Connection
 * {@code dest} points at the given server; override any key with {@link #set}.
 */
public final class FerryConf {
    private final Path dir;
    private final Map<String, String> props = new LinkedHashMap<>();

    public FerryConf(Path dir, String destUri) {
        this.dir = dir;
        props.put("spool.dir", dir.resolve("spool").toString());
        props.put("state.dir", dir.resolve("state").toString());
        props.put("source.file.allowedDirs", dir.resolve("data").toString());
        props.put("workers", "4");
        props.put("queue.settleMillis", "0");
        props.put("queue.rescanSeconds", "1");
        props.put("health.intervalSeconds", "1");
        props.put("retry.initialBackoffMillis", "50");
        props.put("retry.maxBackoffMillis", "1000");
        props.put("shutdown.timeoutSeconds", "10");
        props.put("connection.dest.uri", destUri);
        props.put("connection.dest.database", "ferrytest");
        props.put("connection.dest.serverSelectionTimeoutMS", "2000");
        props.put("connection.dest.connectTimeoutMS", "2000");
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.createDirectories(dir.resolve("conf"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public FerryConf set(String key, String value) {
        props.put(key, value);
        return this;
    }

    public FerryConf remove(String key) {
        props.remove(key);
        return this;
    }

    public Path dir() {
        return dir;
    }

    public Path spool() {
        return dir.resolve("spool");
    }

    public Path state() {
        return dir.resolve("state");
    }

    /** The allowed directory for file sources. */
    public Path data() {
        return dir.resolve("data");
    }

    /** Writes {@code conf/ferry.properties} and returns the conf directory. */
    public Path write() {
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        try {
            Files.writeString(dir.resolve("conf").resolve("ferry.properties"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir.resolve("conf");
    }
}
