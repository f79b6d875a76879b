package dev.ferry.bench;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import dev.ferry.concurrent.NamedThreadFactory;
import dev.ferry.queue.Spool;
import dev.ferry.queue.SpoolWatcher;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 7: the first jobs claimed out of a backlog that was dropped before start, so that only
 * the size of the backlog differs between two runs. Two ways: the {@link SpoolWatcher} alone (hand
 * out, then rename into active/, as a claim does, minus the lock file and fsync), and {@code ferry run}
 * as its own process on tiny inline jobs, timed by the result files appearing in done/.
 */
final class BacklogClaim {
    private BacklogClaim() {
    }

    /**
     * @param startMillis how long {@code start()} took (the first scan of every waiting file)
     * @param firstMillis from the end of start() to the first claim, which moves every settled file
     *     into the ready queue
     * @param perSecond claims per second from the first claim to the {@code first}-th
     * @param bytesPerWaiting live heap per file still waiting after the claims, measured after a GC;
     *     NaN when none is left waiting
     */
    record WatcherRun(double startMillis, double firstMillis, double perSecond, double bytesPerWaiting) {
    }

    /**
     * @param firstSeconds from launching the process to the first result file: JVM start, the first
     *     scan of the backlog, the first job
     * @param perSecond jobs per second from the first result file to the {@code first}-th
     * @param peakRssKb the daemon process's VmHWM once the {@code first}-th job was done
     */
    record DaemonRun(double firstSeconds, double perSecond, long peakRssKb) {
    }

    static WatcherRun watcher(Path dir, int waiting, int first) {
        Spool spool = new Spool(dir.resolve("spool"));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                new NamedThreadFactory("bench-spool-scheduler", true));
        try {
            spool.ensureLayout();
            fill(spool.incoming(), waiting, i -> "{}");
            long heapBefore = liveHeap();
            // the daemon's defaults but for the settle time: the backlog is complete before start
            try (SpoolWatcher watcher = new SpoolWatcher(spool, Duration.ZERO, Duration.ofSeconds(10),
                    Clock.systemUTC(), scheduler)) {
                long t0 = System.nanoTime();
                watcher.start();
                long t1 = System.nanoTime();
                long firstAt = 0;
                int claimed = 0;
                while (claimed < first) {
                    Optional<Path> next = watcher.nextSettled();
                    if (next.isEmpty()) {
                        throw new IllegalStateException("only " + claimed + " of " + waiting + " handed out");
                    }
                    Path file = next.get();
                    Files.move(file, spool.active().resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                    claimed++;
                    if (claimed == 1) {
                        firstAt = System.nanoTime();
                    }
                }
                long t2 = System.nanoTime();
                drain(scheduler);
                long heapAfter = liveHeap();
                return new WatcherRun((t1 - t0) / 1e6, (firstAt - t1) / 1e6, (first - 1) * 1e9 / (t2 - firstAt),
                        waiting > first ? (double) (heapAfter - heapBefore) / (waiting - first) : Double.NaN);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            scheduler.shutdownNow();
            delete(dir);
        }
    }

    /** @param rescanSeconds {@code queue.rescanSeconds}: 10 as shipped, or longer to see what rescans cost */
    static DaemonRun daemon(Path dir, int waiting, int first, String heap, int rescanSeconds) {
        try (TestMongoServer server = new TestMongoServer()) {
            // settle as shipped in conf/ferry.properties
            FerryConf conf = new FerryConf(dir, server.uri()).set("queue.settleMillis", "500")
                    .set("queue.rescanSeconds", Integer.toString(rescanSeconds));
            Path incoming = Files.createDirectories(conf.spool().resolve("incoming"));
            Path done = Files.createDirectories(conf.spool().resolve("done"));
            fill(incoming, waiting, i -> "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": " + i
                    + "}]}, \"destination\": {\"connection\": \"dest\", \"collection\": \"backlog\"}}");
            try (WatchService results = done.getFileSystem().newWatchService()) {
                done.register(results, ENTRY_CREATE);
                long t0 = System.nanoTime();
                try (FerryProcess ferry = FerryProcess.run(conf.write(), dir.resolve("ferry.log"), heap)) {
                    long[] at = awaitResults(results, done, first, ferry, Duration.ofMinutes(30));
                    long hwm = LargeJob.peakRssKb(ferry.pid());
                    try (DirectoryStream<Path> failed = Files.newDirectoryStream(conf.spool().resolve("failed"))) {
                        if (failed.iterator().hasNext()) {
                            throw new IllegalStateException("jobs failed; log: " + dir.resolve("ferry.log"));
                        }
                    }
                    return new DaemonRun((at[0] - t0) / 1e9, (first - 1) * 1e9 / (at[1] - at[0]), hwm);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            delete(dir);
        }
    }

    /** Nanotimes at which the first and the {@code first}-th result file appeared in done/. */
    private static long[] awaitResults(WatchService results, Path done, int first, FerryProcess ferry,
            Duration timeout) throws IOException, InterruptedException {
        Set<String> seen = new HashSet<>();
        long firstAt = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen.size() < first) {
            if (System.nanoTime() > deadline || !ferry.isAlive()) {
                throw new IllegalStateException(seen.size() + " of " + first + " jobs done; ferry "
                        + (ferry.isAlive() ? "still runs" : "exited") + ", log in " + ferry.log().length() + " chars");
            }
            WatchKey key = results.poll(1, TimeUnit.SECONDS);
            if (key == null) {
                continue;
            }
            boolean overflow = false;
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == OVERFLOW) {
                    overflow = true;
                } else if (event.context().toString().endsWith(".result.json")) {
                    seen.add(event.context().toString());
                }
            }
            key.reset();
            if (overflow) {
                // events were lost: the listing is the truth, at the cost of a read of the folder
                try (DirectoryStream<Path> files = Files.newDirectoryStream(done, "*.result.json")) {
                    files.forEach(p -> seen.add(p.getFileName().toString()));
                }
            }
            if (firstAt == 0 && !seen.isEmpty()) {
                firstAt = System.nanoTime();
            }
        }
        return new long[] {firstAt, System.nanoTime()};
    }

    /** Writes {@code count} job files straight into the folder: the daemon is not running yet. */
    private static void fill(Path folder, int count, java.util.function.IntFunction<String> json) throws IOException {
        for (int i = 0; i < count; i++) {
            Files.writeString(folder.resolve(String.format(Locale.ROOT, "job-%06d.json", i)), json.apply(i),
                    StandardCharsets.UTF_8);
        }
    }

    /** Waits until the scheduler has run what was due so far, so no settle work is in flight. */
    private static void drain(ScheduledExecutorService scheduler) {
        CountDownLatch ran = new CountDownLatch(1);
        scheduler.execute(ran::countDown);
        try {
            if (!ran.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the watcher's scheduler is still busy after 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The backlogs are hundreds of MB of inodes: each run removes its own. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("bench: could not remove " + dir + ": " + e);
        }
    }
}
