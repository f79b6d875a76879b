package dev.ferry.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.sync.JobMXBean;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.DelayProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.SinkServer;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import de.bwaldvogel.mongo.MongoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.bson.BsonDocument;
import org.bson.Document;

/**
 * Issue 19's benchmarks 14 to 16: how fast one job is when its MongoDB is far away. The destination is a
 * {@link SinkServer} (writes acknowledged as a real server would, counted, not stored: only the clients are
 * measured) behind a {@link DelayProxy} (every byte delivered half a round trip after it arrived, in each
 * direction, while the proxy keeps reading: latency is capped, bandwidth is not).
 *
 * <ul>
 * <li>14: one NDJSON job (the file of benchmark 1) at each round trip of {@code bench.lanesRoundTrips}
 *     (default {@code 2,20,50} ms): ferry against mongoimport 100.8.0 with its defaults and with
 *     {@code --numInsertionWorkers 8};</li>
 * <li>15: a mongodb → mongodb copy, the source an ordinary embedded server seeded with the documents and the
 *     sink, each behind its own proxy of {@code bench.lanesCopyRoundTrip} (20) ms;</li>
 * <li>16: a follow job's apply rate with the sink {@code bench.lanesCopyRoundTrip} ms away: the job follows,
 *     {@code bench.lanesFollowEvents} (50000) inserts are made in the source while the daemon is paused,
 *     timed from resume() to the sink's last write of them.</li>
 * </ul>
 *
 * <p>ferry runs with its default settings as a daemon in this JVM, one job at a time. The job field
 * {@code "lanes"} is written only when {@code bench.lanes} lists variants ({@code 1,default}: the job with
 * {@code "lanes": 1} and the job without the field); without it, ferry runs as it is (one variant, "ferry").
 * Compared variants alternate their order from run to run; figures are medians of {@code bench.runs}.
 */
final class LanesBench {
    static final String DB = "ferrytest";

    private final Path dir;
    private final int runs;
    private final List<Figure> figures;
    private final List<String> notes;
    private final List<Variant> variants = variants();

    LanesBench(Path dir, int runs, List<Figure> figures, List<String> notes) {
        this.dir = dir;
        this.runs = runs;
        this.figures = figures;
        this.notes = notes;
    }

    /** A ferry job as it is ({@code lanes} null: no field) or with {@code "lanes": N}. */
    record Variant(String name, String lanes) {
        String field() {
            return lanes == null ? "" : ", \"lanes\": " + lanes;
        }

        boolean isDefault() {
            return lanes == null;
        }
    }

    static List<Variant> variants() {
        String spec = System.getProperty("bench.lanes", "").trim();
        List<Variant> out = new ArrayList<>();
        if (spec.isEmpty()) {
            out.add(new Variant("ferry", null));
            return out;
        }
        for (String v : spec.split(",")) {
            v = v.trim();
            if (v.equals("default")) {
                out.add(new Variant("ferry default", null));
            } else if (v.matches("[0-9]+")) {
                out.add(new Variant("ferry lanes " + v, v));
            } else {
                throw new IllegalArgumentException("bench.lanes: 'default' or a number of lanes, was '" + v + "'");
            }
        }
        return out;
    }

