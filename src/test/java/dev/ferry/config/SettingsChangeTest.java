package dev.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a reload sees as changed (docs/operations.md, "Reloading the configuration"), from real files. */
class SettingsChangeTest {
    private final ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);

    private FerrySettings load(Path dir, String text) throws Exception {
        Files.writeString(dir.resolve(ConfigLoader.FILE_NAME), text);
        return loader.load(dir);
    }

    @Test
    void theSameFileReadTwiceChangesNothingEvenWithTlsFiles(@TempDir Path dir) throws Exception {
        Path ca = new TestCa("reload-ca").writeCertificate(dir.resolve("ca.pem"));
        String text = "workers=3\nconnection.main.uri=mongodb://db.example/app\nconnection.main.tlsCAFile=" + ca + "\n";
        SettingsChange change = SettingsChange.between(load(dir, text), load(dir, text));
        assertTrue(change.isEmpty(), change.describe());
        assertEquals("nothing changed", change.describe());
    }

    @Test
    void aNewCaInTheSameFileChangesTheConnection(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca.pem");
        new TestCa("first-ca").writeCertificate(ca);
        String text = "connection.main.uri=mongodb://db.example/app\nconnection.main.tlsCAFile=" + ca + "\n";
        FerrySettings before = load(dir, text);
        new TestCa("rotated-ca").writeCertificate(ca);
        SettingsChange change = SettingsChange.between(before, load(dir, text));
        assertEquals(List.of("main"), change.connectionsChanged());
    }

    @Test
    void keysAreSortedIntoAppliedAndNeedingARestartAndConnectionsIntoAddedRemovedChanged(@TempDir Path dir)
            throws Exception {
        FerrySettings before = load(dir, "workers=4\nspool.dir=/var/spool/a\nconnection.a.uri=mongodb://a/x\n"
                + "connection.b.uri=mongodb://b/x\n");
        FerrySettings after = load(dir, "workers=6\nspool.dir=/var/spool/b\njmx.port=9010\n"
                + "connection.b.uri=mongodb://b/x\nconnection.b.maxPoolSize=3\nconnection.c.uri=mongodb://c/x\n");
        SettingsChange change = SettingsChange.between(before, after);
        assertEquals(List.of("workers"), change.applied());
        assertEquals(List.of("spool.dir", "jmx.port"), change.needRestart());
        assertEquals(List.of("c"), change.connectionsAdded());
        assertEquals(List.of("a"), change.connectionsRemoved());
        assertEquals(List.of("b"), change.connectionsChanged());
        String said = change.describe();
        assertTrue(said.startsWith("applied workers; connection(s) added: c; connection(s) changed: b"), said);
        assertTrue(said.endsWith("spool.dir, jmx.port: needs a restart (systemctl restart ferry); the old value stays "
                + "in use until then"), said);
        assertFalse(said.contains("mongodb://"), "names, never values");

        FerrySettings running = after.keepingRestartOnlyOf(before);
        assertEquals(Path.of("/var/spool/a"), running.spoolDir());
        assertTrue(running.jmxPort().isEmpty());
        assertEquals(6, running.workers());
        assertEquals(List.of("b", "c"), List.copyOf(running.connections().keySet()));
        assertEquals(List.of("spool.dir", "jmx.port"), SettingsChange.between(running, after).needRestart(),
                "told again at the next reload until a restart");
    }
}
