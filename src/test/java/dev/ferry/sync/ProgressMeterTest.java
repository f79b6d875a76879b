package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Speed and time left from samples, on a clock the test moves by hand. */
class ProgressMeterTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));

    @Test
    void steadyChunksGiveTheirRateAndTheTimeLeft() {
        RunningJob.ProgressMeter meter = new RunningJob.ProgressMeter(clock, 0, 0.0);
        for (int second = 1; second <= 20; second++) {
            clock.advance(Duration.ofSeconds(1));
            meter.record(second * 100L, second / 100.0); // 100 documents and 1 % a second
        }
        assertEquals(100.0, meter.documentsPerSecond(), 1e-9);
        assertEquals(0.20, meter.fraction(), 1e-9);
        assertEquals(80, meter.etaSeconds());
    }

    @Test
    void theRateFollowsTheLastTenSecondsNotTheWholeJob() {
        RunningJob.ProgressMeter meter = new RunningJob.ProgressMeter(clock, 0, 0.0);
        for (int second = 1; second <= 30; second++) {
            clock.advance(Duration.ofSeconds(1));
            meter.record(second * 10L, second / 1000.0);
        }
        long at30 = 300;
        for (int second = 31; second <= 45; second++) { // ten times faster now
            clock.advance(Duration.ofSeconds(1));
            meter.record(at30 + (second - 30) * 100L, 0.03 + (second - 30) / 100.0);
        }
        assertEquals(100.0, meter.documentsPerSecond(), 1e-9);
        // 1 % a second, 18 % done
        assertEquals(82, meter.etaSeconds());
    }

    @Test
    void aStalledJobDecaysToZeroAndAnUnknownEta() {
        RunningJob.ProgressMeter meter = new RunningJob.ProgressMeter(clock, 0, 0.0);
        clock.advance(Duration.ofSeconds(5));
        meter.record(500, 0.5);
        assertEquals(100.0, meter.documentsPerSecond(), 1e-9);
        assertEquals(5, meter.etaSeconds());

        clock.advance(Duration.ofSeconds(5)); // paused: nothing more written
        assertEquals(50.0, meter.documentsPerSecond(), 1e-9);
        assertEquals(10, meter.etaSeconds());

        clock.advance(Duration.ofSeconds(11));
        assertEquals(0.0, meter.documentsPerSecond(), 1e-9);
        assertEquals(-1, meter.etaSeconds());
        assertEquals(0.5, meter.fraction(), 1e-9, "the fraction stays where the job stopped");
    }

    @Test
    void unknownProgressGivesAnUnknownEtaButARate() {
        RunningJob.ProgressMeter meter = new RunningJob.ProgressMeter(clock, 0, RunningJob.ProgressMeter.UNKNOWN);
        clock.advance(Duration.ofSeconds(2));
        meter.record(400, RunningJob.ProgressMeter.UNKNOWN);
        assertEquals(-1.0, meter.fraction());
        assertEquals(-1, meter.etaSeconds());
        assertEquals(200.0, meter.documentsPerSecond(), 1e-9);
    }

    @Test
    void aResumedJobMeasuresOnlyThisRunAndItsSourceFromTheFirstChunk() {
        RunningJob.ProgressMeter meter = new RunningJob.ProgressMeter(clock, 10_000, RunningJob.ProgressMeter.UNKNOWN);
        assertEquals(0.0, meter.documentsPerSecond(), "no time has passed");
        clock.advance(Duration.ofSeconds(1));
        meter.record(10_100, 0.60);
        assertEquals(100.0, meter.documentsPerSecond(), 1e-9);
        assertEquals(-1, meter.etaSeconds(), "one known fraction gives no speed yet");
        clock.advance(Duration.ofSeconds(1));
        meter.record(10_200, 0.61);
        assertEquals(39, meter.etaSeconds());
    }

    @Test
    void aFinishedSourceHasNoTimeLeft() {
        RunningJob.ProgressMeter meter = new RunningJob.ProgressMeter(clock, 0, 0.0);
        clock.advance(Duration.ofSeconds(1));
        meter.record(10, 1.0);
        assertEquals(0, meter.etaSeconds());
        assertEquals(1.0, meter.fraction());
    }
}