    private static int[] roundTrips() {
        String s = System.getProperty("bench.lanesRoundTrips", "2,20,50");
        return java.util.Arrays.stream(s.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
    }

    private static int copyRoundTrip() {
        return Integer.getInteger("bench.lanesCopyRoundTrip", 20);
    }

    /** A daemon with default settings but the ones a benchmark must set (paths, settle 0, its connections). */
    private static FerryConf conf(Path dir, String destUri, Path dataDir) {
        return new FerryConf(dir, destUri).set("source.file.allowedDirs", dataDir.toString())
                // the defaults, not FerryConf's test timings: pings and back-offs are not part of the figures
                .set("health.intervalSeconds", "30").set("retry.initialBackoffMillis", "500")
                .set("retry.maxBackoffMillis", "30000");
    }

    // --- 14 -------------------------------------------------------------------------------------------

    void fileJob(long documents) {
        Path file = BenchData.ndjson(dir.resolve("data").resolve("bench-" + documents + ".ndjson"), documents);
        int[] rts = roundTrips();
        boolean withMongoimport = Files.isExecutable(FileBench.MONGOIMPORT);
        try (SinkServer sink = new SinkServer()) {
            List<DelayProxy> proxies = new ArrayList<>();
            FerryConf conf = conf(fresh("lanes-file"), sink.uri(), file.getParent());
            for (int rt : rts) {
                DelayProxy p = new DelayProxy("127.0.0.1", sink.port(), Duration.ofMillis(rt));
                proxies.add(p);
                conf.set("connection.rt" + rt + ".uri", p.uri()).set("connection.rt" + rt + ".database", DB);
            }
            Spooler spool = new Spooler(conf.spool());
            int[] ids = {0};
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                // one unmeasured run of each kind at the shortest round trip: JIT, page cache, connection pools
                for (Variant v : variants) {
                    progress("warm-up " + v.name() + " @" + rts[0] + " ms",
                            ferryFile(spool, sink, "rt" + rts[0], file, documents, v, ++ids[0]));
                }
                if (withMongoimport) {
                    progress("warm-up mongoimport @" + rts[0] + " ms",
                            mongoimport(sink, proxies.get(0), file, documents, 0, ++ids[0]));
                }
                Map<Integer, double[][]> byRt = new LinkedHashMap<>();
                for (int i = 0; i < rts.length; i++) {
                    int rt = rts[i];
                    DelayProxy proxy = proxies.get(i);
                    int kinds = variants.size() + (withMongoimport ? 2 : 0);
                    double[][] rates = new double[kinds][runs];
                    for (int r = 0; r < runs; r++) {
                        final int run = r;
                        List<Runnable> order = new ArrayList<>();
                        for (int k = 0; k < variants.size(); k++) {
                            final int kind = k;
                            Variant v = variants.get(k);
                            order.add(() -> rates[kind][run] = progress(v.name() + " @" + rt + " ms",
                                    ferryFile(spool, sink, "rt" + rt, file, documents, v, ++ids[0])));
                        }
                        if (withMongoimport) {
                            int base = variants.size();
                            order.add(() -> rates[base][run] = progress("mongoimport @" + rt + " ms",
                                    mongoimport(sink, proxy, file, documents, 0, ++ids[0])));
                            order.add(() -> rates[base + 1][run] = progress("mongoimport -j 8 @" + rt + " ms",
                                    mongoimport(sink, proxy, file, documents, 8, ++ids[0])));
                        }
                        BenchMain.rotate(order, r).forEach(Runnable::run);
                    }
                    byRt.put(rt, rates);
                    StringBuilder measured = new StringBuilder();
                    for (int k = 0; k < variants.size(); k++) {
                        measured.append(String.format(Locale.ROOT, "%s %,.0f docs/s; ", variants.get(k).name(),
                                BenchMain.median(rates[k])));
                    }
                    String ratio = "—";
                    boolean met = false;
                    int d = defaultIndex();
                    if (withMongoimport) {
                        int base = variants.size();
                        measured.append(String.format(Locale.ROOT, "mongoimport %,.0f docs/s, mongoimport "
                                + "`--numInsertionWorkers 8` %,.0f docs/s", BenchMain.median(rates[base]),
                                BenchMain.median(rates[base + 1])));
                        if (d >= 0) {
                            double x = BenchMain.medianRatio(rates[d], rates[base + 1]);
                            ratio = String.format(Locale.ROOT, "%.2f", x);
                            met = x >= 1.3;
                        }
                    } else {
                        measured.append("mongoimport not measured: ").append(FileBench.MONGOIMPORT).append(" is absent");
                    }
                    figures.add(new Figure("14", String.format(Locale.ROOT, "%,d-document NDJSON job into a sink %d ms "
                            + "away (round trip): ferry / mongoimport ×8", documents, rt), measured.toString(), ratio,
                            "≥ 1.3 (default settings)", met));
                }
                int d = defaultIndex();
                if (d >= 0 && rts.length > 1) {
                    int near = rts[0];
                    int far = rts[rts.length - 1];
                    double x = BenchMain.median(byRt.get(far)[d]) / BenchMain.median(byRt.get(near)[d]);
                    figures.add(new Figure("14", String.format(Locale.ROOT, "the same job, ferry at %d ms vs. at %d ms",
                            far, near), String.format(Locale.ROOT, "%,.0f vs. %,.0f docs/s",
                            BenchMain.median(byRt.get(far)[d]), BenchMain.median(byRt.get(near)[d])),
                            String.format(Locale.ROOT, "%.2f", x), "≥ 0.7 (round trip hidden)", x >= 0.7));
                }
            } finally {
                proxies.forEach(DelayProxy::close);
            }
        }
        notes.add("14: the file of benchmark 1 (" + documents + " documents of about 180 bytes); the destination a "
                + "SinkServer (dev.ferry.testing: acknowledges every write as against an empty collection, stores "
                + "nothing) behind one DelayProxy per round trip (half the round trip added in each direction, the "
                + "proxy reading on meanwhile); ferry is one daemon in the benchmark JVM with default settings "
                + "(queue.settleMillis 0), the job {source file ndjson, destination} with nothing else "
                + variantNote() + ", timed from the drop to done/; mongoimport a process timed from start to exit: "
                + "`mongoimport --uri mongodb://127.0.0.1:PROXYPORT --db ferrytest --collection C --type json --file F "
                + "--quiet` and the same with `--numInsertionWorkers 8`; each run's writes are counted by the sink "
                + "(must equal the documents); one warm-up run of each at the first round trip; the ratio is the "
                + "median of the per-round ratios ferry default / mongoimport ×8");
    }

