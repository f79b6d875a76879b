package dev.ferry.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.InsertOneModel;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.WriteModel;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.sync.JobMXBean;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import io.netty.channel.Channel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;

/**
 * Benchmark 8: a follow job (issue 12) in a daemon in this JVM, source and destination embedded
 * servers on loopback ports (the source with its oplog on, as {@code embedded:} stores run).
 *
 * <p>Each change the benchmark makes to the source carries a sequence number {@code seq}; the
 * destination server is a memory backend that notes, after it executed each {@code update} (ferry
 * applies inserts, updates and replaces as replaces by {@code _id}) or {@code delete} command, when each
 * {@code seq} arrived ({@link ArrivalBackend}). That is end to end, source write to destination write,
 * with no reader polling in between and no reliance on the server's cluster time (whole seconds).
 */
final class FollowBench {
    static final String JOB_COLLECTION = "items";

    private FollowBench() {
    }

    /**
     * @param documents         seeded before the job, copied by its snapshot
     * @param snapshotSeconds   drop of the job to every seeded document written (claim, start point, copy)
     * @param copySeconds       first snapshot chunk written to every seeded document written
     * @param burst             changes made while the job was paused in FOLLOWING
     * @param applySeconds      resume() to the last of them executed by the destination
     * @param eventsApplied     the job's EventsApplied growth over the burst (should equal burst)
     * @param sourceGetMoreSeconds    of applySeconds, the source server's time in getMore (making the events)
     * @param destinationWriteSeconds of applySeconds, the destination server's time executing ferry's writes
     * @param snapshotReadSeconds     of snapshotSeconds, the source server's time in find and getMore
     */
    record ApplyRun(int documents, double snapshotSeconds, double copySeconds, int burst, double applySeconds,
            long eventsApplied, double sourceGetMoreSeconds, double destinationWriteSeconds,
            double snapshotReadSeconds) {
        double snapshotRate() {
            return documents / snapshotSeconds;
        }

        double applyRate() {
            return burst / applySeconds;
        }
    }

    /**
     * @param changes   made within the measured window
     * @param perSecond the rate achieved within the window
     * @param missing   changes of the window that never arrived within the grace period
     * @param lagMillis each arrived change's lag, sorted
     * @param sourceGetMoreShare the source server's time in getMore (the change stream) over the window's time
     */
    record LagRun(int changes, double perSecond, int missing, double[] lagMillis, double sourceGetMoreShare) {
        double percentile(double p) {
            if (lagMillis.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p * (changes)) - 1;
            // a change that never arrived counts as later than all that did
            return i >= lagMillis.length ? Double.POSITIVE_INFINITY : lagMillis[Math.max(0, i)];
        }
    }

    /**
     * Snapshot of {@code documents}, then two bursts of {@code burst} changes, each made while paused and
     * applied after resume(): the mix of updates, inserts and deletes, and inserts only (whose events need
     * no lookup on this server), in the order given by {@code insertsFirst}.
     */
    static ApplyRun[] apply(Path dir, int documents, int burst, boolean insertsFirst) {
        try (Rig rig = new Rig(dir, documents)) {
            double[] snapshot = rig.snapshot();
            Arrivals arrivals = rig.track(2 * burst);
            Changes changes = new Changes(rig.source, documents, arrivals, 0);
            ApplyRun[] out = new ApplyRun[2];
            for (int b = 0; b < 2; b++) {
                boolean insertsOnly = (b == 0) == insertsFirst;
                int first = b * burst;
                rig.pauseJob();
                for (int from = first; from < first + burst; from += 1000) {
                    changes.make(from, Math.min(first + burst, from + 1000), System.nanoTime(), insertsOnly);
                }
                long eventsBefore = rig.job.getEventsApplied();
                long getMore0 = rig.sourceBackend.getMoreNanos.get();
                long write0 = rig.destBackend.writeNanos.get();
                long t0 = System.nanoTime();
                rig.daemon.daemon().orchestrator().resume();
                // every change before this burst arrived already: a total count is enough, and cheap to poll
                // (counting the burst's slots every millisecond would take a core of this 2-core machine)
                await(Duration.ofMinutes(5), () -> arrivals.count() >= first + burst,
                        () -> "the burst applied: " + (arrivals.count() - first) + " of " + burst + " arrived");
                double applySeconds = (System.nanoTime() - t0) / 1e9;
                double getMoreSeconds = (rig.sourceBackend.getMoreNanos.get() - getMore0) / 1e9;
                double writeSeconds = (rig.destBackend.writeNanos.get() - write0) / 1e9;
                await(Duration.ofSeconds(30), () -> rig.job.getEventsApplied() >= eventsBefore + burst,
                        () -> "EventsApplied " + rig.job.getEventsApplied() + ", expected " + (eventsBefore + burst));
                rig.awaitCaughtUp();
                out[insertsOnly ? 1 : 0] = new ApplyRun(documents, snapshot[0], snapshot[1], burst, applySeconds,
                        rig.job.getEventsApplied() - eventsBefore, getMoreSeconds, writeSeconds, snapshot[2]);
            }
            return out;
        }
    }

