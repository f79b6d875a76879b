package dev.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private final Map<String, String> env = new HashMap<>();

    private FerrySettings load(String... keyValues) throws ConfigException {
        Properties props = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return new ConfigLoader(env::get).fromProperties(props, dir);
    }

    private ConfigException rejected(String... keyValues) {
        return assertThrows(ConfigException.class, () -> load(keyValues));
    }

    private static void assertNames(ConfigException e, String key, String fragment) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.getMessage().contains(key + ": "), "names the key: " + e.getMessage());
        assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
    }

    private Path writeConf(String content) throws IOException {
        Files.writeString(dir.resolve(ConfigLoader.FILE_NAME), content);
        return dir;
    }

    @Test
    void unknownKeyIsNamed() {
        assertNames(rejected("workerz", "3"), "workerz", "unknown key");
    }

    @Test
    void unknownConnectionOptionIsNamed() {
        assertNames(rejected("connection.local.uri", "embedded:", "connection.local.maxPoolsize", "3"),
                "connection.local.maxPoolsize", "allowed: uri, database, maxPoolSize");
    }

    @Test
    void nonNumberIsRejected() {
        assertNames(rejected("workers", "four"), "workers", "must be a whole number, was 'four'");
    }

    @Test
    void negativeIsRejected() {
        assertNames(rejected("queue.settleMillis", "-1"), "queue.settleMillis", "must not be negative, was '-1'");
    }

    @Test
    void negativePoolOptionIsRejected() {
        assertNames(rejected("connection.local.uri", "embedded:", "connection.local.maxIdleTimeMS", "-5"),
                "connection.local.maxIdleTimeMS", "must not be negative");
    }

    @Test
    void zeroWorkersIsRejected() {
        assertNames(rejected("workers", "0"), "workers", "must be at least 1");
    }

    @Test
    void minPoolSizeAboveMaxPoolSizeIsRejected() {
        assertNames(rejected("connection.local.uri", "embedded:", "connection.local.minPoolSize", "20"),
                "connection.local.minPoolSize", "must not exceed maxPoolSize (10)");
    }

    @Test
    void nonBooleanPoolOptionIsRejected() {
        assertNames(rejected("connection.local.uri", "embedded:", "connection.local.retryWrites", "yes"),
                "connection.local.retryWrites", "must be true or false, was 'yes'");
    }

    @Test
    void connectionWithoutUriIsRejected() {
        assertNames(rejected("connection.remote.database", "demo"), "connection.remote.uri", "has no uri");
    }

    @Test
    void badConnectionNameIsRejected() {
        assertNames(rejected("connection.my conn.uri", "embedded:"), "connection.my conn.uri", "must match");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "mongodb://u:s3cret@@host",
            "mongodb://u:s3c@ret@host",
            "mongodb://u:s3cr%zzet@host",
            "mongodb://u:s3cret@host:abc",
            "mongodb://u:s3cret@host/?maxPoolSize=abc",
            "mongodb+srv://u:s3cret@host:27017"})
    void unparseableUriIsRejectedWithoutItsPassword(String uri) {
        ConfigException e = rejected("connection.remote.uri", uri);
        assertNames(e, "connection.remote.uri", "not a valid MongoDB connection string");
        assertTrue(e.getMessage().contains("u:****@"), "user kept, password hidden: " + e.getMessage());
        for (String piece : List.of("s3c", "ret@", "zz")) {
            assertFalse(e.getMessage().contains(piece), "password piece '" + piece + "' leaked: " + e.getMessage());
        }
    }

    @Test
    void missingEnvironmentVariableIsNamed() {
        assertNames(rejected("connection.local.uri", "${env:MONGO_URI}"), "connection.local.uri",
                "environment variable MONGO_URI is not set");
    }

    @Test
    void missingPlaceholderFileIsNamed() {
        Path missing = dir.resolve("no-such-credential");
        assertNames(rejected("connection.local.uri", "${file:" + missing + "}"), "connection.local.uri",
                "cannot read file " + missing);
    }

    @Test
    void unknownPlaceholderIsRejected() {
        assertNames(rejected("spool.dir", "${sys:user.home}"), "spool.dir", "unknown placeholder");
    }

    @Test
    void systemdCredentialThroughNestedPlaceholder() throws Exception {
        Path credentials = Files.createDirectories(dir.resolve("credentials"));
        Files.writeString(credentials.resolve("uri"), "mongodb://ferry:pw@db1:27017/?replicaSet=rs0\n");
        env.put("CREDENTIALS_DIRECTORY", credentials.toString());
        FerrySettings s = load("connection.prod.uri", "${file:${env:CREDENTIALS_DIRECTORY}/uri}");
        assertEquals("mongodb://ferry:pw@db1:27017/?replicaSet=rs0", s.connection("prod").orElseThrow().uri());
        assertEquals(List.of("pw"), s.secrets());
    }

    @Test
    void envPlaceholderInsideValue() throws Exception {
        env.put("FERRY_HOME", "/srv/ferry");
        assertEquals(Path.of("/srv/ferry/spool"), load("spool.dir", "${env:FERRY_HOME}/spool").spoolDir());
    }

    @Test
    void defaultsMatchTheReadme() throws Exception {
        FerrySettings s = load();
        Path cwd = Path.of("").toAbsolutePath();
        assertEquals(cwd.resolve("var/spool"), s.spoolDir());
        assertEquals(cwd.resolve("var/state"), s.stateDir());
        assertEquals(4, s.workers());
        assertEquals(1000, s.chunkSize());
        assertEquals(Duration.ofMillis(500), s.queueSettle());
        assertEquals(Duration.ofSeconds(10), s.queueRescan());
        assertEquals(Duration.ofSeconds(30), s.healthInterval());
        assertEquals(3, s.healthFailuresBeforeReconnect());
        assertEquals(Duration.ofSeconds(300), s.poolIdleTimeout());
        assertEquals(Duration.ofSeconds(30), s.poolReapInterval());
        assertEquals(10, s.retryMaxAttempts());
        assertEquals(Duration.ofMillis(500), s.retryInitialBackoff());
        assertEquals(Duration.ofMillis(30_000), s.retryMaxBackoff());
        assertEquals(Duration.ofSeconds(30), s.shutdownTimeout());
        assertEquals(List.of(cwd.resolve("examples/data")), s.sourceFileAllowedDirs());
        assertEquals(Optional.empty(), s.jmxPort());
        assertEquals(Map.of(), s.connections());
        assertEquals(cwd.resolve("var/spool/incoming"), s.incomingDir());
    }

    @Test
    void poolDefaultsMatchTheReadme() throws Exception {
        ConnectionSettings c = load("connection.local.uri", "embedded:").connection("local").orElseThrow();
        DriverPoolOptions o = c.options();
        assertEquals(10, o.maxPoolSize());
        assertEquals(2, o.minPoolSize());
        assertEquals(30_000, o.maxIdleTimeMS());
        assertEquals(10_000, o.serverSelectionTimeoutMS());
        assertEquals(0, o.socketTimeoutMS());
        assertEquals(10_000, o.connectTimeoutMS());
        assertTrue(o.retryWrites());
        assertTrue(o.retryReads());
        assertEquals(DriverPoolOptions.DEFAULTS, o);
        assertEquals(Optional.empty(), c.defaultDatabase());
        assertTrue(c.embedded());
        assertEquals(Optional.empty(), c.embeddedDir());
    }

    @Test
    void poolOptionOverriddenPerConnection() throws Exception {
        FerrySettings s = load(
                "connection.a.uri", "mongodb://h1", "connection.a.maxPoolSize", "50", "connection.a.retryReads", "false",
                "connection.b.uri", "embedded:var/embedded", "connection.b.database", "demo");
        DriverPoolOptions a = s.connection("a").orElseThrow().options();
        assertEquals(50, a.maxPoolSize());
        assertFalse(a.retryReads());
        assertEquals(2, a.minPoolSize());
        assertEquals(DriverPoolOptions.DEFAULTS, s.connection("b").orElseThrow().options());
        assertEquals(Optional.of("demo"), s.connection("b").orElseThrow().defaultDatabase());
        assertEquals(Optional.of(Path.of("var/embedded")), s.connection("b").orElseThrow().embeddedDir());
    }

    @Test
    void everyGlobalKeyIsRead() throws Exception {
        FerrySettings s = load("spool.dir", "/s", "state.dir", "/t", "workers", "2", "chunk.size", "7",
                "queue.settleMillis", "0", "queue.rescanSeconds", "5", "health.intervalSeconds", "6",
                "health.failuresBeforeReconnect", "1", "pool.idleTimeoutSeconds", "60", "pool.reapIntervalSeconds", "9",
                "retry.maxAttempts", "4", "retry.initialBackoffMillis", "10", "retry.maxBackoffMillis", "20",
                "shutdown.timeoutSeconds", "3", "source.file.allowedDirs", "/a, /b ,", "jmx.port", "9010", "jmx.bind", "10.0.0.5",
                "jmx.keyStore", "/k.p12", "jmx.keyStorePassword", "pw");
        assertEquals(dir, s.confDir());
        assertEquals(Path.of("/s"), s.spoolDir());
        assertEquals(Path.of("/t"), s.stateDir());
        assertEquals(2, s.workers());
        assertEquals(7, s.chunkSize());
        assertEquals(Duration.ZERO, s.queueSettle());
        assertEquals(Duration.ofSeconds(5), s.queueRescan());
        assertEquals(Duration.ofSeconds(6), s.healthInterval());
        assertEquals(1, s.healthFailuresBeforeReconnect());
        assertEquals(Duration.ofSeconds(60), s.poolIdleTimeout());
        assertEquals(Duration.ofSeconds(9), s.poolReapInterval());
        assertEquals(4, s.retryMaxAttempts());
        assertEquals(Duration.ofMillis(10), s.retryInitialBackoff());
        assertEquals(Duration.ofMillis(20), s.retryMaxBackoff());
        assertEquals(Duration.ofSeconds(3), s.shutdownTimeout());
        assertEquals(List.of(Path.of("/a"), Path.of("/b")), s.sourceFileAllowedDirs());
        assertEquals(Optional.of(9010), s.jmxPort());
        assertEquals(Optional.of("10.0.0.5"), s.jmxBind());
        assertEquals(Optional.of(Path.of("/k.p12")), s.jmxKeyStore());
        assertEquals(Optional.of("pw"), s.jmxKeyStorePassword());
        assertTrue(s.secrets().contains("pw"), "the key store password is scrubbed from output like a uri's");
        assertEquals(Map.of(), s.connections());
    }

    @Test
    void aKeyStoreWithoutItsPasswordIsNamed() {
        assertNames(rejected("jmx.keyStore", "/k.p12"), "jmx.keyStorePassword", "missing");
    }

    @Test
    void unknownKeyInFileNamesFileAndLine() throws Exception {
        writeConf("# ferry\n\nworkers = 2\nchunk.sise = 10\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(env::get).load(dir));
        assertEquals("chunk.sise", e.key());
        assertTrue(e.getMessage().contains("ferry.properties:4: chunk.sise: unknown key"), e.getMessage());
    }

    @Test
    void badValueInFileNamesLine() throws Exception {
        writeConf("connection.local.uri = embedded:\n# pool\nconnection.local.minPoolSize=30\nworkers=1\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(env::get).load(dir));
        assertTrue(e.getMessage().contains("ferry.properties:3: connection.local.minPoolSize: "), e.getMessage());
    }

    @Test
    void connectionWithoutUriInFileNamesLineOfTheConnection() throws Exception {
        writeConf("workers=1\nconnection.remote.database=demo\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(env::get).load(dir));
        assertTrue(e.getMessage().contains("ferry.properties:2: connection.remote.uri: "), e.getMessage());
    }

    @Test
    void missingConfigurationFileIsExplained() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(env::get).load(dir));
        assertTrue(e.getMessage().contains("ferry.properties") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void fileBasedLoadReadsValues() throws Exception {
        writeConf("connection.local.uri = embedded:var/embedded\nconnection.local.database = demo\nchunk.size=250\n");
        FerrySettings s = new ConfigLoader(env::get).load(dir);
        assertEquals(250, s.chunkSize());
        assertEquals("embedded:var/embedded", s.connection("local").orElseThrow().uri());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "100001", "-3"})
    void chunkSizeOutOfRangeIsRejected(String value) {
        ConfigException e = rejected("chunk.size", value);
        assertNames(e, "chunk.size", "'" + value + "'");
    }

    @Test
    void chunkSizeAtTheLimitsIsAccepted() throws Exception {
        assertEquals(1, load("chunk.size", "1").chunkSize());
        assertEquals(100_000, load("chunk.size", "100000").chunkSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "65536", "-1", "jmx"})
    void jmxPortOutOfRangeIsRejected(String value) {
        assertNames(rejected("jmx.port", value), "jmx.port", "'" + value + "'");
    }

    @Test
    void emptyJmxPortMeansLocalOnly() throws Exception {
        assertEquals(Optional.empty(), load("jmx.port", "").jmxPort());
        assertEquals(Optional.of(65535), load("jmx.port", "65535").jmxPort());
    }

    @Test
    void initialBackoffAboveMaxIsRejected() {
        assertNames(rejected("retry.initialBackoffMillis", "5000", "retry.maxBackoffMillis", "100"),
                "retry.initialBackoffMillis", "must not exceed retry.maxBackoffMillis");
    }

    @Test
    void connectionToStringHidesPassword() throws Exception {
        ConnectionSettings c = load("connection.r.uri", "mongodb://app:hunter22@db1,db2/x").connection("r").orElseThrow();
        assertFalse(c.toString().contains("hunter22"), c.toString());
        assertEquals("mongodb://app:****@db1,db2/x", c.redactedUri());
    }

    @Test
    void redactionKeepsUserAndHidesPassword() {
        assertEquals("mongodb://app:****@db1:27017/demo?authSource=admin",
                Redaction.uri("mongodb://app:hunter22@db1:27017/demo?authSource=admin"));
        assertEquals("mongodb+srv://app:****@cluster0.example.net/",
                Redaction.uri("mongodb+srv://app:hunter22@cluster0.example.net/"));
        assertEquals("mongodb://db1:27017", Redaction.uri("mongodb://db1:27017"));
        assertEquals("mongodb://app@db1", Redaction.uri("mongodb://app@db1"));
        assertEquals("failed on mongodb://app:****@db1 and mongodb://b:****@db2",
                Redaction.uri("failed on mongodb://app:x1@db1 and mongodb://b:y2@db2"));
    }

    @Test
    void redactionHidesPasswordWithUnencodedAtSignOrSlash() {
        assertEquals("mongodb://app:****@db1", Redaction.uri("mongodb://app:p@ss@db1"));
        assertEquals("mongodb://app:****@db1/x", Redaction.uri("mongodb://app:p/ss@db1/x"));
    }

    @Test
    void redactionOfTextRemovesKnownSecrets() {
        assertEquals("auth failed for app with ****", Redaction.text("auth failed for app with hunter22",
                List.of("hunter22")));
    }

    @Test
    void theDatabaseOfTheConnectionStringIsTheDefaultUnlessTheKeySetsOne() throws ConfigException {
        FerrySettings s = load("connection.a.uri", "mongodb://db.example:27017/appdb",
                "connection.b.uri", "mongodb://db.example:27017/appdb", "connection.b.database", "other",
                "connection.c.uri", "mongodb://db.example:27017");
        assertEquals(java.util.Optional.of("appdb"), s.connection("a").orElseThrow().defaultDatabase());
        assertEquals(java.util.Optional.of("other"), s.connection("b").orElseThrow().defaultDatabase());
        assertEquals(java.util.Optional.empty(), s.connection("c").orElseThrow().defaultDatabase());
    }

    @Test
    void aKeyWrittenTwiceIsReportedAtTheLineWhoseValueCounts() throws Exception {
        writeConf("workers=2\nchunk.size=10\nworkers=zero\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(env::get).load(dir));
        assertTrue(e.getMessage().contains("ferry.properties:3: workers: must be a whole number, was 'zero'"),
                e.getMessage());
    }

    private static final String RECIPE = "connection.main.uri=${file:${env:CREDENTIALS_DIRECTORY}/mongo-uri}\n"
            + "connection.main.database=app\nconnection.local.uri=embedded:\n";

    @Test
    void commandsThatOpenNoConnectionDoNotNeedItsSecret() throws Exception {
        writeConf(RECIPE);
        FerrySettings s = new ConfigLoader(env::get).load(dir, name -> false);
        ConnectionSettings main = s.connection("main").orElseThrow();
        assertTrue(main.uriDeferred());
        assertEquals(Optional.of("app"), main.defaultDatabase());
        assertFalse(main.embedded());
        assertFalse(main.redactedUri().contains("mongodb://"), main.redactedUri());
        assertFalse(s.connection("local").orElseThrow().uriDeferred(), "a uri without placeholders is read as is");
        assertThrows(IllegalStateException.class, () -> dev.ferry.pool.UriResolver.DIRECT.resolve(main));
    }

    @Test
    void theConnectionACommandOpensNeedsItsSecretAndTheErrorSaysHowToGiveIt() throws Exception {
        writeConf(RECIPE);
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader(env::get).load(dir, "main"::equals));
        assertNames(e, "connection.main.uri", "environment variable CREDENTIALS_DIRECTORY is not set");
        assertTrue(e.getMessage().contains("LoadCredential="), e.getMessage());
        assertTrue(e.getMessage().contains("CREDENTIALS_DIRECTORY=" + dir.toAbsolutePath().resolve("credentials")),
                e.getMessage());
        assertTrue(e.getMessage().contains("ferry.properties:1: "), e.getMessage());
    }

    @Test
    void withTheCredentialGivenTheUriIsResolvedAndChecked() throws Exception {
        Path credentials = Files.createDirectories(dir.resolve("credentials"));
        Files.writeString(credentials.resolve("mongo-uri"), "mongodb://ferry:s3cret@db.example:27017/app\n");
        env.put("CREDENTIALS_DIRECTORY", credentials.toString());
        writeConf(RECIPE);
        ConnectionSettings main = new ConfigLoader(env::get).load(dir, "main"::equals).connection("main").orElseThrow();
        assertFalse(main.uriDeferred());
        assertEquals("mongodb://ferry:s3cret@db.example:27017/app", main.uri());
    }

    @Test
    void anUnreadableCredentialFileIsNamedWithoutItsContent() throws Exception {
        writeConf("connection.main.uri=${file:" + dir.resolve("missing-uri") + "}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(env::get).load(dir));
        assertNames(e, "connection.main.uri", "cannot read file " + dir.resolve("missing-uri") + ": no such file");
    }

    @Test
    void aClusterNamesAConfiguredConnectionWithADatabase() throws ConfigException {
        assertNames(rejected("connection.main.uri", "mongodb://db/app", "cluster.connection", "coord"),
                "cluster.connection", "names no configured connection, was 'coord' (configured: main)");
        assertNames(rejected("connection.coord.uri", "mongodb://db", "cluster.connection", "coord"),
                "cluster.connection", "set connection.coord.database");
        FerrySettings s = load("connection.coord.uri", "mongodb://db/cluster", "cluster.connection", "coord",
                "cluster.leaseSeconds", "12", "cluster.member", "host-a");
        assertEquals("coord", s.clusterConnection().orElseThrow());
        assertEquals("ferry", s.clusterName());
        assertEquals("host-a", s.clusterMember());
        assertEquals(java.time.Duration.ofSeconds(12), s.clusterLease());
        assertNames(rejected("cluster.leaseSeconds", "2"), "cluster.leaseSeconds", "at least 3");
    }
}
