package dev.ferry.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.Document;
import org.bson.RawBsonDocument;

/**
 * Benchmark 17: a {@code "mode": "verify"} job over a mongodb source of {@code bench.largeDocuments}
 * (1,000,000) documents and its copy, in {@code ferry run} with {@code -Xmx96m}, against the copy's own
 * time. The source is a {@link TestMongoServer} in this JVM seeded directly with benchmark 1's documents;
 * each round has a fresh destination server (also in this JVM, no proxy), a child ferry process that
 * copies (timed from the drop to done/), then a fresh child that verifies (timed likewise; its peak RSS
 * is its own). Both servers answer {@code _id} ranges through their sorted documents
 * ({@link TestMongoServer#indexIdRanges()}), as a real server does through its {@code _id} index.
 *
 * <p>After the rounds, a probe from this JVM times the queries the verify sends to the test servers (the
 * look-up of a chunk by {@code _id $in}, a range read without and with a projection), so that the report
 * can say where the verify's time goes.
 */
final class VerifyBench {
    private static final String HEAP = "-Xmx96m";
    private static final String SOURCE_DB = "srcdb";
    private static final String DEST_DB = "ferrytest";
    private static final String COLLECTION = "items";

    private final Path dir;
    private final int runs;
    private final List<Figure> figures;
    private final List<String> notes;

    VerifyBench(Path dir, int runs, List<Figure> figures, List<String> notes) {
        this.dir = dir;
        this.runs = runs;
        this.figures = figures;
        this.notes = notes;
    }

    /** One child's job: drop to outcome, and the child's VmHWM; {@code detail} says what went wrong, or "". */
    record Timed(double seconds, long peakRssKb, Document outcome, String detail, double sourcePassSeconds,
                 double ferryCpuSeconds, double serversCpuSeconds) {
        boolean ok() {
            return detail.isEmpty();
        }
    }

    /** Median milliseconds of the test servers' answers to the queries a verify sends. */
    record Probe(double in1000, double in100, double keysIn1000, double range1000, double keyRange,
                 int keyRangeDocs, String load) {
    }

