package dev.ferry.sync;

import static dev.ferry.sync.EndToEnd.OUTCOME;
import static dev.ferry.sync.EndToEnd.collection;
import static dev.ferry.sync.EndToEnd.file;
import static dev.ferry.sync.EndToEnd.inline;
import static dev.ferry.sync.EndToEnd.job;
import static dev.ferry.sync.EndToEnd.number;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken job files dropped into a running daemon all at once, mixed with good ones: each broken one ends
 * in failed/ with the README's kind and a message naming what to change, every good one succeeds, and
 * the daemon keeps taking jobs afterwards.
 */
class BadInputEndToEndTest {
    private static final String DEST = "\"destination\": {\"connection\": \"dest\", \"collection\": \"c\"}";
    private static final String INLINE = "\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}]}";

    /** A broken job file, what kind of failure it must give, and what its message must name. */
    private record Case(String fileName, byte[] content, String kind, String named) {
        static Case text(String fileName, String json, String kind, String named) {
            return new Case(fileName, json.getBytes(StandardCharsets.UTF_8), kind, named);
        }

        String base() {
            return fileName.substring(0, fileName.length() - ".json".length());
        }
    }

    @Test
    void everyBrokenJobFailsWithItsKindAndFieldWhileTheGoodOnesAmongThemSucceed(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer(); MongoClient client = MongoClients.create(server.uri())) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path data = conf.data().resolve("ok.ndjson");
            Files.writeString(data, "{\"_id\": 1}\n");
            Path outside = Files.createDirectories(dir.resolve("outside")).resolve("secret.ndjson");
            Files.writeString(outside, "{\"_id\": \"secret\"}\n");
            Files.createSymbolicLink(conf.data().resolve("escape.ndjson"), outside);
            List<Case> broken = brokenJobs(data, outside, conf.data());
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                Spooler spool = new Spooler(conf.spool());
                List<String> good = new ArrayList<>();
                for (int i = 0; i < broken.size(); i++) {
                    Case c = broken.get(i);
                    spool.drop(c.fileName(), c.content());
                    if (i % 5 == 0) {
                        String id = "good-" + i;
                        good.add(id);
                        spool.drop(id + ".json", job(null, inline(List.of(new Document("_id", i))), "good").toJson());
                    }
                }

                List<Executable> checks = new ArrayList<>();
                for (Case c : broken) {
                    Document error = spool.awaitFailed(c.base(), OUTCOME);
                    checks.add(() -> assertError(conf.spool(), c, error));
                }
                for (String id : good) {
                    Document result = spool.awaitDone(id, OUTCOME);
                    checks.add(() -> assertEquals(1L, number(result, "inserted") + number(result, "upserted"),
                            result.toJson()));
                }
                assertAll(checks);
                assertEquals(broken.size(), spool.count("failed"));
                assertEquals(good.size(), spool.count("done"));
                assertEquals(0, spool.count("incoming") + spool.count("active"));
                assertEquals(good.size(), collection(client, "good").countDocuments());
                assertEquals(0, collection(client, "c").countDocuments(), "no broken job wrote anything");
                try (Stream<Path> everything = Files.walk(dir)) {
                    assertEquals(List.of(), everything.filter(p -> p.toString().contains("passwd"))
                            .collect(Collectors.toList()), "an id must never become a path");
                }

