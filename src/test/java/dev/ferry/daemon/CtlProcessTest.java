package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
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
 * Issue 4: {@code ferry ctl} and {@code ferry status} against a real daemon process, reached through
 * {@code state.dir/jmx.local}; and what they say when no daemon runs.
 */
class CtlProcessTest {
    private static final Duration COMMAND = Duration.ofSeconds(60);

    @Test
    void ctlAndStatusReadAndDriveARunningDaemonAndSayWhenNoneRuns(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            String c = conf.write().toString();
            Spooler spool = new Spooler(conf.spool());
            try (FerryProcess daemon = FerryProcess.run(Path.of(c), dir.resolve("ferry.log"))) {
                daemon.awaitLog("started (pid", Duration.ofSeconds(30));
                spool.drop("first.json", inlineJob("first"));
                spool.awaitDone("first", Duration.ofSeconds(30));

                Map<String, String> dest = poolRow(ok("ctl", "--conf", c, "pools"), "dest");
                assertEquals("OPEN", dest.get("STATE"));
                assertEquals("true", dest.get("HEALTHY"));
                assertEquals("0", dest.get("RESETS"));
                assertTrue(dest.get("TARGET").contains("127.0.0.1:" + server.port()), dest.toString());

                Document json = Document.parse(ok("ctl", "--conf", c, "pools", "--json"));
                List<Document> pools = json.getList("pools", Document.class);
                assertEquals(1, pools.size(), json.toJson());
                assertEquals("dest", pools.get(0).getString("Name"));
                assertEquals("OPEN", pools.get(0).getString("State"));
                assertTrue(pools.get(0).getString("Target").contains("127.0.0.1:" + server.port()), json.toJson());

                String status = ok("status", "--conf", c);
                assertTrue(status.contains("spool " + conf.spool() + ": incoming 0, active 0, done 1, failed 0"), status);
                assertTrue(status.contains("daemon: running (pid " + daemon.pid() + ")"), status);
                assertEquals("OPEN", poolRow(status, "dest").get("STATE"));
                assertTrue(status.contains("completed=1"), status);

                assertTrue(ok("ctl", "--conf", c, "reset", "dest").startsWith("dest: reset"));
                assertEquals("1", poolRow(ok("ctl", "--conf", c, "pools"), "dest").get("RESETS"));

                ok("ctl", "--conf", c, "pause");
                spool.drop("second.json", inlineJob("second"));
                String paused = ok("ctl", "--conf", c, "jobs");
                assertTrue(paused.contains("paused=true queued=1 running=0 completed=1"), paused);
                assertTrue(Files.exists(conf.spool().resolve("incoming").resolve("second.json")), "not claimed");
                ok("ctl", "--conf", c, "resume");
                spool.awaitDone("second", Duration.ofSeconds(30));
                String resumed = ok("ctl", "--conf", c, "jobs");
                assertTrue(resumed.contains("paused=false queued=0 running=0 completed=2"), resumed);

                FerryProcess.Result nope = FerryProcess.command(COMMAND, "ctl", "--conf", c, "reset", "nope");
                assertEquals(1, nope.exitCode(), nope.stdout() + nope.stderr());
                assertTrue((nope.stdout() + nope.stderr()).contains("nope"), nope.stdout() + nope.stderr());

                // a crash leaves ferry.pid and jmx.local behind: they name a dead process
                daemon.sigkill();
                daemon.awaitExit(Duration.ofSeconds(10));
            }
            FerryProcess.Result pools = FerryProcess.command(COMMAND, "ctl", "--conf", c, "pools");
            assertEquals(1, pools.exitCode(), pools.stdout());
            assertTrue(pools.stderr().contains("not running"), pools.stderr());
            String status = ok("status", "--conf", c);
            assertTrue(status.contains("daemon: not running"), status);
            assertTrue(status.contains("done 2"), status);
        }
    }

    /**
     * Debian puts the host name on 127.0.1.1 (a LAN address does the same): RMI writes that address
     * into the connector's stub while the connector listens on 127.0.0.1. The daemon is told so with
     * java.rmi.server.hostname, which is where RMI takes the stub's host from.
     */
    @Test
    void ctlReachesTheDaemonWhenTheHostNameIsNotOn127001(@TempDir Path dir) {
        try (TestMongoServer server = new TestMongoServer()) {
            FerryConf conf = new FerryConf(dir, server.uri());
            String c = conf.write().toString();
            try (FerryProcess daemon = FerryProcess.run(Path.of(c), dir.resolve("ferry.log"),
                    "-Djava.rmi.server.hostname=127.0.1.1")) {
                daemon.awaitLog("started (pid", Duration.ofSeconds(30));
                assertEquals("CLOSED", poolRow(ok("ctl", "--conf", c, "pools"), "dest").get("STATE"), "not used yet");
                assertTrue(ok("ctl", "--conf", c, "reset", "dest").startsWith("dest: reset"));
                assertTrue(ok("status", "--conf", c).contains("daemon: running (pid " + daemon.pid() + ")"));
            }
        }
    }

    private static String inlineJob(String collection) {
        return "{\"source\": {\"type\": \"inline\", \"documents\": [{\"_id\": 1}, {\"_id\": 2}]},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"" + collection + "\"}}";
    }

    private static String ok(String... args) {
        FerryProcess.Result r = FerryProcess.command(COMMAND, args);
        assertEquals(0, r.exitCode(), "ferry " + String.join(" ", args) + ": " + r.stdout() + r.stderr());
        return r.stdout();
    }

    /**
     * The row of the pools table whose NAME is {@code name}, by column header. Fails unless every
     * cell starts exactly under its header, i.e. the table is aligned.
     */
    static Map<String, String> poolRow(String text, String name) {
        List<String> lines = text.lines().toList();
        int h = 0;
        while (h < lines.size() && !lines.get(h).startsWith("NAME ")) {
            h++;
        }
        assertTrue(h < lines.size(), "no pools table in:\n" + text);
        String header = lines.get(h);
        List<Integer> starts = new ArrayList<>();
        List<String> columns = new ArrayList<>();
        for (int i = 0; i < header.length(); i++) {
            if (header.charAt(i) != ' ' && (i == 0 || header.charAt(i - 1) == ' ')) {
                starts.add(i);
                columns.add(header.substring(i).split(" ")[0]);
            }
        }
        assertEquals(List.of("NAME", "STATE", "HEALTHY", "LEASES", "CONNS", "IN-USE", "IDLE", "MAX", "CREATED",
                "RESETS", "RECONNECTS", "LAST-HEALTH", "TARGET"), columns);
        for (String row : lines.subList(h + 1, lines.size())) {
            if (row.isBlank()) {
                break;
            }
            Map<String, String> cells = new LinkedHashMap<>();
            for (int i = 0; i < starts.size(); i++) {
                int s = starts.get(i);
                boolean aligned = row.length() > s && row.charAt(s) != ' ' && (s == 0 || row.charAt(s - 1) == ' ');
                assertTrue(aligned, "column " + columns.get(i) + " not aligned in:\n" + text);
                int e = i + 1 < starts.size() ? starts.get(i + 1) : row.length();
                cells.put(columns.get(i), row.substring(s, Math.min(e, row.length())).trim());
            }
            if (cells.get("NAME").equals(name)) {
                return cells;
            }
        }
        throw new AssertionError("no pool " + name + " in:\n" + text);
    }
}