    void run(int documents) {
        double[] copy = new double[runs];
        double[] verify = new double[runs];
        double[] sourcePass = new double[runs];
        double[] destinationPass = new double[runs];
        double[][] cpu = new double[4][runs]; // copy: ferry, servers; verify: ferry, servers
        double[] reportedVerify = new double[runs];
        double[] copyRss = new double[runs];
        double[] verifyRss = new double[runs];
        String failure = null;
        Probe probe = null;
        try (TestMongoServer source = new TestMongoServer()) {
            long s0 = System.nanoTime();
            seed(source.uri(), documents);
            source.indexIdRanges();
            System.err.printf(Locale.ROOT, "bench: verify: seeded %,d documents in %.1f s; heap used %,d MiB; load %s%n",
                    documents, (System.nanoTime() - s0) / 1e9, usedHeapMiB(), BenchReport.loadAverage());
            for (int r = 0; r < runs && failure == null; r++) {
                try (TestMongoServer dest = new TestMongoServer()) {
                    FerryConf conf = new FerryConf(fresh("verify"), dest.uri())
                            // the defaults, not FerryConf's test timings: pings and back-offs are not part of the figures
                            .set("health.intervalSeconds", "30").set("retry.initialBackoffMillis", "500")
                            .set("retry.maxBackoffMillis", "30000")
                            .set("connection.src.uri", source.uri()).set("connection.src.database", SOURCE_DB);
                    Path confDir = conf.write();
                    String copyId = "copy-" + r;
                    Timed c = job(conf, confDir, copyId, "{\"id\": \"" + copyId + "\", \"source\": {\"type\": \"mongodb\", "
                            + "\"connection\": \"src\", \"collection\": \"" + COLLECTION + "\"}, \"destination\": "
                            + "{\"connection\": \"dest\", \"collection\": \"" + COLLECTION + "\"}}", false);
                    long stored = count(dest.uri(), DEST_DB);
                    System.err.printf(Locale.ROOT, "bench: verify round %d: copy %s in %.1f s, peak RSS %,d MiB, %,d stored; "
                            + "CPU: ferry %.1f s, servers %.1f s; load %s%n", r + 1, c.ok() ? "done" : "FAILED", c.seconds(),
                            c.peakRssKb() / 1024, stored, c.ferryCpuSeconds(), c.serversCpuSeconds(),
                            BenchReport.loadAverage());
                    if (!c.ok() || stored != documents) {
                        failure = "copy: " + (c.ok() ? stored + " of " + documents + " documents stored" : c.detail());
                        break;
                    }
                    dest.indexIdRanges();
                    String verifyId = "verify-" + r;
                    Timed v = job(conf, confDir, verifyId, "{\"id\": \"" + verifyId + "\", \"source\": {\"type\": "
                            + "\"mongodb\", \"connection\": \"src\", \"collection\": \"" + COLLECTION + "\"}, "
                            + "\"destination\": {\"connection\": \"dest\", \"collection\": \"" + COLLECTION + "\"}, "
                            + "\"mode\": \"verify\"}", true);
                    Document counts = v.outcome() == null ? null : (Document) v.outcome().get("verify");
                    System.err.printf(Locale.ROOT, "bench: verify round %d: verify %s in %.1f s (source pass %.1f s), "
                            + "peak RSS %,d MiB, counts %s; CPU: ferry %.1f s, servers %.1f s; load %s%n", r + 1,
                            v.ok() ? "done" : "FAILED", v.seconds(), v.sourcePassSeconds(), v.peakRssKb() / 1024,
                            counts == null ? "none" : counts.toJson(), v.ferryCpuSeconds(), v.serversCpuSeconds(),
                            BenchReport.loadAverage());
                    String wrong = v.ok() ? wrongCounts(counts, documents) : v.detail();
                    if (!wrong.isEmpty()) {
                        failure = "verify: " + wrong;
                        break;
                    }
                    copy[r] = c.seconds();
                    verify[r] = v.seconds();
                    sourcePass[r] = v.sourcePassSeconds();
                    destinationPass[r] = v.seconds() - v.sourcePassSeconds();
                    cpu[0][r] = c.ferryCpuSeconds();
                    cpu[1][r] = c.serversCpuSeconds();
                    cpu[2][r] = v.ferryCpuSeconds();
                    cpu[3][r] = v.serversCpuSeconds();
                    reportedVerify[r] = ((Number) counts.get("seconds")).doubleValue();
                    copyRss[r] = c.peakRssKb();
                    verifyRss[r] = v.peakRssKb();
                    if (r == runs - 1) {
                        probe = probe(source.uri(), dest.uri(), documents);
                    }
                }
            }
        }
        String what = String.format(Locale.ROOT, "`\"mode\": \"verify\"` of a %,d-document mongodb collection against "
                + "its copy, ferry run with -Xmx96m, vs. the copy's own time", documents);
        if (failure != null) {
            figures.add(new Figure("17", what, "did not complete: " + failure, "—", "≤ 1.5 × the copy; peak RSS ≤ 256 MiB",
                    false));
        } else {
            double ratio = BenchMain.medianRatio(verify, copy);
            double rssMiB = max(verifyRss) / 1024;
            double v = BenchMain.median(verify);
            figures.add(new Figure("17", what, String.format(Locale.ROOT, "copy %.1f s (%,.0f docs/s), peak RSS %,.0f MiB; "
                    + "verify %.1f s (%,.0f docs/s; source pass %.1f s, destination pass %.1f s; the result's seconds "
                    + "%.1f), equal %,d, 0 missing, 0 extra, 0 different, peak RSS %,.0f MiB (max %,.0f)",
                    BenchMain.median(copy), documents / BenchMain.median(copy), BenchMain.median(copyRss) / 1024, v,
                    documents / v, BenchMain.median(sourcePass), BenchMain.median(destinationPass),
                    BenchMain.median(reportedVerify), documents,
                    BenchMain.median(verifyRss) / 1024, rssMiB), String.format(Locale.ROOT, "%.2f", ratio),
                    "≤ 1.5 (verify / copy); peak RSS ≤ 256 MiB", ratio <= 1.5 && rssMiB <= 256));
        }
        if (probe != null) {
            int chunks = (documents + 999) / 1000;
            double lookups = chunks * (probe.in1000() + probe.keysIn1000()) / 1000;
            figures.add(new Figure("17", "where the verify's time goes: CPU seconds of ferry (the child) and of the two "
                    + "servers (the benchmark JVM) over each job; the test server's answers to the verify's queries "
                    + "(median of 5, from the benchmark JVM, after the last round)", String.format(Locale.ROOT,
                    "copy: ferry %.1f CPU-s, servers %.1f CPU-s; verify: ferry %.1f CPU-s, servers %.1f CPU-s (2 cores). "
                    + "Look-up of a chunk, `find({_id: {$in: [1,000 _ids]}})`: %.0f ms in the destination (pass one), "
                    + "%.0f ms in the source with the key projection (pass two); with 100 _ids %.1f ms; %,d chunks a "
                    + "pass: %.0f s of server time in look-ups alone; an _id range of 1,000 documents "
                    + "(indexIdRanges) %.1f ms; the destination pass's key range read (projection `{_id: 1}`, which "
                    + "indexIdRanges does not serve: the backend scans the collection) %.0f ms for its first "
                    + "1,000 of %,d keys; load when probed %s", BenchMain.median(cpu[0]), BenchMain.median(cpu[1]), BenchMain.median(cpu[2]),
                    BenchMain.median(cpu[3]), probe.in1000(), probe.keysIn1000(), probe.in100(), chunks, lookups,
                    probe.range1000(), probe.keyRange(), probe.keyRangeDocs(), probe.load()), "—", "(diagnostic)", true));
        }
        String n = String.format(Locale.ROOT, "%,d", documents);
        notes.add("17: the source a TestMongoServer (memory backend) in the benchmark JVM seeded directly with " + n
                + " documents of benchmark 1 (insertMany of 1,000); per round a fresh destination TestMongoServer, both "
                + "with indexIdRanges (an _id range without projection read through the sorted documents, as a real "
                + "server's _id index does); `ferry run` as a child JVM with " + HEAP + " (benchmark 5's), default "
                + "settings (16 lanes, chunks of 1,000): one child copies {source mongodb src items, destination}, "
                + "then a fresh child runs the same job with \"mode\": \"verify\", each timed from the drop to the "
                + "outcome file (its JVM started before); the verify's result must say equal = " + n + " and missing, "
                + "extra, different 0; its source pass ends when its checkpoint says DESTINATION or DONE (a source keyed "
                + "by _id has no destination pass: it looks up the _id stretches it read); "
                + "peak RSS is each child's VmHWM when its job is done, its CPU seconds the child's "
                + "(ProcessHandle totalCpuDuration) and the benchmark JVM's (getProcessCpuTime: both servers, the "
                + "polling, GC) from the drop to the outcome; copy then verify, " + runs + " rounds, "
                + "medians (the ratio is the median of the per-round ratios verify / copy); the probe of the "
                + "diagnostic row runs after the last round against its servers");
    }