                spool.drop("after.json", job(null, inline(List.of(new Document("_id", "after"))), "good").toJson());
                spool.awaitDone("after", OUTCOME);
                Orchestrator orchestrator = daemon.daemon().orchestrator();
                Await.until(OUTCOME, () -> orchestrator.getRunningJobs() == 0, "no job left running");
                assertEquals(broken.size(), orchestrator.getFailedJobs());
                assertEquals(good.size() + 1, orchestrator.getCompletedJobs());
            }
        }
    }

    private static void assertError(Path spool, Case c, Document error) throws IOException {
        String json = c.fileName() + " -> " + error.toJson();
        assertEquals(List.of("id", "kind", "message", "chunk", "attempts", "at"), new ArrayList<>(error.keySet()), json);
        assertEquals(c.kind(), error.getString("kind"), json);
        assertTrue(error.getString("message").contains(c.named()), json + " should name " + c.named());
        assertEquals(0L, number(error, "chunk"), json);
        assertEquals(0L, number(error, "attempts"), json);
        Instant.parse(error.getString("at"));
        // a rejected file keeps its own name in failed/, byte for byte
        assertTrue(Arrays.equals(c.content(), Files.readAllBytes(spool.resolve("failed").resolve(c.fileName()))), json);
        if (c.base().equals("bad name!")) {
            assertNull(error.get("id"), json);
        } else {
            assertEquals(c.base(), error.getString("id"), json);
        }
    }

    private static List<Case> brokenJobs(Path data, Path outside, Path allowed) {
        String fileSource = "\"source\": {\"type\": \"file\", \"path\": \"%s\", \"format\": \"ndjson\"}, " + DEST;
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (255 - i);
        }
        byte[] notUtf8 = ("{\"id\": \"caf\u00e9\", " + INLINE + ", " + DEST + "}").getBytes(StandardCharsets.ISO_8859_1);
        byte[] controlChars = {'{', 0, 1, 2, 3, '}'};
        String huge = "{" + INLINE + ", " + DEST + ", \"pad\": \"" + "x".repeat(2 << 20) + "\"}";
        String missingKey = "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}, {\"name\": \"no id\"}]}, "
                + DEST + "}";
        return List.of(
                Case.text("bad-json.json", "{\"source\": {\"type\": \"inline\",", "invalid-job", "not valid JSON"),
                Case.text("bad name!.json", "{{{", "invalid-job", "not valid JSON"),
                Case.text("empty.json", "", "invalid-job", "empty"),
                Case.text("blank.json", "  \n\t\n", "invalid-job", "empty"),
                new Case("binary.json", binary, "invalid-job", "UTF-8"),
                new Case("control.json", controlChars, "invalid-job", "control character"),
                new Case("latin1.json", notUtf8, "invalid-job", "UTF-8"),
                Case.text("huge.json", huge, "invalid-job", "1 MiB"),
                Case.text("array.json", "[" + "{" + INLINE + ", " + DEST + "}]", "invalid-job", "JSON object"),
                Case.text("trailing.json", "{" + INLINE + ", " + DEST + "} {}", "invalid-job", "after"),
                Case.text("twice.json", "{" + INLINE + ", " + DEST + ", " + DEST + "}", "invalid-job", "destination"),
                Case.text("id-number.json", "{\"id\": 7, " + INLINE + ", " + DEST + "}", "invalid-job", "id"),
                Case.text("traversal.json", "{\"id\": \"../../etc/passwd\", " + INLINE + ", " + DEST + "}",
                        "invalid-job", "../../etc/passwd"),
                Case.text("no-source.json", "{" + DEST + "}", "invalid-job", "source"),
                Case.text("source-string.json", "{\"source\": \"people.ndjson\", " + DEST + "}", "invalid-job", "source"),
                Case.text("source-type.json", "{\"source\": {\"type\": \"ftp\"}, " + DEST + "}", "invalid-job",
                        "source.type"),
                Case.text("source-type-number.json", "{\"source\": {\"type\": 1}, " + DEST + "}", "invalid-job",
                        "source.type"),
                Case.text("no-path.json", "{\"source\": {\"type\": \"file\", \"format\": \"ndjson\"}, " + DEST + "}",
                        "invalid-job", "source.path"),
                Case.text("csv.json", "{\"source\": {\"type\": \"file\", \"path\": \"" + data + "\", \"format\": "
                        + "\"xml\"}, " + DEST + "}", "invalid-job", "source.format"),
                Case.text("outside.json", "{" + String.format(fileSource, outside) + "}", "source-error", "source.path"),
                Case.text("etc.json", "{" + String.format(fileSource, "/etc/passwd") + "}", "source-error",
                        "source.path"),
                Case.text("symlink.json", "{" + String.format(fileSource, allowed.resolve("escape.ndjson")) + "}",
                        "source-error", "source.path"),
                Case.text("dotdot.json", "{" + String.format(fileSource, allowed.resolve("../outside/secret.ndjson"))
                        + "}", "source-error", "source.path"),
                Case.text("missing-file.json", "{" + String.format(fileSource, allowed.resolve("nope.ndjson")) + "}",
                        "source-error", "not found"),
                Case.text("no-destination.json", "{" + INLINE + "}", "invalid-job", "destination"),
                Case.text("no-collection.json", "{" + INLINE + ", \"destination\": {\"connection\": \"dest\"}}",
                        "invalid-job", "destination.collection"),
                Case.text("dest-connection.json", "{" + INLINE + ", \"destination\": {\"connection\": \"prod\", "
                        + "\"collection\": \"c\"}}", "unknown-connection", "destination.connection"),
                Case.text("source-connection.json", "{\"source\": {\"type\": \"mongodb\", \"connection\": \"legacy\", "
                        + "\"collection\": \"x\"}, " + DEST + "}", "unknown-connection", "source.connection"),
                Case.text("mode.json", "{" + INLINE + ", " + DEST + ", \"mode\": \"replace\"}", "invalid-job", "mode"),
                Case.text("mode-type.json", "{" + INLINE + ", " + DEST + ", \"mode\": true}", "invalid-job", "mode"),
                Case.text("chunk-zero.json", "{" + INLINE + ", " + DEST + ", \"chunkSize\": 0}", "invalid-job",
                        "chunkSize"),
                Case.text("chunk-huge.json", "{" + INLINE + ", " + DEST + ", \"chunkSize\": 1000000000}", "invalid-job",
                        "chunkSize"),
                Case.text("chunk-string.json", "{" + INLINE + ", " + DEST + ", \"chunkSize\": \"10\"}", "invalid-job",
                        "chunkSize"),
                Case.text("chunk-fraction.json", "{" + INLINE + ", " + DEST + ", \"chunkSize\": 2.5}", "invalid-job",
                        "chunkSize"),
                Case.text("key-string.json", "{" + INLINE + ", " + DEST + ", \"key\": \"_id\"}", "invalid-job", "key"),
                Case.text("key-empty.json", "{" + INLINE + ", " + DEST + ", \"key\": []}", "invalid-job", "key"),
                Case.text("typo.json", "{" + INLINE + ", " + DEST + ", \"chunksize\": 5}", "invalid-job", "chunksize"),
                Case.text("dest-typo.json", "{" + INLINE + ", \"destination\": {\"connection\": \"dest\", "
                        + "\"colection\": \"c\"}}", "invalid-job", "destination.colection"),
                Case.text("uri-in-job.json", "{" + INLINE + ", \"destination\": {\"connection\": \"dest\", "
                        + "\"uri\": \"mongodb://evil\", \"collection\": \"c\"}}", "invalid-job", "destination.uri"),
                Case.text("documents-object.json", "{\"source\": {\"type\": \"inline\", \"documents\": {\"_id\": 1}}, "
                        + DEST + "}", "invalid-job", "source.documents"),
                Case.text("missing-key.json", missingKey, "invalid-job", "source.documents[1]"),
                Case.text("bad-collection.json", "{" + INLINE + ", \"destination\": {\"connection\": \"dest\", "
                        + "\"collection\": \"a$b\"}}", "invalid-job", "destination.collection"));
    }

    @Test
    void aMalformedLineFailsTheJobAsASourceErrorNamingTheLineAfterTheChunksBeforeItWereWritten(@TempDir Path dir)
            throws Exception {
        try (TestMongoServer server = new TestMongoServer(); MongoClient client = MongoClients.create(server.uri())) {
            FerryConf conf = new FerryConf(dir, server.uri());
            List<String> lines = IntStream.rangeClosed(1, 10).mapToObj(i -> "{\"_id\": " + i + "}")
                    .collect(Collectors.toCollection(ArrayList::new));
            lines.set(6, "{\"_id\": 7, \"name\": \"unterminated}");
            Path data = conf.data().resolve("broken.ndjson");
            EndToEnd.write(data, lines);
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                Spooler spool = new Spooler(conf.spool());
                spool.drop("broken.json", job(null, file(data, "ndjson"), "broken").append("chunkSize", 3).toJson());

                Document error = spool.awaitFailed("broken", OUTCOME);
                assertEquals("source-error", error.getString("kind"), error.toJson());
                assertTrue(error.getString("message").contains("line 7"), error.toJson());
                assertEquals(3L, number(error, "chunk"), error.toJson());
                assertEquals("broken", error.getString("id"));
                assertTrue(Files.exists(conf.spool().resolve("failed/broken.json")));
                // chunks 1 and 2 (lines 1-6) were acknowledged before the bad line was read
                assertEquals(6, collection(client, "broken").countDocuments());
            }
        }
    }

    @Test
    void aFileDocumentWithoutItsKeyFieldFailsTheJobAsAWriteError(@TempDir Path dir) throws Exception {
        try (TestMongoServer server = new TestMongoServer(); MongoClient client = MongoClients.create(server.uri())) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path data = conf.data().resolve("items.ndjson");
            EndToEnd.write(data, List.of("{\"sku\": \"a\", \"qty\": 1}", "{\"sku\": \"b\", \"qty\": 2}",
                    "{\"qty\": 3}", "{\"sku\": \"d\", \"qty\": 4}"));
            try (DaemonFixture daemon = new DaemonFixture(conf, null).start()) {
                Spooler spool = new Spooler(conf.spool());
                spool.drop("items.json", job(null, file(data, "ndjson"), "items").append("key", List.of("sku"))
                        .append("chunkSize", 2).toJson());

                Document error = spool.awaitFailed("items", OUTCOME);
                assertEquals("write-error", error.getString("kind"), error.toJson());
                assertTrue(error.getString("message").contains("sku"), error.toJson());
                assertEquals(2L, number(error, "chunk"), error.toJson());
                assertEquals(1L, number(error, "attempts"), error.toJson());
                // nothing of the bad chunk is written: no document without its key
                assertEquals(2, collection(client, "items").countDocuments());
            }
        }
    }
}
