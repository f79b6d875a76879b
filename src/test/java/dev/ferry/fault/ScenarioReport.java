package dev.ferry.fault;

import dev.ferry.testing.Exactness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The figures of one scenario run, as docs/reliability.md shows them. Each run also writes its row to
 * {@code target/reliability/SCENARIO.md} (the last run wins), so the table can be refreshed from a run.
 */
record ScenarioReport(String scenario, int jobs, long documents, String faults, long retries, Duration time,
                      Exactness.Report exactness, String notes, String command) {

    ScenarioReport {
        exactness.assertExact();
    }

    String row() {
        return String.format("| %s | %d | %,d | %s | %d | %.1f s | %d | %d | %s | `%s` |", scenario, jobs, documents,
                faults, retries, time.toMillis() / 1000.0, exactness.lost(), exactness.duplicated(), notes, command);
    }

    /** Records the row and returns this report; written only for runs whose destination was exact. */
    ScenarioReport record() {
        Path dir = Path.of("target", "reliability");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(scenario.replaceAll("[^A-Za-z0-9._-]", "_") + ".md"),
                    row() + "\n<!-- " + Instant.now() + ", " + exactness + " -->\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println(row());
        return this;
    }
}
