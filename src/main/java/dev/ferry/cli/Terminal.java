package dev.ferry.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code ferry status} draws on: whether stdout is a terminal, how wide it is ({@code COLUMNS},
 * else {@code stty size}, else 80), and whether colour may be used (a terminal, and {@code NO_COLOR}
 * unset, as https://no-color.org asks).
 */
record Terminal(boolean interactive, int width, boolean colour) {

    static Terminal detect(Map<String, String> env) {
        // System.console() is null unless stdin and stdout are both terminals: redirected, ferry prints plain text
        boolean interactive = System.console() != null;
        int width = columns(env.get("COLUMNS")).orElseGet(() -> interactive ? sttyWidth() : ProgressLines.DEFAULT_WIDTH);
        return new Terminal(interactive, width, interactive && env.get("NO_COLOR") == null);
    }

    private static java.util.Optional<Integer> columns(String value) {
        try {
            int n = value == null ? 0 : Integer.parseInt(value.trim());
            return n >= 20 && n <= 1000 ? java.util.Optional.of(n) : java.util.Optional.empty();
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
    }

    /** {@code stty size} on the controlling terminal: "ROWS COLUMNS"; 80 wherever that fails. */
    private static int sttyWidth() {
        try {
            Process stty = new ProcessBuilder("stty", "size")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/tty")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!stty.waitFor(2, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return ProgressLines.DEFAULT_WIDTH;
            }
            String[] size = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            return size.length == 2 ? columns(size[1]).orElse(ProgressLines.DEFAULT_WIDTH) : ProgressLines.DEFAULT_WIDTH;
        } catch (IOException | RuntimeException e) {
            return ProgressLines.DEFAULT_WIDTH;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProgressLines.DEFAULT_WIDTH;
        }
    }
}
