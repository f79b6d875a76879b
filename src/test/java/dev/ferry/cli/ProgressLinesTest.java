package dev.ferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code ferry status} draws for running jobs, at fixed widths, on a terminal and off one. */
class ProgressLinesTest {
    private static final List<JobProgress> JOBS = List.of(
            new JobProgress("people-2026-11-26", "RUNNING", 42_000, 0.42, 1234.5, 185),
            new JobProgress("orders", "WAITING_FOR_DESTINATION", 10, -1, 0, -1),
            new JobProgress("done-soon", "RETRYING", 99_900, 0.999, 12, 8));

    @Test
    void eightyColumnsWithoutATerminalArePlainAndExactlyWide() {
        List<String> lines = ProgressLines.render(JOBS, 80, false);
        assertEquals(List.of(
                "people-2026-11-26  RUNNING    [########------------]   42.0%    1.2k/s ETA 3m05s",
                "orders             WAIT-DEST  [         ?          ]      --       0/s    ETA --",
                "done-soon          RETRYING   [###################-]   99.9%      12/s    ETA 8s"),
                lines);
        lines.forEach(l -> assertEquals(80, l.length(), l));
    }

    @Test
    void aNarrowTerminalDropsTheBarRatherThanWrap() {
        List<String> lines = ProgressLines.render(JOBS, 60, false);
        assertEquals("people-2026-11-26  RUNNING     42.0%    1.2k/s ETA 3m05s", lines.get(0));
        lines.forEach(l -> assertTrue(l.length() <= 60, l));
    }

    @Test
    void aWideTerminalGetsAWiderBar() {
        String line = ProgressLines.render(JOBS.subList(0, 1), 120, false).get(0);
        assertEquals(120, line.length(), line);
        // 120 less id 17, state 7, figures 26, brackets and the spaces between the columns
        String bar = line.substring(line.indexOf('[') + 1, line.indexOf(']'));
        assertEquals(62, bar.length(), line);
        assertEquals(26, bar.chars().filter(c -> c == '#').count(), "42 % of 62, rounded down");
    }

    @Test
    void colourOnATerminalKeepsTheVisibleTextTheSame() {
        List<String> plain = ProgressLines.render(JOBS, 100, false);
        List<String> coloured = ProgressLines.render(JOBS, 100, true);
        assertTrue(coloured.get(0).contains("\u001b[32mRUNNING"), coloured.get(0));
        assertTrue(coloured.get(1).contains("\u001b[33mWAIT-DEST"), coloured.get(1));
        for (int i = 0; i < plain.size(); i++) {
            assertEquals(plain.get(i), coloured.get(i).replaceAll("\u001b\\[[0-9;]*m", ""));
            assertTrue(!plain.get(i).contains("\u001b"), "no escape without colour");
        }
    }

    @Test
    void noJobSaysSo() {
        assertEquals(List.of("no job running"), ProgressLines.render(List.of(), 80, true));
    }

    @Test
    void figuresAreShortAndReadable() {
        assertEquals("--", ProgressLines.eta(-1));
        assertEquals("59s", ProgressLines.eta(59));
        assertEquals("1m00s", ProgressLines.eta(60));
        assertEquals("2h03m", ProgressLines.eta(2 * 3600 + 3 * 60 + 9));
        assertEquals(">99h", ProgressLines.eta(100 * 3600));
        assertEquals("999/s", ProgressLines.rate(999));
        assertEquals("2.5M/s", ProgressLines.rate(2_500_000));
        assertEquals("100.0%", ProgressLines.percent(1.0));
    }

    @Test
    void aDaemonWithLanesShowsEachJobsChunksInFlightOfItsLanes() {
        List<String> lines = ProgressLines.render(List.of(
                new JobProgress("big", "RUNNING", 42_000, 0.42, 1234.5, 185, 7, 8),
                new JobProgress("f", "FOLLOWING", 10, 1.0, 0, -1, 0, 16)), 80, false);
        lines.forEach(l -> assertEquals(80, l.length(), l));
        assertEquals("big  RUNNING    7/8   [", lines.get(0).substring(0, 23));
        assertEquals("f    FOLLOWING  0/16  [", lines.get(1).substring(0, 23));
    }

    @Test
    void aJobComparingSourceAndDestinationShowsTheComparisonsOwnBar() {
        JobProgress verifying = JobProgress.of("check", java.util.Map.of("State", "RUNNING", "Progress", 1.0,
                "DocumentsPerSecond", 5000.0, "Verified", "SOURCE 2500 compared, 0 missing, 0 extra, 1 different",
                "VerifyProgress", 0.25, "ChunksInFlight", 3, "Lanes", 8));
        List<String> lines = ProgressLines.render(List.of(verifying), 80, false);
        assertEquals("check  VERIFY-SRC  3/8  [", lines.get(0).substring(0, 25), lines.get(0));
        assertTrue(lines.get(0).endsWith(" 25.0%      --/s    ETA --"), lines.get(0));
        assertEquals("RUNNING", JobProgress.of("copy", java.util.Map.of("State", "RUNNING", "Verified", "PENDING"))
                .state(), "a job that will compare later is copying now");
    }
}
