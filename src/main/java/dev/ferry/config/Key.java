package dev.ferry.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One configuration key: its name, type, default, bounds and the description docs/configuration.md's
 * configuration reference shows. {@link #parse} turns the text of a value into {@code T} or says, in
 * the words an operator reads, why it cannot ({@link IllegalArgumentException}; the loader adds file,
 * line and key). {@link ConfigKeys} holds the table.
 *
 * @param readmeDefault the default as docs/configuration.md shows it ({@code empty} for none)
 */
public record Key<T>(String name, Type type, String readmeDefault, long min, long max, String description,
        Parser<T> parser, T defaultValue) {

    /** How a value is written, for the reference table of docs/configuration.md. */
    public enum Type { INT, LONG, MILLIS, SECONDS, BOOLEAN, PATH, PATHS, PORT, TEXT, SECRET }

    @FunctionalInterface
    interface Parser<T> {
        T parse(String trimmed, Key<T> key);
    }

    /** {@code T} for a present, non-blank value, the default otherwise. */
    public T parse(Optional<String> value) {
        if (value.isEmpty() || value.get().isBlank()) {
            return defaultValue;
        }
        return parser.parse(value.get().trim(), this);
    }

    // ---- the kinds of key ----

    static Key<Integer> integer(String name, int dflt, int min, int max, String description) {
        return new Key<>(name, Type.INT, Integer.toString(dflt), min, max, description,
                (v, k) -> (int) k.whole(v), dflt);
    }

    static Key<Long> whole(String name, long dflt, long min, String description) {
        return new Key<>(name, Type.LONG, Long.toString(dflt), min, Long.MAX_VALUE, description, (v, k) -> k.whole(v),
                dflt);
    }

    static Key<Duration> millis(String name, long dflt, long min, String description) {
        return new Key<>(name, Type.MILLIS, Long.toString(dflt), min, Long.MAX_VALUE, description,
                (v, k) -> Duration.ofMillis(k.whole(v)), Duration.ofMillis(dflt));
    }

    static Key<Duration> seconds(String name, long dflt, long min, String description) {
        return new Key<>(name, Type.SECONDS, Long.toString(dflt), min, Long.MAX_VALUE, description,
                (v, k) -> Duration.ofSeconds(k.whole(v)), Duration.ofSeconds(dflt));
    }

    static Key<Boolean> bool(String name, boolean dflt, String description) {
        return new Key<>(name, Type.BOOLEAN, Boolean.toString(dflt), 0, 0, description, (v, k) -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false, was '" + v + "'");
        }, dflt);
    }

    /** Relative paths resolve against the working directory. */
    static Key<Path> path(String name, String dflt, String description) {
        return new Key<>(name, Type.PATH, dflt, 0, 0, description, (v, k) -> absolute(v), absolute(dflt));
    }

    static Key<List<Path>> paths(String name, String dflt, String description) {
        return new Key<>(name, Type.PATHS, dflt, 0, 0, description, (v, k) -> pathList(v), pathList(dflt));
    }

    static Key<Optional<Integer>> port(String name, String description) {
        return new Key<>(name, Type.PORT, "empty", 1, 65535, description, (v, k) -> {
            long port;
            try {
                port = Long.parseLong(v);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < k.min() || port > k.max()) {
                throw new IllegalArgumentException("must be a TCP port between 1 and 65535 or empty, was '" + v + "'");
            }
            return Optional.of((int) port);
        }, Optional.empty());
    }

    static Key<Optional<String>> text(String name, String description) {
        return new Key<>(name, Type.TEXT, "empty", 0, 0, description, (v, k) -> Optional.of(v), Optional.empty());
    }

    /** A value never shown: a password, usually given as {@code ${file:...}}. */
    static Key<Optional<String>> secret(String name, String description) {
        return new Key<>(name, Type.SECRET, "empty", 0, 0, description, (v, k) -> Optional.of(v), Optional.empty());
    }

    static Key<Optional<Path>> optionalPath(String name, String description) {
        return new Key<>(name, Type.PATH, "empty", 0, 0, description, (v, k) -> Optional.of(absolute(v)),
                Optional.empty());
    }

    // ---- shared parsing with the messages docs/configuration.md shows ----

    long whole(String v) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number, was '" + v + "'");
        }
        if (n < min || n > max) {
            if (max == Integer.MAX_VALUE && n > max) {
                throw new IllegalArgumentException("is too large, was '" + v + "'");
            }
            if (max != Integer.MAX_VALUE && max != Long.MAX_VALUE) {
                throw new IllegalArgumentException("must be between " + min + " and " + max + ", was '" + v + "'");
            }
            throw new IllegalArgumentException((min == 0 ? "must not be negative" : "must be at least " + min)
                    + ", was '" + v + "'");
        }
        return n;
    }

    private static Path absolute(String v) {
        return Path.of(v).toAbsolutePath().normalize();
    }

    private static List<Path> pathList(String v) {
        List<Path> dirs = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                dirs.add(absolute(part.trim()));
            }
        }
        return List.copyOf(dirs);
    }
}
