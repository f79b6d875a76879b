package dev.ferry.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import dev.ferry.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpoolWatcherTest {

    private static final Duration NEVER = Duration.ofHours(1);
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    @TempDir
    Path root;

    Spool spool;
    ScheduledExecutorService scheduler;
    SpoolWatcher watcher;
    final Semaphore ready = new Semaphore(0);

    @BeforeEach
    void setUp() throws IOException {
        spool = new Spool(root);
        spool.ensureLayout();
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "test-spool-scheduler"));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (watcher != null) {
            watcher.close();
        }
        scheduler.shutdownNow();
        assertTrue(scheduler.awaitTermination(5, TimeUnit.SECONDS));
    }

    private SpoolWatcher watcher(Duration settle, Duration rescan, Clock clock, boolean events) throws IOException {
        watcher = new SpoolWatcher(spool, settle, rescan, clock, scheduler, events);
        watcher.onReady(ready::release);
        watcher.start();
        return watcher;
    }

    @Test
    void aDroppedFileIsHandedOutOnceItHasBeenUnchangedForTheSettleTime() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
        watcher(Duration.ofMillis(300), NEVER, clock, false);
        Path job = drop("job.json", "{}");

        watcher.rescanNow();
        assertEquals(Optional.empty(), watcher.nextSettled());
        clock.advance(Duration.ofMillis(299));
        watcher.rescanNow();
        assertEquals(Optional.empty(), watcher.nextSettled());
        assertEquals(0, ready.availablePermits(), "not ready before the settle time");

        clock.advance(Duration.ofMillis(1));
        watcher.rescanNow();
        assertTrue(ready.availablePermits() > 0, "the listener heard of it");
        assertEquals(Optional.of(job), watcher.nextSettled());
        assertEquals(Optional.empty(), watcher.nextSettled(), "handed out once");
    }

    @Test
    void aFileChangedAfterSettlingIsHeldBackUntilItSettlesAgain() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
        watcher(Duration.ofMillis(300), NEVER, clock, false);
        Path job = drop("grows.json", "{");
        watcher.rescanNow();
        clock.advance(Duration.ofMillis(300));
        Files.writeString(job, "{}"); // no event, no rescan: only a look at hand-out time sees it

        assertEquals(Optional.empty(), watcher.nextSettled());
        clock.advance(Duration.ofMillis(300));
        assertEquals(Optional.of(job), watcher.nextSettled());
        assertEquals("{}", Files.readString(job));
    }

    @Test
    void withoutSettleTimeAFileIsHandedOutOnItsEventNotAtTheRescan() throws Exception {
        watcher(Duration.ZERO, NEVER, Clock.systemUTC(), true);
        Path job = drop("fast.json", "{}");

        assertEquals(Optional.of(job), awaitNext());
    }

    @ParameterizedTest(name = "file-system events: {0}")
    @ValueSource(booleans = {true, false})
    void aFileWrittenSlowlyIsNotHandedOutBeforeItsLastByte(boolean events) throws Exception {
        Duration settle = Duration.ofMillis(300);
        // without events only rescans and settle re-checks can see the writes, as on NFS
        watcher(settle, events ? NEVER : Duration.ofMillis(100), Clock.systemUTC(), events);
        Path job = spool.incoming().resolve("slow.json");
        // a coarse mtime: pinned, so only the growing size shows that the file is still written
        FileTime pinned = FileTime.from(Instant.parse("2026-01-01T00:00:00Z"));
        AtomicReference<String> early = new AtomicReference<>();
        watcher.onReady(() -> {
            try {
                if (Files.size(job) < 4) {
                    early.compareAndSet(null, "ready at size " + Files.size(job));
                }
            } catch (IOException e) {
                early.compareAndSet(null, e.toString());
            }
            ready.release();
        });

        long lastWrite = 0;
        try (OutputStream out = Files.newOutputStream(job)) {
            for (int piece = 1; piece <= 4; piece++) {
                if (piece > 1) {
                    Thread.sleep(200); // the scenario: a writer pausing less than the settle time
                    long gap = System.nanoTime() - lastWrite;
                    assumeTrue(gap < settle.toNanos() - TimeUnit.MILLISECONDS.toNanos(50),
                            "the machine stalled longer than the settle time between two writes");
                    assertEquals(Optional.empty(), watcher.nextSettled(), "handed out before piece " + piece);
                }
                out.write('x');
                out.flush();
                Files.setLastModifiedTime(job, pinned);
                lastWrite = System.nanoTime();
            }
        }
        assertNull(early.get());

        assertEquals(Optional.of(job), awaitNext());
        long sinceLastWrite = System.nanoTime() - lastWrite;
        assertTrue(sinceLastWrite >= settle.toNanos(),
                "handed out " + sinceLastWrite / 1_000_000 + " ms after the last write");
        assertEquals(4, Files.size(job));
        assertNull(early.get());
    }

    @Test
    void theRescanFindsFilesThatNoEventReported() throws Exception {
        watcher(Duration.ZERO, Duration.ofMillis(200), Clock.systemUTC(), false);
        Path job = drop("missed.json", "{}");

        assertEquals(Optional.of(job), awaitNext());
    }

    @Test
    void rescanNowFindsAFileAtOnce() throws IOException {
        watcher(Duration.ZERO, NEVER, Clock.systemUTC(), false);
        Path job = drop("now.json", "{}");
        assertEquals(Optional.empty(), watcher.nextSettled());

        watcher.rescanNow();

        assertEquals(Optional.of(job), watcher.nextSettled());
    }

    @Test
    void filesPresentAtStartAreFound() throws IOException {
        Path job = drop("early.json", "{}");
        watcher(Duration.ZERO, NEVER, Clock.systemUTC(), true);

        assertEquals(Optional.of(job), watcher.nextSettled());
    }

    @Test
    void ignoredNamesAreNeverHandedOutButADirectoryIsSoThatItCanBeRejected() throws IOException {
        watcher(Duration.ZERO, NEVER, Clock.systemUTC(), false);
        for (String name : new String[] {".hidden.json", "a.json.tmp", "a.json.part", "a.json~", "a.json.swp",
            "a.result.json", "a.error.json", "a.txt"}) {
            drop(name, "{}");
        }
        Path directory = Files.createDirectory(spool.incoming().resolve("dir.json"));
        Path job = drop("real.json", "{}");

        watcher.rescanNow();

        // a directory (or link, or FIFO) with a job's name goes on to be rejected into failed/, never read
        assertEquals(java.util.Set.of(directory, job),
                java.util.Set.of(watcher.nextSettled().orElseThrow(), watcher.nextSettled().orElseThrow()));
        assertEquals(Optional.empty(), watcher.nextSettled());
    }

    @Test
    void theOldestFileComesFirst() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
        watcher(Duration.ofMillis(100), NEVER, clock, false);
        Path b = drop("b.json", "{}");
        watcher.rescanNow();
        clock.advance(Duration.ofMillis(10));
        Path a = drop("a.json", "{}");
        watcher.rescanNow();
        clock.advance(Duration.ofMillis(100));

        assertEquals(Optional.of(b), watcher.nextSettled());
        assertEquals(Optional.of(a), watcher.nextSettled());
        assertEquals(Optional.empty(), watcher.nextSettled());
    }

    @Test
    void manyFilesAreHandedOutBySightingThenNameAndEachOnlyAfterItSettled() throws IOException {
        // the watcher's timers run only when the test says so: the hand-moved clock alone decides
        scheduler.shutdownNow();
        HeldTimers timers = new HeldTimers();
        scheduler = timers;
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
        Duration settle = Duration.ofMillis(300);
        watcher(settle, NEVER, clock, false);
        Instant t0 = clock.instant();
        Map<String, Instant> writtenAt = new HashMap<>();
        // names shuffled across the waves, so that an order by name alone or by drop order would differ
        List<Integer> ids = new ArrayList<>(IntStream.range(0, 1200).boxed().toList());
        Collections.shuffle(ids, new Random(11));
        List<List<String>> waves = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            List<String> wave = new ArrayList<>();
            for (int id : ids.subList(w * 400, (w + 1) * 400)) {
                String name = String.format(Locale.ROOT, "job-%04d.json", id);
                drop(name, "{}");
                writtenAt.put(name, clock.instant());
                wave.add(name);
                if (id % 50 == 0) {
                    for (String ignored : new String[] {".j" + id + ".json", "j" + id + ".json.tmp",
                        "j" + id + ".json.part", "j" + id + ".json~", "j" + id + ".json.swp", "j" + id + ".result.json",
                        "j" + id + ".error.json", "j" + id + ".txt"}) {
                        Files.writeString(spool.incoming().resolve(ignored), "{}");
                    }
                }
            }
            if (w == 2) {
                for (String name : waves.get(0).subList(0, 40)) {
                    grow(name, clock, writtenAt); // wave 0 files still written to: they settle later, keep their place
                }
            }
            watcher.rescanNow();
            waves.add(wave);
            clock.advance(Duration.ofMillis(w < 2 ? 100 : 99));
        }
        List<String> wave0Unchanged = sorted(waves.get(0).subList(40, 400));

        // t0 + 299 ms
        timers.runHeld();
        assertEquals(Optional.empty(), watcher.nextSettled());
        assertEquals(0, ready.availablePermits(), "nothing settled a millisecond early");

        clock.advance(Duration.ofMillis(1)); // t0 + 300 ms: wave 0 but its 40 late writes
        timers.runHeld();
        assertTrue(ready.availablePermits() > 0, "the settle timer told the listener");
        assertEquals(wave0Unchanged.subList(0, 100), take(100, clock, writtenAt, settle));

        clock.advance(Duration.ofMillis(50)); // t0 + 350 ms: written to before wave 1 settles, seen by the timer
        String x1 = waves.get(1).get(7);
        grow(x1, clock, writtenAt);
        clock.advance(Duration.ofMillis(50));
        timers.runHeld();
        clock.advance(Duration.ofMillis(50)); // t0 + 450 ms: written to after settling, seen only at hand-out
        String x2 = waves.get(1).get(8);
        grow(x2, clock, writtenAt);
        String y = waves.get(2).get(9);
        Files.delete(spool.incoming().resolve(y));

        clock.advance(Duration.ofMillis(50)); // t0 + 500 ms: everything else has settled
        List<String> expected = new ArrayList<>(wave0Unchanged.subList(100, 360));
        expected.addAll(waves.get(0).subList(0, 40));
        expected = new ArrayList<>(sorted(expected));
        List<String> wave1 = new ArrayList<>(waves.get(1));
        wave1.removeAll(List.of(x1, x2));
        expected.addAll(sorted(wave1));
        List<String> wave2 = new ArrayList<>(waves.get(2));
        wave2.remove(y);
        expected.addAll(sorted(wave2));
        assertEquals(expected, take(Integer.MAX_VALUE, clock, writtenAt, settle));

        clock.advance(Duration.ofMillis(199)); // t0 + 699 ms
        assertEquals(List.of(), take(Integer.MAX_VALUE, clock, writtenAt, settle));
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of(x1), take(Integer.MAX_VALUE, clock, writtenAt, settle));
        clock.advance(Duration.ofMillis(99)); // t0 + 799 ms
        assertEquals(List.of(), take(Integer.MAX_VALUE, clock, writtenAt, settle));
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of(x2), take(Integer.MAX_VALUE, clock, writtenAt, settle));
        assertEquals(Duration.ofMillis(800), Duration.between(t0, clock.instant()));
    }

    /** Up to {@code max} hand-outs, checking that each file was left alone for the settle time. */
    private List<String> take(int max, Clock clock, Map<String, Instant> writtenAt, Duration settle) {
        List<String> names = new ArrayList<>();
        Optional<Path> next;
        while (names.size() < max && (next = watcher.nextSettled()).isPresent()) {
            String name = next.get().getFileName().toString();
            Instant written = writtenAt.get(name);
            assertTrue(written != null, name + " is not a job file of this test");
            assertFalse(clock.instant().isBefore(written.plus(settle)),
                    name + " handed out at " + clock.instant() + ", last written at " + written);
            names.add(name);
        }
        return names;
    }

    private void grow(String name, Clock clock, Map<String, Instant> writtenAt) throws IOException {
        Files.writeString(spool.incoming().resolve(name), " ", StandardOpenOption.APPEND);
        writtenAt.put(name, clock.instant());
    }

    private static List<String> sorted(List<String> names) {
        return names.stream().sorted().toList();
    }

    /**
     * Keeps the one-shot tasks (the watcher's settle timer) until {@link #runHeld()} runs them on the
     * test's thread, so that they look at the files at a moment of the test's choosing.
     */
    private static final class HeldTimers extends ScheduledThreadPoolExecutor {
        private final List<Runnable> held = new ArrayList<>();
        private final List<Runnable> heldForNow = new ArrayList<>();

        HeldTimers() {
            super(1, r -> new Thread(r, "test-held-timers"));
        }

        @Override
        public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            (delay <= 0 ? heldForNow : held).add(command);
            return super.schedule(() -> { }, 1, TimeUnit.DAYS);
        }

        /** Runs what is held, then what that asked to run at once, until nothing more was. */
        void runHeld() {
            List<Runnable> batch;
            synchronized (this) {
                batch = new ArrayList<>(held);
                held.clear();
            }
            for (int round = 0; round < 1000; round++) {
                synchronized (this) {
                    batch.addAll(heldForNow);
                    heldForNow.clear();
                }
                if (batch.isEmpty()) {
                    return;
                }
                batch.forEach(Runnable::run);
                batch.clear();
            }
            fail("the held tasks keep asking to run at once");
        }
    }

    @Test
    void aFileThatVanishedIsForgotten() throws IOException {
        watcher(Duration.ZERO, NEVER, Clock.systemUTC(), false);
        Path job = drop("gone.json", "{}");
        watcher.rescanNow();
        Files.delete(job);

        assertEquals(Optional.empty(), watcher.nextSettled());
    }

    @Test
    void aFileStillWaitingAtTheNextRescanIsOfferedAgain() throws IOException {
        watcher(Duration.ZERO, NEVER, Clock.systemUTC(), false);
        Files.writeString(spool.active().resolve("clash.json"), "running");
        Path job = drop("clash.json", "{}");
        watcher.rescanNow();
        assertEquals(Optional.of(job), watcher.nextSettled());
        assertEquals(Optional.empty(), spool.claim(job), "a job of that name still runs");
        assertEquals(Optional.empty(), watcher.nextSettled());

        Files.delete(spool.active().resolve("clash.json"));
        watcher.rescanNow();

        assertEquals(Optional.of(job), watcher.nextSettled());
        assertTrue(spool.claim(job).isPresent());
    }

    @Test
    void closeIsIdempotentAndStopsTheWatcherThread() throws IOException {
        watcher(Duration.ZERO, Duration.ofMillis(50), Clock.systemUTC(), true);
        String name = watcher.threadName();
        assertTrue(threadAlive(name), "the watcher runs on its named thread");

        watcher.close();
        watcher.close();

        assertFalse(threadAlive(name));
        assertEquals(Optional.empty(), watcher.nextSettled());
        assertThrows(IllegalStateException.class, watcher::start);
    }

    private Optional<Path> awaitNext() throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            Optional<Path> next = watcher.nextSettled();
            if (next.isPresent()) {
                return next;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("nothing handed out within " + DEADLINE);
            }
            ready.tryAcquire(left, TimeUnit.NANOSECONDS);
        }
    }

    private Path drop(String name, String content) throws IOException {
        // written beside and renamed in, as ferry submit does, so the file appears complete
        Path temp = Files.writeString(spool.incoming().resolve("." + name + ".tmp"), content, StandardCharsets.UTF_8);
        return Files.move(temp, spool.incoming().resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