    private double ferryFile(Spooler spool, SinkServer sink, String connection, Path file, long documents, Variant v,
            int n) {
        String id = "lanes-file-" + n;
        String json = "{\"id\": \"" + id + "\", \"source\": {\"type\": \"file\", \"path\": \"" + file
                + "\", \"format\": \"ndjson\"}, \"destination\": {\"connection\": \"" + connection
                + "\", \"collection\": \"" + id + "\"}" + v.field() + "}";
        return timedJob(spool, sink, id, json, documents);
    }

    private static double timedJob(Spooler spool, SinkServer sink, String id, String json, long documents) {
        long t0 = System.nanoTime();
        spool.drop(id + ".json", json);
        Document result = spool.awaitDone(id, Duration.ofMinutes(15));
        long nanos = System.nanoTime() - t0;
        long read = ((Number) result.get("documentsRead")).longValue();
        long written = sink.writes(DB + "." + id);
        if (read != documents || written < documents) {
            throw new IllegalStateException(id + ": read " + read + ", the sink saw " + written + " writes, expected "
                    + documents + ": " + result.toJson());
        }
        return documents * 1e9 / nanos;
    }

    private double mongoimport(SinkServer sink, DelayProxy proxy, Path file, long documents, int workers, int n) {
        String collection = "mongoimport-" + n;
        List<String> command = new ArrayList<>(List.of(FileBench.MONGOIMPORT.toString(), "--uri", proxy.uri(), "--db",
                DB, "--collection", collection, "--type", "json", "--file", file.toString(), "--quiet"));
        if (workers > 0) {
            command.add("--numInsertionWorkers");
            command.add(Integer.toString(workers));
        }
        long nanos = FileBench.runMongoimport(command, 15);
        long written = sink.writes(DB + "." + collection);
        if (written != documents) {
            throw new IllegalStateException(collection + ": the sink saw " + written + " writes, expected " + documents);
        }
        return documents * 1e9 / nanos;
    }

    // --- 15 -------------------------------------------------------------------------------------------

