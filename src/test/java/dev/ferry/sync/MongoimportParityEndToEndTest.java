package dev.ferry.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 23: the same csv files loaded by mongoimport 100.8.0 and by ferry with the equivalent job store the same
 * documents (generated {@code _id}s aside), or, where ferry is stricter on purpose, ferry names the record it refused
 * (docs/jobs.md, "Typed headers and parse grace").
 *
 * <p>What mongoimport stored is kept in {@code src/test/resources/parity/NAME.mongoimport.ndjson} (canonical Extended
 * JSON, sorted), so that ferry is compared with it on every machine. Where the peer is installed
 * ({@code ../shared/peers/mongoimport}, or {@code -Dparity.mongoimport=PATH}) the test also runs mongoimport on the same
 * file and checks that it still stores exactly what the file says; {@code -Dparity.record=true} rewrites the files from
 * such a run.
 */
class MongoimportParityEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path RESOURCES = Path.of("src/test/resources/parity");
    private static final Path PEER = Path.of(System.getProperty("parity.mongoimport",
            Path.of("..", "shared", "peers", "mongoimport").toString()));
    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

    private static TestMongoServer server;
    private static DaemonFixture daemon;
    private static Spooler spool;
    private static FerryConf conf;

    @TempDir
    static Path dir;

    /**
     * @param file       the csv under src/test/resources/parity
     * @param mongoimport mongoimport's options besides uri, db, collection and file
     * @param source     the ferry job's extra source fields
     * @param job        the ferry job's extra top-level fields
     * @param refused    0: both store the same; else the line ferry sets aside where mongoimport stops the import
     */
    record Case(String name, String file, List<String> mongoimport, String source, String job, long refused) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        List<String> typed = List.of("--type", "csv", "--headerline", "--columnsHaveTypes");
        return Stream.of(
                new Case("every type", "types.csv", typed, "\"columnsHaveTypes\": true", "", 0),
                new Case("tsv with every type", "types.tsv", List.of("--type", "tsv", "--headerline",
                        "--columnsHaveTypes"), "\"columnsHaveTypes\": true", "", 0),
                new Case("parseGrace autoCast", "grace.csv", plus(typed, "--parseGrace", "autoCast"),
                        "\"columnsHaveTypes\": true, \"parseGrace\": \"autoCast\"", "", 0),
                new Case("parseGrace skipField", "grace.csv", plus(typed, "--parseGrace", "skipField"),
                        "\"columnsHaveTypes\": true, \"parseGrace\": \"skipField\"", "", 0),
                new Case("parseGrace skipRow", "grace.csv", plus(typed, "--parseGrace", "skipRow"),
                        "\"columnsHaveTypes\": true, \"parseGrace\": \"skipRow\"", "", 0),
                new Case("parseGrace stop", "grace.csv", plus(typed, "--parseGrace", "stop"),
                        "\"columnsHaveTypes\": true, \"parseGrace\": \"stop\"", "\"onInvalid\": \"skip\"", 4),
                new Case("a bare quote", "bare-quote.csv", List.of("--type", "csv", "--headerline"), "",
                        "\"onInvalid\": \"skip\"", 3),
                new Case("array index fields", "arrays.csv", List.of("--type", "csv", "--headerline",
                        "--useArrayIndexFields"), "\"useArrayIndexFields\": true", "", 0),
                new Case("mode delete", "delete.csv", List.of("--type", "csv", "--headerline", "--mode", "delete"), "",
                        "\"mode\": \"delete\"", 0))
                .map(Arguments::of);
    }

    private static List<String> plus(List<String> a, String... more) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(more));
        return all;
    }

    @BeforeAll
    static void start() throws IOException {
        server = new TestMongoServer();
        conf = new FerryConf(dir, server.uri());
        daemon = new DaemonFixture(conf, null).start();
        spool = new Spooler(conf.spool());
    }

    @AfterAll
    static void stop() {
        daemon.close();
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ferryStoresWhatMongoimportStores(Case c) throws Exception {
        Path file = conf.data().resolve(c.file());
        Files.copy(RESOURCES.resolve(c.file()), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String collection = "ferry_" + c.name().replaceAll("\\W", "_");
        preload(collection, c);
        spool.drop(collection + ".json", "{\"source\": {\"type\": \"file\", \"path\": \"" + file + "\", \"format\": \""
                + (c.file().endsWith(".tsv") ? "tsv" : "csv") + "\"" + (c.source().isEmpty() ? "" : ", " + c.source())
                + "}, \"destination\": {\"connection\": \"dest\", \"collection\": \"" + collection + "\"}, "
                // the files have no _id: ferry makes one from the record's place, mongoimport an ObjectId
                + (c.job().contains("\"mode\"") ? c.job() : "\"mode\": \"insert\", \"idFrom\": \"position\""
                        + (c.job().isEmpty() ? "" : ", " + c.job()))
                + "}");
        Document result = spool.awaitDone(collection, WAIT);
        boolean ids = c.mongoimport().contains("delete");
        List<String> ferry = stored(collection, ids);

        Path golden = RESOURCES.resolve(c.name().replaceAll("\\W", "-") + ".mongoimport.ndjson");
        if (Files.isExecutable(PEER)) {
            String peerCollection = "mongoimport_" + c.name().replaceAll("\\W", "_");
            preload(peerCollection, c);
            int exit = mongoimport(c, file, peerCollection);
            List<String> peer = stored(peerCollection, ids);
            if (Boolean.getBoolean("parity.record")) {
                Files.write(golden, peer);
            }
            if (c.refused() > 0) {
                assertNotEquals(0, exit, c + ": mongoimport stops where ferry sets a record aside");
            } else {
                assertEquals(0, exit, c + ": mongoimport failed");
            }
            assertEquals(Files.readAllLines(golden), peer, c + ": mongoimport 100.8.0 no longer stores " + golden);
        }
        // grace.csv has two cells that are no double: BLAH (line 4) and an empty one (line 5)
        if (c.source().contains("skipField")) {
            assertEquals(2, result.get("fieldsSkipped", Number.class).intValue(), result.toJson());
        } else if (c.source().contains("autoCast")) {
            assertEquals(2, result.get("fieldsAutoCast", Number.class).intValue(), result.toJson());
        } else if (c.source().contains("skipRow")) {
            assertEquals(2, result.get("rejected", Number.class).intValue(), result.toJson());
            List<String> rows = Files.readAllLines(conf.spool().resolve("done").resolve(collection + ".rejected.ndjson"));
            assertEquals(List.of(4L, 5L), rows.stream().map(r -> Document.parse(r).get("line", Number.class).longValue())
                    .toList(), rows.toString());
        }
        if (c.refused() == 0) {
            assertEquals(Files.readAllLines(golden), ferry, c + ": ferry stores other documents than mongoimport");
        } else {
            assertTrue(result.get("rejected", Number.class).intValue() >= 1, result.toJson());
            List<String> rejected = Files.readAllLines(conf.spool().resolve("done").resolve(collection + ".rejected.ndjson"));
            assertEquals(c.refused(), Document.parse(rejected.get(0)).get("line", Number.class).longValue(), rejected.get(0));
            assertTrue(ferry.size() > 0, "the rest loads");
        }
    }

    /** A delete job needs documents to delete: the same ones in both collections. */
    private static void preload(String collection, Case c) {
        if (!c.mongoimport().contains("delete")) {
            return;
        }
        try (MongoClient client = MongoClients.create(server.uri())) {
            MongoCollection<Document> coll = client.getDatabase("ferrytest").getCollection(collection);
            coll.drop();
            for (int i = 1; i <= 6; i++) {
                coll.insertOne(new Document("_id", i).append("name", "n" + i));
            }
        }
    }

    /** The collection's documents, without {@code _id} unless the file gave it, in canonical Extended JSON, sorted. */
    private static List<String> stored(String collection, boolean ids) {
        try (MongoClient client = MongoClients.create(server.uri())) {
            List<String> out = new ArrayList<>();
            for (BsonDocument d : client.getDatabase("ferrytest").getCollection(collection, BsonDocument.class).find()) {
                if (!ids) {
                    d.remove("_id");
                }
                out.add(d.toJson(CANONICAL));
            }
            out.sort(null);
            return out;
        }
    }

    private static int mongoimport(Case c, Path file, String collection) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PEER.toString(), "--uri", server.uri(), "--db", "ferrytest",
                "--collection", collection, "--file", file.toString(), "--quiet"));
        command.addAll(c.mongoimport());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mongoimport did not end: " + output);
        }
        System.out.println(c + ": mongoimport exit " + p.exitValue() + ": " + output.strip());
        return p.exitValue();
    }
}
