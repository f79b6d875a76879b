package dev.ferry.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerrySettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobParserTest {
    private static final String INVALID = JobRejectedException.INVALID_JOB;
    private static final String UNKNOWN = JobRejectedException.UNKNOWN_CONNECTION;
    private static final String SOURCE = JobRejectedException.SOURCE_ERROR;

    private static final String INLINE = "{'type': 'inline', 'documents': [{'_id': 1}]}";
    private static final String DEST = "{'connection': 'local', 'collection': 'people'}";

    @TempDir
    Path dir;
    private Path allowed;
    private Path outside;
    private JobParser parser;

    @BeforeEach
    void setUp() throws Exception {
        allowed = Files.createDirectories(dir.resolve("allowed"));
        outside = Files.createDirectories(dir.resolve("outside"));
        Properties props = new Properties();
        props.setProperty("connection.local.uri", "embedded:");
        props.setProperty("connection.local.database", "demo");
        props.setProperty("connection.nodb.uri", "embedded:");
        props.setProperty("chunk.size", "500");
        props.setProperty("source.file.allowedDirs", allowed.toString());
        FerrySettings settings = new ConfigLoader(name -> null).fromProperties(props, dir);
        parser = new JobParser(settings);
    }

    /** Single quotes read better in Java; JSON wants double ones. */
    private static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    private static String job(String extraTopLevel) {
        return json("{'source': " + INLINE + ", 'destination': " + DEST
                + (extraTopLevel.isEmpty() ? "" : ", " + extraTopLevel) + "}");
    }

    private static String withSource(String source) {
        return json("{'source': " + source + ", 'destination': " + DEST + "}");
    }

    private static String withDestination(String destination) {
        return json("{'source': " + INLINE + ", 'destination': " + destination + "}");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private JobRejectedException rejected(Path file) {
        return assertThrows(JobRejectedException.class, () -> parser.parse(file));
    }

    private static void assertNames(JobRejectedException e, String kind, String field, String fragment) {
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        if (field != null) {
            assertTrue(e.getMessage().startsWith(field + ": "), "message names the field: " + e.getMessage());
        }
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
    }

    static Stream<Arguments> brokenJobs() {
        String longId = "a".repeat(129);
        String deep = "{'a':".repeat(200) + "1" + "}".repeat(200);
        String manyKeys = "[" + String.join(",", java.util.Collections.nCopies(33, "'k'")) + "]";
        return Stream.of(
                // whole file
                Arguments.of("bad JSON", json("{'id': }"), INVALID, null, "not valid JSON"),
                Arguments.of("unclosed object", json("{'id': 'x'"), INVALID, null, "not valid JSON"),
                Arguments.of("empty", "", INVALID, null, "empty"),
                Arguments.of("only whitespace", " \n\t\n", INVALID, null, "empty"),
                Arguments.of("array at top", job("").replaceFirst("^", "[") + "]", INVALID, null, "JSON object"),
                Arguments.of("string at top", "\"job\"", INVALID, null, "JSON object { ... }, was a string"),
                Arguments.of("trailing garbage", job("") + " }", INVALID, null, "not valid JSON"),
                Arguments.of("second object", job("") + " {}", INVALID, null, "after the closing }"),
                Arguments.of("NUL bytes", job("") + "\u0000\u0000", INVALID, null, "control character U+0000"),
                Arguments.of("too deep", job("'id': " + json(deep)), INVALID, "id", "deeper than 128"),
                // top level
                Arguments.of("unknown field", job("'colour': 'red'"), INVALID, "colour", "allowed: id, source"),
                Arguments.of("chunksize typo", job("'chunksize': 10"), INVALID, "chunksize", "did you mean chunkSize?"),
                Arguments.of("destinaton typo", job("'destinaton': {}"), INVALID, "destinaton", "did you mean destination?"),
                Arguments.of("duplicate field", job("'chunkSize': 10, 'chunkSize': 20"), INVALID, "chunkSize", "more than once"),
                Arguments.of("id not a string", job("'id': 7"), INVALID, "id", "must be a string"),
                Arguments.of("id path traversal", job("'id': '../../etc/passwd'"), INVALID, "id", "'../../etc/passwd'"),
                Arguments.of("id dot dot", job("'id': '..'"), INVALID, "id", "not . or .."),
                Arguments.of("id too long", job("'id': '" + longId + "'"), INVALID, "id", "1 to 128 characters"),
                Arguments.of("id empty", job("'id': ''"), INVALID, "id", "1 to 128"),
                Arguments.of("id collides with a result file", job("'id': 'x.result'"), INVALID, "id", ".result"),
                // source
                Arguments.of("source missing", json("{'destination': " + DEST + "}"), INVALID, "source", "missing"),
                Arguments.of("source a string", withSource("'people.ndjson'"), INVALID, "source",
                        "must be a document with \"type\": mongodb, file or inline, was a string"),
                Arguments.of("source.type missing", withSource("{'documents': []}"), INVALID, "source.type", "missing"),
                Arguments.of("source.type unknown", withSource("{'type': 'mongo'}"), INVALID, "source.type", "'mongo'"),
                Arguments.of("source.type not a string", withSource("{'type': 1}"), INVALID, "source.type", "was an int32"),
                Arguments.of("unknown source field", withSource("{'type': 'inline', 'documents': [], 'path': 'x'}"),
                        INVALID, "source.path", "allowed: type, documents"),
                Arguments.of("mongodb source typo", withSource("{'type': 'mongodb', 'connection': 'local', "
                        + "'colection': 'p'}"), INVALID, "source.colection", "did you mean collection?"),
                Arguments.of("mongodb collection missing", withSource("{'type': 'mongodb', 'connection': 'local'}"),
                        INVALID, "source.collection", "missing"),
                Arguments.of("mongodb collection empty", withSource("{'type': 'mongodb', 'connection': 'local', "
                        + "'collection': ''}"), INVALID, "source.collection", "empty string"),
                Arguments.of("mongodb connection unknown", withSource("{'type': 'mongodb', 'connection': 'prod', "
                        + "'collection': 'p'}"), UNKNOWN, "source.connection", "configured: local, nodb"),
                Arguments.of("mongodb connection missing", withSource("{'type': 'mongodb', 'collection': 'p'}"),
                        INVALID, "source.connection", "missing"),
                Arguments.of("mongodb connection not a string", withSource("{'type': 'mongodb', 'connection': ['local'], "
                        + "'collection': 'p'}"), INVALID, "source.connection", "was an array"),
                Arguments.of("mongodb no database anywhere", withSource("{'type': 'mongodb', 'connection': 'nodb', "
                        + "'collection': 'p'}"), INVALID, "source.database", "connection.nodb.database"),
                Arguments.of("mongodb bad database name", withSource("{'type': 'mongodb', 'connection': 'local', "
                        + "'database': 'a.b', 'collection': 'p'}"), INVALID, "source.database", "'a.b'"),
                Arguments.of("mongodb filter a string", withSource("{'type': 'mongodb', 'connection': 'local', "
                        + "'collection': 'p', 'filter': 'age > 3'}"), INVALID, "source.filter", "was a string"),
                Arguments.of("mongodb projection an array", withSource("{'type': 'mongodb', 'connection': 'local', "
                        + "'collection': 'p', 'projection': ['a']}"), INVALID, "source.projection", "was an array"),
                Arguments.of("file path missing", withSource("{'type': 'file', 'format': 'ndjson'}"),
                        INVALID, "source.path", "missing"),
                Arguments.of("file path a number", withSource("{'type': 'file', 'path': 3, 'format': 'ndjson'}"),
                        INVALID, "source.path", "was an int32"),
                Arguments.of("file format missing", withSource("{'type': 'file', 'path': 'x.ndjson'}"),
                        INVALID, "source.format", "ndjson, json-array, csv or tsv"),
                Arguments.of("file format unknown", withSource("{'type': 'file', 'path': 'x', 'format': 'xml'}"),
                        INVALID, "source.format", "'xml'"),
                Arguments.of("csv fields on ndjson", withSource("{'type': 'file', 'path': 'x', 'format': 'ndjson', "
                        + "'fields': ['a']}"), INVALID, "source.fields", "only csv and tsv"),
                Arguments.of("csv type unknown", withSource("{'type': 'file', 'path': 'x', 'format': 'csv', "
                        + "'types': {'age': 'integer'}}"), INVALID, "source.types.age", "'integer'"),
                Arguments.of("csv field twice", withSource("{'type': 'file', 'path': 'x', 'format': 'csv', "
                        + "'fields': ['a', 'a']}"), INVALID, "source.fields[1]", "twice"),
                Arguments.of("typed field without a type", withSource("{'type': 'file', 'path': 'x', 'format': 'csv', "
                        + "'columnsHaveTypes': true, 'fields': ['zip.string()', 'n']}"), INVALID, "source.fields[1]",
                        "\"n\" has no type"),
                Arguments.of("typed field of an unknown type", withSource("{'type': 'file', 'path': 'x', 'format': 'csv', "
                        + "'columnsHaveTypes': true, 'fields': ['n.integer()']}"), INVALID, "source.fields[0]",
                        "unknown type integer() (types: auto(), binary(base64|base32|hex)"),
                Arguments.of("typed names of one field", withSource("{'type': 'file', 'path': 'x', 'format': 'csv', "
                        + "'columnsHaveTypes': true, 'fields': ['a.int32()', 'a.string()']}"), INVALID, "source.fields[1]",
                        "column 'a' is listed twice"),
                Arguments.of("typed name without a field", withSource("{'type': 'file', 'path': 'x', 'format': 'csv', "
                        + "'columnsHaveTypes': true, 'fields': ['.string()']}"), INVALID, "source.fields[0]",
                        "names no field before its type"),
                Arguments.of("typed names and types", withSource("{'type': 'file', 'path': 'x', 'format': 'csv', "
                        + "'columnsHaveTypes': true, 'types': {'n': 'int'}}"), INVALID, "source.types", "not both"),
                Arguments.of("parseGrace unknown", withSource("{'type': 'file', 'path': 'x', 'format': 'csv', "
                        + "'columnsHaveTypes': true, 'parseGrace': 'skip'}"), INVALID, "source.parseGrace",
                        "autoCast, skipField, skipRow, stop, was 'skip'"),
                Arguments.of("parseGrace without typed columns", withSource("{'type': 'file', 'path': 'x', "
                        + "'format': 'csv', 'parseGrace': 'skipRow'}"), INVALID, "source.parseGrace", "has none"),
                Arguments.of("parseGrace on ndjson", withSource("{'type': 'file', 'path': 'x', 'format': 'ndjson', "
                        + "'parseGrace': 'skipRow'}"), INVALID, "source.parseGrace", "only csv and tsv"),
                Arguments.of("ignoreBlanks a string", withSource("{'type': 'file', 'path': 'x', 'format': 'tsv', "
                        + "'ignoreBlanks': 'yes'}"), INVALID, "source.ignoreBlanks", "true or false"),
                Arguments.of("onInvalid unknown", json("{'source': " + INLINE + ", 'destination': " + DEST
                        + ", 'onInvalid': 'ignore'}"), INVALID, "onInvalid", "fail or skip"),
                Arguments.of("idFrom with another key", json("{'source': " + INLINE + ", 'destination': " + DEST
                        + ", 'idFrom': 'position', 'key': ['sku']}"), INVALID, "idFrom", "key must be"),
                Arguments.of("file source with a uri", withSource("{'type': 'file', 'path': 'x', 'format': 'ndjson', "
                        + "'uri': 'mongodb://h'}"), INVALID, "source.uri", "allowed: type, path, format"),
                Arguments.of("inline documents missing", withSource("{'type': 'inline'}"),
                        INVALID, "source.documents", "missing"),
                Arguments.of("inline documents not an array", withSource("{'type': 'inline', 'documents': {'_id': 1}}"),
                        INVALID, "source.documents", "must be an array of documents, was a document"),
                Arguments.of("inline non-document element", withSource("{'type': 'inline', 'documents': "
                        + "[{'_id': 1}, {'_id': 2}, {'_id': 3}, 4]}"), INVALID, "source.documents[3]", "was an int32"),
                Arguments.of("inline document without key", withSource("{'type': 'inline', 'documents': "
                        + "[{'_id': 1}, {'name': 'x'}]}"), INVALID, "source.documents[1]", "no key field '_id'"),
                // destination
                Arguments.of("destination missing", json("{'source': " + INLINE + "}"), INVALID, "destination", "missing"),
                Arguments.of("destination a string", withDestination("'local/demo.people'"), INVALID, "destination",
                        "was a string"),
                Arguments.of("unknown destination field", withDestination("{'connection': 'local', 'collection': 'p', "
                        + "'uri': 'mongodb://u:pw@h'}"), INVALID, "destination.uri", "allowed: connection, database"),
                Arguments.of("destination connection unknown", withDestination("{'connection': 'prod', 'collection': 'p'}"),
                        UNKNOWN, "destination.connection", "'prod'"),
                Arguments.of("destination connection missing", withDestination("{'collection': 'p'}"),
                        INVALID, "destination.connection", "missing"),
                Arguments.of("destination collection missing", withDestination("{'connection': 'local'}"),
                        INVALID, "destination.collection", "missing"),
                Arguments.of("destination collection a number", withDestination("{'connection': 'local', 'collection': 5}"),
                        INVALID, "destination.collection", "was an int32"),
                Arguments.of("destination system collection", withDestination("{'connection': 'local', "
                        + "'collection': 'system.users'}"), INVALID, "destination.collection", "system."),
                Arguments.of("destination collection with $", withDestination("{'connection': 'local', "
                        + "'collection': 'a$b'}"), INVALID, "destination.collection", "$"),
                Arguments.of("destination database with space", withDestination("{'connection': 'local', "
                        + "'database': 'my db', 'collection': 'p'}"), INVALID, "destination.database", "'my db'"),
                Arguments.of("destination database too long", withDestination("{'connection': 'local', "
                        + "'database': '" + "d".repeat(64) + "', 'collection': 'p'}"), INVALID, "destination.database",
                        "at most 63"),
                Arguments.of("destination no database anywhere", withDestination("{'connection': 'nodb', "
                        + "'collection': 'p'}"), INVALID, "destination.database", "no default database"),
                // mode, key, chunkSize
                Arguments.of("mode a number", job("'mode': 1"), INVALID, "mode",
                        "must be a string (insert, upsert, merge, verify or delete), was an int32"),
                Arguments.of("mode unknown", job("'mode': 'replace'"), INVALID, "mode", "insert, upsert, merge, verify or delete, was 'replace'"),
                Arguments.of("indexes on an inline source", job("'indexes': 'copy'"), INVALID, "indexes",
                        "needs a mongodb source"),
                Arguments.of("indexes unknown", job("'indexes': 'all'"), INVALID, "indexes", "must be copy or none, was 'all'"),
                Arguments.of("verify not a boolean", job("'verify': 'yes'"), INVALID, "verify", "true or false"),
                Arguments.of("key empty array", job("'key': []"), INVALID, "key", "array of 0 elements"),
                Arguments.of("key a string", job("'key': '_id'"), INVALID, "key", "must be an array"),
                Arguments.of("key element a number", job("'key': [1]"), INVALID, "key[0]", "was an int32"),
                Arguments.of("key element empty", job("'key': ['_id', '']"), INVALID, "key[1]", "empty string"),
                Arguments.of("key duplicate", job("'key': ['_id', '_id']"), INVALID, "key[1]", "listed twice"),
                Arguments.of("key operator", job("'key': ['$where']"), INVALID, "key[0]", "must not start with $"),
                Arguments.of("key too many", job("'key': " + json(manyKeys)), INVALID, "key", "array of 33 elements"),
                Arguments.of("chunkSize 0", job("'chunkSize': 0"), INVALID, "chunkSize",
                        "chunkSize: must be a whole number from 1 to 100000, was 0"),
                Arguments.of("chunkSize 10^9", job("'chunkSize': 1000000000"), INVALID, "chunkSize", "was 1000000000"),
                Arguments.of("chunkSize 1e9 double", job("'chunkSize': 1e9"), INVALID, "chunkSize", "was 1000000000"),
                Arguments.of("chunkSize 1.5", job("'chunkSize': 1.5"), INVALID, "chunkSize", "was 1.5"),
                Arguments.of("chunkSize negative", job("'chunkSize': -5"), INVALID, "chunkSize", "was -5"),
                Arguments.of("chunkSize string", job("'chunkSize': '100'"), INVALID, "chunkSize", "was a string"),
                Arguments.of("lanes 0", job("'lanes': 0"), INVALID, "lanes",
                        "lanes: must be a whole number from 1 to 64, was 0"),
                Arguments.of("lanes 65", job("'lanes': 65"), INVALID, "lanes", "was 65"),
                Arguments.of("lanes 2.5", job("'lanes': 2.5"), INVALID, "lanes", "was 2.5"),
                Arguments.of("lanes string", job("'lanes': 'eight'"), INVALID, "lanes", "was a string"),
                Arguments.of("chunkSize NaN", job("'chunkSize': NaN"), INVALID, "chunkSize", "was NaN"),
                Arguments.of("chunkSize long too big", job("'chunkSize': {'$numberLong': '100001'}"), INVALID,
                        "chunkSize", "was 100001"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenJobs")
    void rejectsBrokenJobFile(String name, String content, String kind, String field, String fragment)
            throws IOException {
        assertNames(rejected(write("job-1.json", content)), kind, field, fragment);
    }

    @Test
    void rejectsBinaryFile() throws IOException {
        Path file = Files.write(dir.resolve("job.json"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 1, (byte) 0xff});
        assertNames(rejected(file), INVALID, null, "not UTF-8 text");
    }

    @Test
    void rejectsLatin1Text() throws IOException {
        Path file = Files.write(dir.resolve("job.json"), job("'id': 'café'").getBytes(StandardCharsets.ISO_8859_1));
        assertNames(rejected(file), INVALID, null, "not UTF-8 text");
    }

    @Test
    void rejectsFileOverOneMebibyteBeforeParsing() throws IOException {
        // valid JSON padded with whitespace: only the size can be wrong with it
        Path file = write("big.json", job("") + " ".repeat(2 << 20));
        assertNames(rejected(file), INVALID, null, "limited to 1 MiB");
    }

    @Test
    void acceptsFileOfExactlyOneMebibyte() throws Exception {
        String job = job("");
        Path file = write("big.json", job + " ".repeat((1 << 20) - job.length()));
        assertEquals(1 << 20, Files.size(file));
        assertEquals("big", parser.parse(file).id());
    }

    @Test
    void rejectsMissingJobFile() {
        assertNames(rejected(dir.resolve("nope.json")), INVALID, null, "not found");
    }

    @Test
    void rejectsIdlessFileWhoseNameIsNoId() throws IOException {
        assertNames(rejected(write("my job!.json", job(""))), INVALID, "id", "'my job!.json'");
    }

    private String fileSource(String path, String format) {
        return withSource("{'type': 'file', 'path': '" + path + "', 'format': '" + format + "'}");
    }

    @Test
    void rejectsFileSourceOutsideAllowedDirs() throws IOException {
        Path secret = Files.writeString(outside.resolve("secret.ndjson"), "{}\n");
        JobRejectedException e = rejected(write("job.json", fileSource(secret.toString(), "ndjson")));
        assertNames(e, SOURCE, "source.path", "outside");
        assertTrue(e.getMessage().contains("source.file.allowedDirs: " + allowed), e.getMessage());
    }

    @Test
    void rejectsDotDotEscapeFromAllowedDir() throws IOException {
        Files.writeString(outside.resolve("secret.ndjson"), "{}\n");
        String escape = allowed + "/../outside/secret.ndjson";
        assertNames(rejected(write("job.json", fileSource(escape, "ndjson"))), SOURCE, "source.path", "outside");
    }

    @Test
    void rejectsSymlinkInsideAllowedDirThatLeadsOutside() throws IOException {
        Path secret = Files.writeString(outside.resolve("secret.ndjson"), "{}\n");
        Path link = Files.createSymbolicLink(allowed.resolve("link.ndjson"), secret);
        assertNames(rejected(write("job.json", fileSource(link.toString(), "ndjson"))), SOURCE, "source.path",
                "outside");
    }

    @Test
    void rejectsMissingFileBehindSymlinkedDirLeadingOutside() throws IOException {
        Path link = Files.createSymbolicLink(allowed.resolve("escape"), outside);
        String missing = link.resolve("none.ndjson").toString();
        // same answer as for an existing file out there: jobs cannot probe what exists outside
        assertNames(rejected(write("job.json", fileSource(missing, "ndjson"))), SOURCE, "source.path", "outside");
    }

    /** A group member could otherwise make the daemon read, and quote, any file its user may read. */
    @Test
    void aJobFileThatIsALinkIsNeverFollowedAndItsTargetNeverQuoted() throws IOException {
        Path secret = Files.writeString(outside.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Path link = Files.createSymbolicLink(dir.resolve("x.json"), secret);
        JobRejectedException e = rejected(link);
        assertEquals(INVALID, e.kind());
        assertTrue(e.getMessage().contains("x.json is a symbolic link, not a regular file"), e.getMessage());
        assertFalse(e.getMessage().contains("root"), e.getMessage());
    }

    @Test
    void aFifoOrADirectoryIsRejectedWithoutBeingOpened() throws Exception {
        Path fifo = dir.resolve("pipe.json");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        // opening a FIFO for reading would block until a writer comes: the test would hang, not fail
        JobRejectedException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(10), () -> rejected(fifo));
        assertTrue(e.getMessage().contains("pipe.json is a FIFO, socket or device, not a regular file"), e.getMessage());
        Path directory = Files.createDirectories(dir.resolve("x-dir.json"));
        assertTrue(rejected(directory).getMessage().contains("x-dir.json is a directory, not a regular file"));
    }

    @Test
    void rejectsMissingSourceFile() throws IOException {
        String missing = allowed.resolve("none.ndjson").toString();
        assertNames(rejected(write("job.json", fileSource(missing, "ndjson"))), SOURCE, "source.path", "not found");
    }

    @Test
    void rejectsDirectoryAsSourceFile() throws IOException {
        Path sub = Files.createDirectories(allowed.resolve("sub"));
        assertNames(rejected(write("job.json", fileSource(sub.toString(), "ndjson"))), SOURCE, "source.path",
                "not a regular file");
    }

    @Test
    void fileSourceFollowsSymlinksThatStayInside() throws Exception {
        Path data = Files.writeString(allowed.resolve("people.ndjson"), "{}\n");
        Path link = Files.createSymbolicLink(allowed.resolve("current.ndjson"), data);
        JobSpec spec = parser.parse(write("people.json", fileSource(link.toString(), "json-array")));
        assertEquals(new SourceSpec.File(data.toRealPath(), SourceSpec.FileFormat.JSON_ARRAY), spec.source());
    }

    @Test
    void fileSourceAllowedDirMayItselfBeASymlink() throws Exception {
        Path data = Files.writeString(allowed.resolve("people.ndjson"), "{}\n");
        Path linkedDir = Files.createSymbolicLink(dir.resolve("data-link"), allowed);
        Properties props = new Properties();
        props.setProperty("connection.local.uri", "embedded:");
        props.setProperty("connection.local.database", "demo");
        props.setProperty("source.file.allowedDirs", "/nonexistent-ferry-dir, " + linkedDir);
        JobParser viaLink = new JobParser(new ConfigLoader(name -> null).fromProperties(props, dir));
        JobSpec spec = viaLink.parse(write("people.json", fileSource(linkedDir + "/people.ndjson", "ndjson")));
        assertEquals(new SourceSpec.File(data.toRealPath(), SourceSpec.FileFormat.NDJSON), spec.source());
    }

    @Test
    void fileSourcePathIsRelativeToWorkingDirectory() throws Exception {
        Path data = Files.writeString(allowed.resolve("people.ndjson"), "{}\n");
        String relative = Path.of("").toAbsolutePath().relativize(data).toString();
        JobSpec spec = parser.parse(write("people.json", fileSource(relative, "ndjson")));
        assertEquals(data.toRealPath(), ((SourceSpec.File) spec.source()).path());
    }

    @Test
    void fileJobWithDefaults() throws Exception {
        Path data = Files.writeString(allowed.resolve("people.ndjson"), "{}\n");
        JobSpec spec = parser.parse(write("people-2026-11-26.json", fileSource(data.toString(), "ndjson")));
        assertEquals(new JobSpec("people-2026-11-26",
                new SourceSpec.File(data.toRealPath(), SourceSpec.FileFormat.NDJSON),
                new DestinationSpec("local", "demo", "people"), WriteMode.UPSERT, List.of("_id"), 500, OnInvalid.FAIL,
                IdFrom.NONE, 16), spec);
    }

    @Test
    void lanesComeFromTheJobElseFromJobLanes() throws Exception {
        Path data = Files.writeString(allowed.resolve("people.ndjson"), "{}\n");
        String withLanes = fileSource(data.toString(), "ndjson").replaceFirst("\\{", "{\"lanes\": 64, ");
        assertEquals(64, parser.parse(write("wide.json", withLanes)).lanes());
        assertEquals(16, parser.parse(write("default.json", fileSource(data.toString(), "ndjson"))).lanes(),
                "job.lanes is 16 unless configured");
    }

    @Test
    void mongodbJobWithDefaults() throws Exception {
        JobSpec spec = parser.parse(withSource("{'type': 'mongodb', 'connection': 'local', 'collection': 'src'}"),
                "copy.json");
        assertEquals(new JobSpec("copy", new SourceSpec.Mongo("local", "demo", "src", null, null),
                new DestinationSpec("local", "demo", "people"), WriteMode.UPSERT, List.of("_id"), 500, OnInvalid.FAIL,
                IdFrom.NONE, 16), spec);
        assertEquals(new BsonDocument(), ((SourceSpec.Mongo) spec.source()).filter());
        assertTrue(spec.copyIndexes(), "a mongodb source's indexes are copied unless the job says none");
    }

    @Test
    void mongodbJobWithEveryFieldAndExtendedJson() throws Exception {
        String text = json("{'id': 'nightly.copy_1', 'mode': 'merge', 'key': ['email', 'address.zip'], "
                + "'chunkSize': {'$numberLong': '2000'}, "
                + "'source': {'type': 'mongodb', 'connection': 'nodb', 'database': 'crm', 'collection': 'people', "
                + "'filter': {'since': {'$date': '2026-01-01T00:00:00Z'}}, 'projection': {'name': 1}}, "
                + "'destination': {'connection': 'local', 'database': 'archive', 'collection': 'people'}}");
        JobSpec spec = parser.parse(text, "whatever.json");
        assertEquals("nightly.copy_1", spec.id());
        assertEquals(new SourceSpec.Mongo("nodb", "crm", "people",
                new BsonDocument("since", new BsonDateTime(1767225600000L)), new BsonDocument("name", new BsonInt32(1))),
                spec.source());
        assertEquals(new DestinationSpec("local", "archive", "people"), spec.destination());
        assertEquals(WriteMode.MERGE, spec.mode());
        assertEquals(List.of("email", "address.zip"), spec.key());
        assertEquals(2000, spec.chunkSize());
    }

    @Test
    void inlineJobWithExtendedJsonDocuments() throws Exception {
        ObjectId oid = new ObjectId();
        String text = "\uFEFF" + json("{'mode': 'insert', 'chunkSize': 250.0, 'source': {'type': 'inline', 'documents': "
                + "[{'_id': {'$oid': '" + oid.toHexString() + "'}, 'n': 1}, {'_id': 2}]}, 'destination': " + DEST + "}");
        JobSpec spec = parser.parse(write("seed.json", text));
        assertEquals("seed", spec.id());
        SourceSpec.Inline inline = (SourceSpec.Inline) spec.source();
        assertEquals(2, inline.documents().size());
        assertEquals(oid, inline.documents().get(0).getObjectId("_id").getValue());
        assertEquals(WriteMode.INSERT, spec.mode());
        assertEquals(250, spec.chunkSize());
    }

    @Test
    void inlineJobMayBeEmpty() throws Exception {
        JobSpec spec = parser.parse(withSource("{'type': 'inline', 'documents': []}"), "empty.json");
        assertEquals(new SourceSpec.Inline(List.of()), spec.source());
    }

    @Test
    void explicitIdWinsOverFileName() throws Exception {
        assertEquals("given", parser.parse(job("'id': 'given'"), "other.json").id());
    }

    @Test
    void idFromFileName() {
        assertEquals(Optional.of("people-2026-11-26"), JobParser.idFromFileName("people-2026-11-26.json"));
        assertEquals(Optional.of("a.b"), JobParser.idFromFileName("a.b.json"));
        assertEquals(Optional.empty(), JobParser.idFromFileName("people.txt"));
        assertEquals(Optional.empty(), JobParser.idFromFileName(".json"));
        assertEquals(Optional.empty(), JobParser.idFromFileName("...json"));
        assertEquals(Optional.empty(), JobParser.idFromFileName("x.error.json"));
        assertEquals(Optional.empty(), JobParser.idFromFileName("a b.json"));
        assertEquals(Optional.empty(), JobParser.idFromFileName("a".repeat(129) + ".json"));
    }

    @Test
    void rejectionOfWholeFileHasNoField() throws IOException {
        JobRejectedException e = rejected(write("job.json", "not json"));
        assertNull(e.field());
        assertFalse(e.getMessage().isBlank());
    }

    private static final String FOLLOW_SOURCE =
            "{'type': 'mongodb', 'connection': 'local', 'collection': 'src', 'follow': true}";

    @Test
    void followIsAllowedOnAMongodbSourceWithKeyIdAndModeUpsert() throws Exception {
        JobSpec spec = parser.parse(withSource(FOLLOW_SOURCE), "live.json");
        assertEquals(new SourceSpec.Mongo("local", "demo", "src", null, null, true), spec.source());
        assertTrue(spec.follows());
        JobSpec explicit = parser.parse(json("{'source': " + FOLLOW_SOURCE + ", 'destination': " + DEST
                + ", 'mode': 'upsert', 'key': ['_id']}"), "live.json");
        assertTrue(explicit.follows());
        assertFalse(parser.parse(withSource("{'type': 'mongodb', 'connection': 'local', 'collection': 'src', "
                + "'follow': false}"), "copy.json").follows());
    }

    static Stream<Arguments> badFollowJobs() {
        return Stream.of(
                Arguments.of(withSource("{'type': 'inline', 'documents': [], 'follow': true}"), "source.follow",
                        "only on mongodb sources"),
                Arguments.of(withSource("{'type': 'mongodb', 'connection': 'local', 'collection': 'src', "
                        + "'follow': 'yes'}"), "source.follow", "true or false"),
                Arguments.of(json("{'source': " + FOLLOW_SOURCE + ", 'destination': " + DEST + ", 'key': ['email']}"),
                        "key", "must be [\"_id\"] for a job with \"follow\": true"),
                Arguments.of(json("{'source': " + FOLLOW_SOURCE + ", 'destination': " + DEST + ", 'mode': 'merge'}"),
                        "mode", "must be upsert for a job with \"follow\": true"),
                Arguments.of(json("{'source': " + FOLLOW_SOURCE + ", 'destination': " + DEST + ", 'mode': 'insert'}"),
                        "mode", "must be upsert"));
    }

    @ParameterizedTest
    @MethodSource("badFollowJobs")
    void followNeedsAMongodbSourceKeyIdAndModeUpsert(String text, String field, String fragment) throws IOException {
        assertNames(rejected(write("job.json", text)), INVALID, field, fragment);
    }
}
