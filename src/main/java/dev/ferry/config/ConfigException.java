package dev.ferry.config;

/**
 * A configuration that cannot be used. The message names the file, the key, the line when known,
 * and the offending value (never a secret), so that an operator can fix it without reading code.
 */
public final class ConfigException extends Exception {
    private final String key;

    public ConfigException(String message) {
        this(null, message);
    }

    public ConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The configuration key at fault, or {@code null} when the problem is not tied to one key. */
    public String key() {
        return key;
    }
}