    private static String wrongCounts(Document counts, long documents) {
        if (counts == null) {
            return "no verify counts in the result";
        }
        long equal = ((Number) counts.get("equal")).longValue();
        long compared = ((Number) counts.get("compared")).longValue();
        long off = ((Number) counts.get("missing")).longValue() + ((Number) counts.get("extra")).longValue()
                + ((Number) counts.get("different")).longValue();
        return equal == documents && compared == documents && off == 0 ? "" : "counts " + counts.toJson();
    }

    /** Starts a child, drops one job, waits for its outcome; {@code passes}: notes when the source pass ends. */
    private Timed job(FerryConf conf, Path confDir, String id, String json, boolean passes) {
        Path log = conf.dir().resolve(id + ".log");
        Path checkpoint = conf.state().resolve("checkpoints").resolve(id + ".checkpoint.json");
        Path done = conf.spool().resolve("done").resolve(id + ".result.json");
        Path failed = conf.spool().resolve("failed").resolve(id + ".error.json");
        try (FerryProcess ferry = FerryProcess.run(confDir, log, HEAP)) {
            ferry.awaitLog("started", Duration.ofSeconds(60));
            Spooler spool = new Spooler(conf.spool());
            ProcessHandle child = ProcessHandle.of(ferry.pid()).orElseThrow();
            double ferryCpu0 = cpuSeconds(child);
            double serversCpu0 = ownCpuSeconds();
            long t0 = System.nanoTime();
            spool.drop(id + ".json", json);
            long deadline = t0 + Duration.ofMinutes(40).toNanos();
            double sourcePass = Double.NaN;
            while (!Files.exists(done) && !Files.exists(failed) && ferry.isAlive() && System.nanoTime() < deadline) {
                if (passes && Double.isNaN(sourcePass) && (says(checkpoint, "\"DESTINATION\"")
                        || says(checkpoint, "\"DONE\""))) {
                    sourcePass = (System.nanoTime() - t0) / 1e9;
                }
                sleep(passes ? 100 : 10);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (passes && Double.isNaN(sourcePass)) {
                sourcePass = seconds; // a source keyed by _id finds extras in its one pass (docs/jobs.md, "Verify")
            }
            long hwm = LargeJob.peakRssKb(ferry.pid());
            double ferryCpu = cpuSeconds(child) - ferryCpu0;
            double serversCpu = ownCpuSeconds() - serversCpu0;
            Document outcome = null;
            String detail = "";
            if (Files.exists(done)) {
                outcome = spool.awaitDone(id, Duration.ofSeconds(30));
            } else if (Files.exists(failed)) {
                outcome = spool.awaitOutcome(id, Duration.ofSeconds(30));
                detail = "failed: " + outcome.toJson();
            } else {
                detail = ferry.isAlive() ? "no outcome after 40 minutes" : "ferry exited: " + tail(ferry.log());
            }
            if (ferry.isAlive()) {
                ferry.sigterm();
                ferry.awaitExit(Duration.ofSeconds(30));
            }
            return new Timed(seconds, hwm, outcome, detail, sourcePass, ferryCpu, serversCpu);
        }
    }

    /** The queries a verify sends, each timed five times against the servers as the last round left them. */
    private static Probe probe(String sourceUri, String destUri, int documents) {
        try (MongoClient src = MongoClients.create(sourceUri); MongoClient dst = MongoClients.create(destUri)) {
            MongoCollection<RawBsonDocument> dest = dst.getDatabase(DEST_DB).getCollection(COLLECTION, RawBsonDocument.class);
            MongoCollection<BsonDocument> source = src.getDatabase(SOURCE_DB).getCollection(COLLECTION, BsonDocument.class);
            BsonDocument keys = new BsonDocument("_id", new BsonInt32(1));
            BsonDocument byId = new BsonDocument("_id", new BsonInt32(1));
            int[] at = {0};
            Supplier<Integer> next = () -> (int) ((at[0]++ * 7_919L * 1000) % Math.max(1, documents - 1000));
            double in1000 = timed(() -> drain(dest.find(in(next.get(), 1000)).batchSize(2000), 1000));
            double in100 = timed(() -> drain(dest.find(in(next.get(), 100)).batchSize(2000), 100));
            double keysIn1000 = timed(() -> drain(source.find(in(next.get(), 1000)).projection(keys).batchSize(2000), 1000));
            double range1000 = timed(() -> {
                int from = next.get();
                drain(dest.find(range(from, from + 1000)).sort(byId).batchSize(1000), 1000);
            });
            int span = Math.max(1000, documents / 16);
            double keyRange = timed(() -> {
                int from = Math.min(next.get(), Math.max(0, documents - span));
                // the first batch only, as a range's cursor with a batch of one chunk delivers it
                var cursor = dest.find(range(from, from + span)).projection(keys).sort(byId).batchSize(1000).cursor();
                cursor.next();
                cursor.close();
            });
            Probe p = new Probe(in1000, in100, keysIn1000, range1000, keyRange, span, BenchReport.loadAverage());
            System.err.printf(Locale.ROOT, "bench: verify probe: %s%n", p);
            return p;
        }
    }

    private static BsonDocument in(int from, int n) {
        BsonArray ids = new BsonArray();
        for (int i = from; i < from + n; i++) {
            ids.add(new BsonInt32(i)); // as seeded: BenchData's _id parses as an int32
        }
        return new BsonDocument("_id", new BsonDocument("$in", ids));
    }

    private static BsonDocument range(int from, int to) {
        return new BsonDocument("_id", new BsonDocument("$gte", new BsonInt32(from)).append("$lt", new BsonInt32(to)));
    }

    private static void drain(Iterable<?> found, int expected) {
        int n = 0;
        for (Object ignored : found) {
            n++;
        }
        if (n != expected) {
            throw new IllegalStateException("probe: " + n + " documents, expected " + expected);
        }
    }

    /** Median milliseconds of five runs, after one unmeasured. */
    private static double timed(Runnable query) {
        query.run();
        double[] ms = new double[5];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            query.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return BenchMain.median(ms);
    }

    private static void seed(String uri, int documents) {
        try (MongoClient c = MongoClients.create(uri)) {
            MongoCollection<BsonDocument> coll = c.getDatabase(SOURCE_DB).getCollection(COLLECTION, BsonDocument.class);
            for (int i = 0; i < documents; i += 1000) {
                coll.insertMany(BenchData.documents(i, Math.min(1000, documents - i)));
            }
        }
    }

    private static long count(String uri, String database) {
        try (MongoClient c = MongoClients.create(uri)) {
            return c.getDatabase(database).getCollection(COLLECTION).countDocuments();
        }
    }

    private static boolean says(Path file, String text) {
        try {
            return Files.exists(file) && Files.readString(file).contains(text);
        } catch (IOException e) {
            return false; // replaced between exists and read
        }
    }

    /** A process's CPU time (user and system) so far; NaN when the system does not say. */
    private static double cpuSeconds(ProcessHandle process) {
        return process.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** This JVM's CPU time so far: the two servers' work, the benchmark's polling and GC. */
    private static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    private static long usedHeapMiB() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / 1024 / 1024;
    }

    private static double max(double[] values) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(String log) {
        return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    }

    private Path fresh(String name) {
        try {
            return Files.createDirectories(dir.resolve("run-" + name + "-" + System.nanoTime()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
