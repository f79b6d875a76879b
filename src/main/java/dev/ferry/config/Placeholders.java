package dev.ferry.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Expands {@code ${env:NAME}} and {@code ${file:PATH}} in configuration values, innermost first, so
 * that {@code ${file:${env:CREDENTIALS_DIRECTORY}/mongo-uri}} reads a systemd credential.
 */
final class Placeholders {
    private final Function<String, String> env;

    Placeholders(Function<String, String> env) {
        this.env = env;
    }

    /** @throws IllegalArgumentException with a message that names the variable or file, never its content */
    String expand(String value) {
        String current = value;
        while (true) {
            int start = innermostStart(current);
            if (start < 0) {
                return current;
            }
            int end = current.indexOf('}', start);
            if (end < 0) {
                throw new IllegalArgumentException("unclosed placeholder '" + current.substring(start) + "'");
            }
            String body = current.substring(start + 2, end);
            current = current.substring(0, start) + resolve(body) + current.substring(end + 1);
        }
    }

    // the last "${" before the first "}" that follows it is an innermost placeholder
    private static int innermostStart(String s) {
        int first = s.indexOf("${");
        if (first < 0) {
            return -1;
        }
        int close = s.indexOf('}', first);
        if (close < 0) {
            return first;
        }
        return s.lastIndexOf("${", close);
    }

    private String resolve(String body) {
        if (body.startsWith("env:")) {
            String name = body.substring(4);
            String v = env.apply(name);
            if (v == null) {
                throw new IllegalArgumentException("environment variable " + name + " is not set");
            }
            return v;
        }
        if (body.startsWith("file:")) {
            Path path = Path.of(body.substring(5));
            try {
                String content = Files.readString(path, StandardCharsets.UTF_8);
                if (content.endsWith("\r\n")) {
                    return content.substring(0, content.length() - 2);
                }
                return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
            } catch (java.nio.file.AccessDeniedException e) {
                throw new IllegalArgumentException("cannot read file " + path + ": permission denied for user "
                        + System.getProperty("user.name"));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IllegalArgumentException("cannot read file " + path + ": no such file");
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read file " + path + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        throw new IllegalArgumentException("unknown placeholder '${" + body + "}' (use ${env:NAME} or ${file:PATH})");
    }
}
