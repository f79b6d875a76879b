package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 5: the one-shot commands as a user runs them: exit codes, and messages that say what and where. */
class CommandsProcessTest {
    private static final Duration COMMAND = Duration.ofSeconds(60);

    @Test
    void validateExitsZeroOnGoodFilesAndTwoNamingTheFieldOfEachBadOne(@TempDir Path dir) throws IOException {
        Path confDir = new FerryConf(dir, "mongodb://127.0.0.1:1").write();
        Path good = job(dir, "good.json", "dest", "c", "");
        Path typo = job(dir, "typo.json", "dest", "c", ", \"chunksize\": 5");
        Path tooBig = job(dir, "toobig.json", "dest", "c", ", \"chunkSize\": 100001");
        Path unknown = job(dir, "unknown.json", "nope", "c", "");

        FerryProcess.Result ok = FerryProcess.command(COMMAND, "validate", "--conf", confDir.toString(), good.toString());
        assertEquals(0, ok.exitCode(), ok.stderr());
        assertTrue(ok.stdout().contains(good + ": ok"), ok.stdout());
        assertEquals("", ok.stderr());

        FerryProcess.Result bad = FerryProcess.command(COMMAND, "validate", "--conf", confDir.toString(),
                good.toString(), typo.toString(), tooBig.toString(), unknown.toString());
        assertEquals(2, bad.exitCode(), bad.stdout() + bad.stderr());
        assertTrue(bad.stdout().contains(good + ": ok"), "the good file is still reported: " + bad.stdout());
        assertLine(bad.stderr(), typo.toString(), "chunksize");
        assertLine(bad.stderr(), tooBig.toString(), "chunkSize");
        assertLine(bad.stderr(), unknown.toString(), "nope");
    }

    @Test
    void submitOfAMixOfGoodAndBadFilesSubmitsNothingAndExitsTwo(@TempDir Path dir) throws IOException {
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1");
        Path confDir = conf.write();
        Path good = job(dir, "good.json", "dest", "c", "");
        Path bad = job(dir, "bad.json", "dest", "c", ", \"mode\": \"replace\"");
        FerryProcess.Result r = FerryProcess.command(COMMAND, "submit", "--conf", confDir.toString(), good.toString(),
                bad.toString());
        assertEquals(2, r.exitCode(), r.stderr());
        assertLine(r.stderr(), bad.toString(), "mode");
        assertTrue(r.stderr().contains("nothing submitted"), r.stderr());
        assertEquals(List.of(), jobsIn(conf.spool().resolve("incoming")));
    }