    /**
     * Snapshot of {@code documents}, then changes at {@code perSecond} (in ticks of 10 ms) for
     * {@code warmUp} + {@code window}; the lag of each change made within the window.
     */
    static LagRun lag(Path dir, int documents, int perSecond, Duration warmUp, Duration window, int updateCycle,
            boolean insertsOnly) {
        try (Rig rig = new Rig(dir, documents)) {
            rig.snapshot();
            int perTick = Math.max(1, perSecond / 100);
            long tickNanos = 10_000_000L;
            int total = (int) ((warmUp.plus(window).toNanos() / tickNanos) * perTick);
            Arrivals arrivals = rig.track(total);
            Changes changes = new Changes(rig.source, documents, arrivals, updateCycle);
            long[] sent = new long[total];
            long start = System.nanoTime();
            long windowStart = start + warmUp.toNanos();
            long windowEnd = windowStart + window.toNanos();
            int first = -1;
            int last = -1;
            long getMoreAtWindow = -1;
            for (int tick = 0, seq = 0; seq < total; tick++, seq += perTick) {
                long due = start + tick * tickNanos;
                long now = System.nanoTime();
                if (due > now) {
                    LockSupport.parkNanos(due - now);
                }
                now = System.nanoTime();
                if (now >= windowEnd) {
                    break;
                }
                int to = Math.min(total, seq + perTick);
                Arrays.fill(sent, seq, to, now);
                changes.make(seq, to, now, insertsOnly);
                if (now >= windowStart) {
                    if (first < 0) {
                        first = seq;
                        getMoreAtWindow = rig.sourceBackend.getMoreNanos.get();
                    }
                    last = to - 1;
                }
            }
            double getMoreShare = (rig.sourceBackend.getMoreNanos.get() - getMoreAtWindow) / (double) window.toNanos();
            int firstSeq = first;
            int lastSeq = last;
            long made = lastSeq - firstSeq + 1;
            // the grace period: everything made should arrive; what does not is reported, not waited for forever
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && arrivals.countBetween(firstSeq, lastSeq) < made) {
                LockSupport.parkNanos(10_000_000L);
            }
            double[] lags = new double[(int) made];
            int n = 0;
            for (int s = firstSeq; s <= lastSeq; s++) {
                long at = arrivals.at(s);
                if (at != 0) {
                    lags[n++] = (at - sent[s]) / 1e6;
                }
            }
            double[] arrived = Arrays.copyOf(lags, n);
            Arrays.sort(arrived);
            return new LagRun((int) made, made / (window.toNanos() / 1e9), (int) (made - n), arrived, getMoreShare);
        }
    }

    private static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + ": " + what.get());
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    /** Source, destination, daemon and one follow job. */
    private static final class Rig implements AutoCloseable {
        private static int jobs;
        /** As TestMongoServer.withOplog(), on a backend that times its getMore commands. */
        private final ArrivalBackend sourceBackend = new ArrivalBackend();
        private final MongoServer sourceServer = new MongoServer(sourceBackend);
        private final ArrivalBackend destBackend = new ArrivalBackend();
        private final MongoServer destServer = new MongoServer(destBackend);
        private final MongoClient sourceClient;
        private final MongoCollection<BsonDocument> source;
        private final MBeanServer mbeans = MBeanServerFactory.newMBeanServer();
        private final DaemonFixture daemon;
        private final Spooler spool;
        private final String id = "follow-" + (++jobs);
        private final int documents;
        private JobMXBean job;

        Rig(Path dir, int documents) {
            this.documents = documents;
            sourceServer.enableOplog();
            sourceServer.bind("127.0.0.1", 0);
            String sourceUri = "mongodb://127.0.0.1:" + sourceServer.getLocalAddress().getPort();
            destServer.bind("127.0.0.1", 0);
            String destUri = "mongodb://127.0.0.1:" + destServer.getLocalAddress().getPort();
            sourceClient = MongoClients.create(sourceUri);
            source = sourceClient.getDatabase("srcdb").getCollection(JOB_COLLECTION, BsonDocument.class);
            List<BsonDocument> all = BenchData.documents(0, documents);
            for (int i = 0; i < documents; i += 1000) {
                source.insertMany(all.subList(i, Math.min(documents, i + 1000)));
            }
            FerryConf conf = new FerryConf(dir, destUri).set("connection.src.uri", sourceUri)
                    .set("connection.src.database", "srcdb").set("connection.src.serverSelectionTimeoutMS", "2000")
                    // the default health interval (30 s), not the tests' 1 s: pings are not part of the figure
                    .set("health.intervalSeconds", "30");
            daemon = new DaemonFixture(conf, mbeans).start();
            spool = new Spooler(conf.spool());
        }

        /**
         * @return seconds from the drop to every document copied, from the first chunk to every document, and
         *         the source server's time in find and getMore in between
         */
        double[] snapshot() {
            ObjectName name = MBeanRegistrar.name("Job", id);
            long read0 = sourceBackend.readNanos.get();
            long t0 = System.nanoTime();
            spool.drop(id + ".json", "{\"id\": \"" + id + "\", \"source\": {\"type\": \"mongodb\", \"connection\": "
                    + "\"src\", \"collection\": \"" + JOB_COLLECTION + "\", \"follow\": true}, \"destination\": "
                    + "{\"connection\": \"dest\", \"collection\": \"" + JOB_COLLECTION + "\"}}");
            await(Duration.ofSeconds(60), () -> mbeans.isRegistered(name), () -> "job bean of " + id);
            job = JMX.newMXBeanProxy(mbeans, name, JobMXBean.class);
            await(Duration.ofMinutes(5), () -> job.getDocumentsWritten() > 0, () -> "a first chunk");
            long firstChunk = System.nanoTime();
            await(Duration.ofMinutes(5), () -> job.getDocumentsWritten() >= documents,
                    () -> "snapshot copied: " + job.getDocumentsWritten() + " of " + documents);
            long copied = System.nanoTime();
            double readSeconds = (sourceBackend.readNanos.get() - read0) / 1e9;
            await(Duration.ofSeconds(60), () -> "FOLLOWING".equals(job.getPhase()) && "FOLLOWING".equals(job.getState()),
                    () -> "FOLLOWING, was " + job.getPhase() + "/" + job.getState());
            // the embedded server gives no start token, so the job starts 60 s before the drop (docs/follow.md, "Follow
            // mode") and replays the seed's inserts as events first: measure only once that is done
            awaitCaughtUp();
            return new double[] {(copied - t0) / 1e9, (copied - firstChunk) / 1e9, readSeconds};
        }

        /** LagMillis 0 and EventsApplied unchanged for 1 s: nothing left to apply. */
        void awaitCaughtUp() {
            long[] last = {-1, System.nanoTime()};
            await(Duration.ofMinutes(5), () -> {
                long applied = job.getEventsApplied();
                long now = System.nanoTime();
                if (applied != last[0] || job.getLagMillis() != 0) {
                    last[0] = applied;
                    last[1] = now;
                    return false;
                }
                return now - last[1] >= 1_000_000_000L;
            }, () -> "caught up: LagMillis " + job.getLagMillis() + ", EventsApplied " + job.getEventsApplied());
        }

        /** Pauses the orchestrator and waits until the follow loop holds between batches. */
        void pauseJob() {
            daemon.daemon().orchestrator().pause();
            await(Duration.ofSeconds(30), () -> "PAUSED".equals(job.getState()), () -> "PAUSED, was " + job.getState());
        }

        Arrivals track(int changes) {
            Arrivals a = new Arrivals(changes);
            destBackend.arrivals = a;
            return a;
        }

        @Override
        public void close() {
            daemon.close();
            sourceClient.close();
            destServer.shutdownNow();
            sourceServer.shutdownNow();
        }
    }

    /**
     * Changes: of every 5, 3 updates of seeded documents (from the lowest key up, or cycling over the
     * lowest {@code updateCycle} keys), 1 insert of a new key, 1 delete of a seeded document (from the
     * highest key down). With distinct keys no two changes touch one document, so folding in a batch
     * never hides one; cycling keys come back only seconds apart.
     */
    private static final class Changes {
        private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);
        private final MongoCollection<BsonDocument> source;
        private final int documents;
        private final Arrivals arrivals;
        private final int updateCycle;
        private int nextUpdate;
        private int nextDelete;

        /** @param updateCycle 0: every update its own key; else updates cycle over keys 0 to updateCycle - 1 */
        Changes(MongoCollection<BsonDocument> source, int documents, Arrivals arrivals, int updateCycle) {
            this.source = source;
            this.documents = documents;
            this.arrivals = arrivals;
            this.updateCycle = updateCycle;
            this.nextDelete = documents - 1;
        }

        /**
         * Changes {@code from} to {@code to} (exclusive) in one unordered bulk write, stamped {@code ts}.
         *
         * @param insertsOnly every change an insert of a new key (an insert's event carries its document; an
         *                    update's needs the server's updateLookup, a scan of the collection on this server)
         */
        void make(int from, int to, long ts, boolean insertsOnly) {
            List<WriteModel<BsonDocument>> models = new ArrayList<>(to - from);
            for (int seq = from; seq < to; seq++) {
                BsonInt32 s = new BsonInt32(seq);
                switch (insertsOnly ? 3 : seq % 5) {
                    case 3 -> models.add(new InsertOneModel<>(BsonDocument.parse(BenchData.line(documents + seq))
                            .append("seq", s).append("ts", new BsonInt64(ts))));
                    case 4 -> {
                        int key = nextDelete--;
                        arrivals.expectDelete(key, seq);
                        models.add(new DeleteOneModel<>(new BsonDocument("_id", new BsonInt32(key))));
                    }
                    default -> {
                        int key = updateCycle == 0 ? nextUpdate++ : nextUpdate++ % updateCycle;
                        models.add(new UpdateOneModel<>(new BsonDocument("_id", new BsonInt32(key)),
                                new BsonDocument("$set", new BsonDocument("seq", s).append("ts", new BsonInt64(ts)))));
                    }
                }
            }
            if ((updateCycle == 0 ? nextUpdate : updateCycle) > nextDelete) {
                throw new IllegalStateException("more changes than seeded documents: seed more");
            }
            source.bulkWrite(models, UNORDERED);
        }
    }

    /** When each change (by its seq) was first executed by the destination. */
    static final class Arrivals {
        private final AtomicLongArray at;
        private final AtomicInteger count = new AtomicInteger();
        private final Map<Integer, Integer> deleteSeq = new ConcurrentHashMap<>();

        Arrivals(int changes) {
            at = new AtomicLongArray(changes);
        }

        void expectDelete(int key, int seq) {
            deleteSeq.put(key, seq);
        }

        void arrived(int seq, long nanos) {
            if (seq >= 0 && seq < at.length() && at.compareAndSet(seq, 0, nanos)) {
                count.incrementAndGet();
            }
        }

        void deleted(Object id, long nanos) {
            if (id instanceof Number n) {
                Integer seq = deleteSeq.get(n.intValue());
                if (seq != null) {
                    arrived(seq, nanos);
                }
            }
        }

        int count() {
            return count.get();
        }

        long at(int seq) {
            return at.get(seq);
        }

        long countBetween(int from, int to) {
            long n = 0;
            for (int s = from; s <= to; s++) {
                if (at.get(s) != 0) {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * A memory backend that adds up the time it spends in {@code getMore} (a change stream's reads) and
     * in write commands, and tells {@link Arrivals} which changes each executed write command carried.
     */
    static final class ArrivalBackend extends MemoryBackend {
        volatile Arrivals arrivals;
        final java.util.concurrent.atomic.AtomicLong getMoreNanos = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong writeNanos = new java.util.concurrent.atomic.AtomicLong();
        /** find and getMore together: a snapshot's reads */
        final java.util.concurrent.atomic.AtomicLong readNanos = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public de.bwaldvogel.mongo.bson.Document handleCommand(Channel channel, String database, String command,
                de.bwaldvogel.mongo.bson.Document query) {
            long t0 = System.nanoTime();
            de.bwaldvogel.mongo.bson.Document reply = super.handleCommand(channel, database, command, query);
            long took = System.nanoTime() - t0;
            if (command.equals("getMore")) {
                getMoreNanos.addAndGet(took);
                readNanos.addAndGet(took);
            } else if (command.equals("find")) {
                readNanos.addAndGet(took);
            } else if (command.equals("update") || command.equals("delete") || command.equals("insert")) {
                writeNanos.addAndGet(took);
            }
            Arrivals a = arrivals;
            if (a != null) {
                long now = System.nanoTime();
                if (command.equals("update") && query.get("updates") instanceof List<?> updates) {
                    for (Object u : updates) {
                        if (u instanceof de.bwaldvogel.mongo.bson.Document d
                                && d.get("u") instanceof de.bwaldvogel.mongo.bson.Document doc
                                && doc.get("seq") instanceof Number seq) {
                            a.arrived(seq.intValue(), now);
                        }
                    }
                } else if (command.equals("delete") && query.get("deletes") instanceof List<?> deletes) {
                    for (Object d : deletes) {
                        if (d instanceof de.bwaldvogel.mongo.bson.Document del
                                && del.get("q") instanceof de.bwaldvogel.mongo.bson.Document q) {
                            a.deleted(q.get("_id"), now);
                        }
                    }
                }
            }
            return reply;
        }
    }
}