    void copy(int documents) {
        int rt = copyRoundTrip();
        try (TestMongoServer source = new TestMongoServer(); SinkServer sink = new SinkServer();
             DelayProxy sourceProxy = new DelayProxy("127.0.0.1", source.port(), Duration.ofMillis(rt));
             DelayProxy sinkProxy = new DelayProxy("127.0.0.1", sink.port(), Duration.ofMillis(rt))) {
            seed(source.uri(), "items", documents);
            source.indexIdRanges();
            FerryConf conf = conf(fresh("lanes-copy"), sinkProxy.uri(), dir.resolve("data"))
                    .set("connection.src.uri", sourceProxy.uri()).set("connection.src.database", "srcdb");
            Spooler spool = new Spooler(conf.spool());
            int[] ids = {0};
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                for (Variant v : variants) {
                    progress("warm-up copy " + v.name(), copyJob(spool, sink, documents, v, ++ids[0]));
                }
                double[][] rates = new double[variants.size()][runs];
                for (int r = 0; r < runs; r++) {
                    final int run = r;
                    List<Runnable> order = new ArrayList<>();
                    for (int k = 0; k < variants.size(); k++) {
                        final int kind = k;
                        Variant v = variants.get(k);
                        order.add(() -> rates[kind][run] = progress("copy " + v.name() + " @" + rt + " ms",
                                copyJob(spool, sink, documents, v, ++ids[0])));
                    }
                    BenchMain.rotate(order, r).forEach(Runnable::run);
                }
                comparison("15", String.format(Locale.ROOT, "mongodb → mongodb copy of %,d documents, source and "
                        + "destination (sink) each %d ms away", documents, rt), "docs/s", rates);
            }
        }
        notes.add("15: the source an ordinary embedded server (TestMongoServer, memory backend) seeded directly with "
                + documents + " documents of benchmark 1, answering a query for an _id range through its sorted _ids as "
                + "a real server does through its _id index (TestMongoServer.indexIdRanges: the memory backend alone "
                + "scans all documents for each range, about 140 ms per query here, which a real server never does), "
                + "the destination a SinkServer, each behind its own DelayProxy of "
                + rt + " ms round trip; one daemon with default settings, the job {source mongodb src items, "
                + "destination}" + variantNote() + ", timed from the drop to done/; the sink's write count must equal "
                + "the documents (its content cannot be compared: it stores nothing)");
    }

    private static double copyJob(Spooler spool, SinkServer sink, int documents, Variant v, int n) {
        String id = "lanes-copy-" + n;
        String json = "{\"id\": \"" + id + "\", \"source\": {\"type\": \"mongodb\", \"connection\": \"src\", "
                + "\"collection\": \"items\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"" + id
                + "\"}" + v.field() + "}";
        return timedJob(spool, sink, id, json, documents);
    }

    private static void seed(String uri, String collection, int documents) {
        try (MongoClient c = MongoClients.create(uri)) {
            MongoCollection<BsonDocument> coll = c.getDatabase("srcdb").getCollection(collection, BsonDocument.class);
            for (int i = 0; i < documents; i += 1000) {
                coll.insertMany(BenchData.documents(i, Math.min(1000, documents - i)));
            }
        }
    }

    // --- 16 -------------------------------------------------------------------------------------------

    void follow() {
        int rt = copyRoundTrip();
        int events = Integer.getInteger("bench.lanesFollowEvents", 50_000);
        int seedDocs = Integer.getInteger("bench.lanesFollowSeed", 1_000);
        double[][] rates = new double[variants.size()][runs];
        double[][] insertSeconds = new double[variants.size()][runs];
        double[][] getMoreShare = new double[variants.size()][runs];
        double[][] perCommand = new double[variants.size()][runs];
        for (Variant v : variants) {
            followRun(v, rt, seedDocs, Math.min(events, 5_000)); // warm-up
        }
        for (int r = 0; r < runs; r++) {
            final int run = r;
            List<Runnable> order = new ArrayList<>();
            for (int k = 0; k < variants.size(); k++) {
                final int kind = k;
                Variant v = variants.get(k);
                order.add(() -> {
                    double[] x = followRun(v, rt, seedDocs, events);
                    rates[kind][run] = x[0];
                    insertSeconds[kind][run] = x[1];
                    getMoreShare[kind][run] = x[2];
                    perCommand[kind][run] = x[3];
                    System.err.printf(Locale.ROOT, "bench: follow %s @%d ms: %,.0f events/s (the %,d inserts took "
                            + "%.2f s to make while paused; the source spent %.0f %% of the apply time in getMore; "
                            + "%,.0f events per write command); load %s%n", v.name(), rt, x[0], events, x[1],
                            100 * x[2], x[3], BenchReport.loadAverage());
                });
            }
            BenchMain.rotate(order, r).forEach(Runnable::run);
        }
        StringBuilder share = new StringBuilder();
        for (int k = 0; k < variants.size(); k++) {
            share.append(String.format(Locale.ROOT, "; %s: source in getMore %.0f %% of the apply time, %,.0f events "
                    + "per write command", variants.get(k).name(), 100 * BenchMain.median(getMoreShare[k]),
                    BenchMain.median(perCommand[k])));
        }
        comparison("16", String.format(Locale.ROOT, "follow job applying %,d inserts, destination (sink) %d ms away",
                events, rt), "events/s", rates, share.toString());
        notes.add("16: per run a fresh source (mongo-java-server with its oplog, as TestMongoServer.withOplog(), on "
                + "FollowBench's backend that adds up its time in getMore; not delayed) seeded with " + seedDocs
                + " documents, a fresh daemon with default settings and one follow job {source mongodb follow, "
                + "destination}" + variantNote() + " into a SinkServer behind a DelayProxy of " + rt + " ms round "
                + "trip; once the job is FOLLOWING and caught up (LagMillis 0 and the sink's count still for 1 s), "
                + "the daemon is paused (orchestrator pause(): the job holds between batches of events), " + events
                + " inserts of new keys are made in the source in unordered batches of 1,000, and the rate is the "
                + "events over the time from resume() to the sink's last write of them; 'source in getMore' is the "
                + "source server's time answering the change stream over that time, 'events per write command' the "
                + "events over the insert/update/delete commands the sink took meanwhile");
    }

    /** @return events per second, and the seconds the source took to take the inserts */
    private double[] followRun(Variant v, int rt, int seedDocs, int events) {
        MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
        // as TestMongoServer.withOplog(), on a backend that adds up its time in getMore (the change stream's reads)
        FollowBench.ArrivalBackend sourceBackend = new FollowBench.ArrivalBackend();
        MongoServer sourceServer = new MongoServer(sourceBackend);
        sourceServer.enableOplog();
        sourceServer.bind("127.0.0.1", 0);
        String sourceUri = "mongodb://127.0.0.1:" + sourceServer.getLocalAddress().getPort();
        try (SinkServer sink = new SinkServer();
             DelayProxy sinkProxy = new DelayProxy("127.0.0.1", sink.port(), Duration.ofMillis(rt));
             MongoClient client = MongoClients.create(sourceUri)) {
            MongoCollection<BsonDocument> items = client.getDatabase("srcdb").getCollection("items", BsonDocument.class);
            for (int i = 0; i < seedDocs; i += 1000) {
                items.insertMany(BenchData.documents(i, Math.min(1000, seedDocs - i)));
            }
            FerryConf conf = conf(fresh("lanes-follow"), sinkProxy.uri(), dir.resolve("data"))
                    .set("connection.src.uri", sourceUri).set("connection.src.database", "srcdb");
            Spooler spool = new Spooler(conf.spool());
            String id = "lanes-follow";
            String ns = DB + "." + id;
            try (DaemonFixture daemon = new DaemonFixture(conf, mbeans).start()) {
                spool.drop(id + ".json", "{\"id\": \"" + id + "\", \"source\": {\"type\": \"mongodb\", \"connection\": "
                        + "\"src\", \"collection\": \"items\", \"follow\": true}, \"destination\": {\"connection\": "
                        + "\"dest\", \"collection\": \"" + id + "\"}" + v.field() + "}");
                ObjectName name = MBeanRegistrar.name("Job", id);
                await(Duration.ofSeconds(60), () -> mbeans.isRegistered(name), () -> "job bean of " + id);
                JobMXBean job = JMX.newMXBeanProxy(mbeans, name, JobMXBean.class);
                await(Duration.ofMinutes(5), () -> "FOLLOWING".equals(job.getPhase()),
                        () -> "FOLLOWING, was " + job.getPhase() + "/" + job.getState() + " " + job.getLastError());
                // the embedded server replays the seed's inserts as events too: wait until nothing moves
                long[] last = {-1, System.nanoTime()};
                await(Duration.ofMinutes(5), () -> {
                    long w = sink.writes(ns);
                    long now = System.nanoTime();
                    if (w != last[0] || job.getLagMillis() != 0) {
                        last[0] = w;
                        last[1] = now;
                        return false;
                    }
                    return w >= seedDocs && now - last[1] >= 1_000_000_000L;
                }, () -> "caught up: sink " + sink.writes(ns) + ", LagMillis " + job.getLagMillis());
                // the burst is made while the daemon is paused (the job holds between batches of events), so
                // the figure is the apply rate alone, not also the source's insert rate
                daemon.daemon().orchestrator().pause();
                await(Duration.ofSeconds(30), () -> "PAUSED".equals(job.getState()), () -> "PAUSED, was " + job.getState());
                long before = sink.writes(ns);
                long m0 = System.nanoTime();
                for (int i = 0; i < events; i += 1000) {
                    List<BsonDocument> batch = BenchData.documents(seedDocs + i, Math.min(1000, events - i));
                    items.insertMany(batch, new com.mongodb.client.model.InsertManyOptions().ordered(false));
                }
                double made = (System.nanoTime() - m0) / 1e9;
                long getMore0 = sourceBackend.getMoreNanos.get();
                long commands0 = sink.writeCommands();
                long t0 = System.nanoTime();
                daemon.daemon().orchestrator().resume();
                if (!sink.awaitWrites(ns, before + events, Duration.ofMinutes(10))) {
                    throw new IllegalStateException(id + ": the sink saw " + (sink.writes(ns) - before) + " of "
                            + events + " events");
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double getMore = (sourceBackend.getMoreNanos.get() - getMore0) / 1e9;
                return new double[] {events / seconds, made, getMore / seconds,
                        events / (double) Math.max(1, sink.writeCommands() - commands0)};
            }
        } finally {
            sourceServer.shutdownNow();
        }
    }

    // --- shared ---------------------------------------------------------------------------------------

    /** One row per comparison: every variant's median, and default / lanes 1 when both ran. */
    private void comparison(String number, String what, String unit, double[][] rates) {
        comparison(number, what, unit, rates, "");
    }

    private void comparison(String number, String what, String unit, double[][] rates, String more) {
        StringBuilder measured = new StringBuilder();
        for (int k = 0; k < variants.size(); k++) {
            if (k > 0) {
                measured.append("; ");
            }
            measured.append(String.format(Locale.ROOT, "%s %,.0f %s", variants.get(k).name(),
                    BenchMain.median(rates[k]), unit));
        }
        measured.append(more);
        int d = defaultIndex();
        int one = -1;
        for (int k = 0; k < variants.size(); k++) {
            if ("1".equals(variants.get(k).lanes())) {
                one = k;
            }
        }
        if (d >= 0 && one >= 0) {
            double x = BenchMain.medianRatio(rates[d], rates[one]);
            figures.add(new Figure(number, what + ": default vs. `\"lanes\": 1`", measured.toString(),
                    String.format(Locale.ROOT, "%.2f", x), "≥ 4", x >= 4));
        } else {
            figures.add(new Figure(number, what, measured.toString(), "—",
                    "≥ 4 × `\"lanes\": 1`: not compared (no \"lanes\" field yet; -Dbench.lanes=1,default compares)", false));
        }
    }

    private int defaultIndex() {
        for (int k = 0; k < variants.size(); k++) {
            if (variants.get(k).isDefault()) {
                return k;
            }
        }
        return -1;
    }

    private String variantNote() {
        if (variants.size() == 1 && variants.get(0).isDefault()) {
            return " (no \"lanes\" field: ferry as it is)";
        }
        StringBuilder s = new StringBuilder(" in the variants");
        for (Variant v : variants) {
            s.append(' ').append(v.name()).append(v.isDefault() ? " (no \"lanes\" field)" : " (\"lanes\": " + v.lanes() + ")");
        }
        return s.toString();
    }

    private Path fresh(String name) {
        try {
            return Files.createDirectories(dir.resolve("run-" + name + "-" + System.nanoTime()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double progress(String what, double perSecond) {
        System.err.printf(Locale.ROOT, "bench: %s %,.0f docs/s; load %s%n", what, perSecond, BenchReport.loadAverage());
        return perSecond;
    }

    private static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + ": " + what.get());
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }
}