    @Test
    void submittedFilesLandInIncomingAndARunningDaemonRunsThemToDone(@TempDir Path dir) throws IOException {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            Path confDir = conf.write();
            Spooler spool = new Spooler(conf.spool());
            Path one = job(dir, "one.json", "dest", "one", "");
            Path two = job(dir, "two.json", "dest", "two", "");
            FerryProcess.Result r = FerryProcess.command(COMMAND, "submit", "--conf", confDir.toString(),
                    one.toString(), two.toString());
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(List.of("one.json", "two.json"), jobsIn(conf.spool().resolve("incoming")));

            try (FerryProcess daemon = FerryProcess.run(confDir, dir.resolve("ferry.log"))) {
                spool.awaitDone("one", Duration.ofSeconds(30));
                spool.awaitDone("two", Duration.ofSeconds(30));
                Path three = job(dir, "three.json", "dest", "three", "");
                FerryProcess.Result r3 = FerryProcess.command(COMMAND, "submit", "--conf", confDir.toString(),
                        three.toString());
                assertEquals(0, r3.exitCode(), r3.stderr());
                spool.awaitDone("three", Duration.ofSeconds(30));
            }
            for (String c : List.of("one", "two", "three")) {
                assertEquals(2L, Dataset.count(server.uri(), c), c);
            }
        }
    }

    @Test
    void aBadConfigurationExitsTwoNamingFileLineAndKey(@TempDir Path dir) throws IOException {
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1").set("wokers", "4");
        Path confDir = conf.write();
        Path file = confDir.resolve("ferry.properties");
        FerryProcess.Result unknown = FerryProcess.command(COMMAND, "status", "--conf", confDir.toString());
        assertEquals(2, unknown.exitCode(), unknown.stdout());
        assertLine(unknown.stderr(), file + ":" + lineOf(file, "wokers=") + ": wokers", "unknown key");

        new FerryConf(dir, "mongodb://127.0.0.1:1").set("workers", "four").write();
        FerryProcess.Result notNumber = FerryProcess.command(COMMAND, "status", "--conf", confDir.toString());
        assertEquals(2, notNumber.exitCode(), notNumber.stdout());
        assertLine(notNumber.stderr(), file + ":" + lineOf(file, "workers=") + ": workers", "four");
    }

    @Test
    void noArgumentsOrAnUnknownCommandExitTwoWithTheUsage(@TempDir Path dir) {
        FerryProcess.Result none = FerryProcess.command(COMMAND, Map.of(), dir);
        assertEquals(2, none.exitCode(), none.stdout());
        assertTrue(none.stderr().contains("usage: ferry"), none.stderr());

        FerryProcess.Result unknown = FerryProcess.command(COMMAND, "frobnicate", "--conf", dir.toString());
        assertEquals(2, unknown.exitCode(), unknown.stdout());
        assertTrue(unknown.stderr().contains("unknown command 'frobnicate'"), unknown.stderr());
        assertTrue(unknown.stderr().contains("usage: ferry"), unknown.stderr());
    }

    @Test
    void confOptionBeatsFerryConfWhichBeatsDotSlashConf(@TempDir Path dir) {
        Path a = new FerryConf(dir.resolve("a"), "mongodb://127.0.0.1:1").write();
        Path b = new FerryConf(dir.resolve("b"), "mongodb://127.0.0.1:1").write();
        Path work = dir.resolve("w");
        new FerryConf(work, "mongodb://127.0.0.1:1").write();

        assertEquals(dir.resolve("b").resolve("spool"),
                statusSpool(Map.of("FERRY_CONF", a.toString()), work, "--conf", b.toString()));
        assertEquals(dir.resolve("a").resolve("spool"), statusSpool(Map.of("FERRY_CONF", a.toString()), work));
        Map<String, String> noEnv = new HashMap<>();
        noEnv.put("FERRY_CONF", null);
        assertEquals(work.resolve("spool"), statusSpool(noEnv, work));
    }

    /** The spool directory that {@code ferry status} reports, i.e. the configuration it read. */
    private static Path statusSpool(Map<String, String> env, Path workDir, String... options) {
        String[] args = new String[options.length + 1];
        args[0] = "status";
        System.arraycopy(options, 0, args, 1, options.length);
        FerryProcess.Result r = FerryProcess.command(COMMAND, env, workDir, args);
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("daemon: not running"), r.stdout());
        String first = r.stdout().lines().findFirst().orElseThrow();
        assertTrue(first.startsWith("spool "), first);
        return Path.of(first.substring("spool ".length(), first.indexOf(": incoming")));
    }

    static Path job(Path dir, String name, String connection, String collection, String extra) throws IOException {
        return Files.writeString(dir.resolve(name), "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1},"
                + " {\"_id\": 2}]}, \"destination\": {\"connection\": \"" + connection + "\", \"collection\": \""
                + collection + "\"}" + extra + "}");
    }

    /** Some line of {@code text} contains every part. */
    static void assertLine(String text, String... parts) {
        boolean found = text.lines().anyMatch(l -> List.of(parts).stream().allMatch(l::contains));
        assertTrue(found, "no line with " + List.of(parts) + " in:\n" + text);
    }

    private static int lineOf(Path file, String prefix) throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i + 1;
            }
        }
        throw new AssertionError(prefix + " not in " + file);
    }

    private static List<String> jobsIn(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
