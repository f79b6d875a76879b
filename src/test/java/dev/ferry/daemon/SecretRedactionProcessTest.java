package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5: a connection password never leaves ferry.properties (or the environment): not in the
 * daemon's log, not in any spool or state file, not in any command's output, also when connections
 * with the password fail. The embedded server refuses every login (it does not implement SCRAM), which
 * gives the authentication failure path; a closed port gives the unreachable-server path.
 */
class SecretRedactionProcessTest {
    private static final String PASSWORD = "S3cretPassw0rd";
    private static final Duration COMMAND = Duration.ofSeconds(60);

    @Test
    void aPasswordInFerryPropertiesAppearsInNoLogFileOrOutput(@TempDir Path dir) throws Exception {
        runScenario(dir, false);
    }

    @Test
    void aPasswordFromAnEnvironmentVariableAppearsInNoLogFileOrOutput(@TempDir Path dir) throws Exception {
        runScenario(dir, true);
    }

    @Test
    void anInvalidConnectionStringIsNamedInTheConfigurationErrorWithoutItsPassword(@TempDir Path dir) {
        // a mistyped scheme and a space in the password: both are what the uri redaction pattern misses
        for (String uri : List.of("mongodb//ferryuser:" + PASSWORD + "@127.0.0.1:1/",
                "mongodb://ferryuser:" + PASSWORD.replace("P", " P") + "@127.0.0.1:x/")) {
            String c = new FerryConf(dir, uri).write().toString();
            FerryProcess.Result r = FerryProcess.command(COMMAND, "status", "--conf", c);
            assertEquals(2, r.exitCode(), r.stdout() + r.stderr());
            assertTrue(r.stderr().contains("ferry.properties:") && r.stderr().contains("connection.dest.uri"), r.stderr());
            assertNoPassword("the configuration error", r.stdout() + r.stderr());
            assertNoPassword("the configuration error", r.stdout().replace(" ", "") + r.stderr().replace(" ", ""));
        }
    }

    private void runScenario(Path dir, boolean viaEnv) throws Exception {
        try (TestMongoServer server = new TestMongoServer()) {
            String authUri = "mongodb://ferryuser:" + PASSWORD + "@127.0.0.1:" + server.port() + "/?authSource=admin";
            String closedUri = "mongodb://ferryuser:" + PASSWORD + "@127.0.0.1:" + closedPort() + "/?authSource=admin";
            Map<String, String> env = new LinkedHashMap<>();
            FerryConf conf = new FerryConf(dir, server.uri())
                    // the failing jobs must fail, not wait for a DOWN pool to come back
                    .set("health.failuresBeforeReconnect", "1000")
                    .set("retry.maxAttempts", "2");
            if (viaEnv) {
                env.put("FERRY_TEST_URI", authUri);
                env.put("FERRY_TEST_URI_CLOSED", closedUri);
                conf.set("connection.auth.uri", "${env:FERRY_TEST_URI}").set("connection.closed.uri",
                        "${env:FERRY_TEST_URI_CLOSED}");
            } else {
                conf.set("connection.auth.uri", authUri).set("connection.closed.uri", closedUri);
            }
            conf.set("connection.auth.database", "secret").set("connection.auth.serverSelectionTimeoutMS", "1000")
                    .set("connection.closed.database", "secret").set("connection.closed.serverSelectionTimeoutMS", "1000")
                    .set("connection.closed.connectTimeoutMS", "500");
            String c = conf.write().toString();
            if (viaEnv) {
                assertTrue(!Files.readString(Path.of(c, "ferry.properties")).contains(PASSWORD), "only in the env");
            }
            Spooler spool = new Spooler(conf.spool());
            List<String> outputs = new ArrayList<>();
            Path log = dir.resolve("ferry.log");
            try (FerryProcess daemon = FerryProcess.run(Path.of(c), log, env)) {
                daemon.awaitLog("started (pid", Duration.ofSeconds(30));
                spool.drop("good.json", job("dest"));
                spool.drop("auth.json", job("auth"));
                spool.drop("closed.json", job("closed"));
                spool.awaitDone("good", Duration.ofSeconds(30));
                Document authError = spool.awaitFailed("auth", Duration.ofSeconds(40));
                Document closedError = spool.awaitFailed("closed", Duration.ofSeconds(40));
                assertTrue(authError.getString("message").contains("credentials"), authError.toJson());
                outputs.add(authError.toJson() + closedError.toJson());

                outputs.add(expect(0, env, "ctl", "--conf", c, "pools"));
                String json = expect(0, env, "ctl", "--conf", c, "pools", "--json");
                outputs.add(json);
                List<Document> pools = Document.parse(json.substring(json.indexOf('{'))).getList("pools",
                        Document.class);
                assertEquals(3, pools.size(), json);
                outputs.add(expect(0, env, "ctl", "--conf", c, "jobs", "--json"));
                outputs.add(expect(0, env, "ctl", "--conf", c, "reset", "auth"));
                outputs.add(expect(0, env, "status", "--conf", c));
                outputs.add(expect(0, env, "status", "--conf", c, "--json"));
                outputs.add(expect(1, env, "check-pool", "--conf", c, "auth"));
                outputs.add(expect(1, env, "check-pool", "--conf", c, "closed"));
                outputs.add(expect(0, env, "validate", "--conf", c, Files.writeString(dir.resolve("v.json"), job("auth")).toString()));
                daemon.sigterm();
                daemon.awaitExit(Duration.ofSeconds(20));
            }
            String daemonLog = Files.readString(log);
            assertTrue(daemonLog.contains("auth") && daemonLog.contains("failed"), "the failures were logged:\n"
                    + daemonLog);
            assertNoPassword("the daemon log", daemonLog);
            for (int i = 0; i < outputs.size(); i++) {
                assertNoPassword("command output " + i, outputs.get(i));
            }
            for (Path root : List.of(conf.spool(), conf.state())) {
                try (var files = Files.walk(root)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        assertNoPassword(f.toString(), new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                    }
                }
            }
        }
    }

    /** Runs the command, checks its exit code; returns stdout and stderr together. */
    private static String expect(int exitCode, Map<String, String> env, String... args) {
        FerryProcess.Result r = FerryProcess.command(COMMAND, env, null, args);
        String both = r.stdout() + "\n" + r.stderr();
        assertEquals(exitCode, r.exitCode(), "ferry " + String.join(" ", args) + ":\n" + both);
        return "ferry " + String.join(" ", args) + ":\n" + both;
    }

    private static void assertNoPassword(String where, String text) {
        assertTrue(!text.contains(PASSWORD), "the password appears in " + where + ":\n" + text);
    }

    private static String job(String connection) {
        return "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}, {\"_id\": 2}]},"
                + " \"destination\": {\"connection\": \"" + connection + "\", \"collection\": \"c\"}}";
    }

    /** A loopback port that nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
