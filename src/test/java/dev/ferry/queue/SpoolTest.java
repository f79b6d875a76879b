package dev.ferry.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SpoolTest {

    @TempDir
    Path root;

    Spool spool;

    @BeforeEach
    void setUp() throws IOException {
        spool = new Spool(root);
        spool.ensureLayout();
    }

    @ParameterizedTest
    @ValueSource(strings = {"job.json", "people-2026-11-26.json", "a.b_c-1.json", "with space.json"})
    void jobNamesAreCandidates(String name) {
        assertTrue(Spool.isCandidateName(name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {".job.json", ".json", "job.json.tmp", "job.tmp", "job.json.part", "job.part",
        "job.json~", "job~", "job.json.swp", ".job.json.swp", "job.result.json", "job.error.json",
        "job.txt", "job", "job.JSON.tmp", ""})
    void ignoredNamesAreNotCandidates(String name) {
        assertFalse(Spool.isCandidateName(name), name);
    }

    @Test
    void ensureLayoutCreatesTheFourFolders() {
        for (String dir : List.of("incoming", "active", "done", "failed")) {
            assertTrue(Files.isDirectory(root.resolve(dir)), dir);
        }
        assertEquals(root.resolve("incoming"), spool.incoming());
        assertEquals(root.resolve("active"), spool.active());
        assertEquals(root.resolve("done"), spool.done());
        assertEquals(root.resolve("failed"), spool.failed());
    }

    @Test
    void claimMovesTheFileIntoActiveUnderItsName() throws IOException {
        Path file = drop("job-1.json", "{\"id\":\"x\"}");
        Optional<Path> claimed = spool.claim(file).map(JobClaim::file);
        assertEquals(Optional.of(root.resolve("active/job-1.json")), claimed);
        assertFalse(Files.exists(file));
        assertEquals("{\"id\":\"x\"}", Files.readString(claimed.get()));
        assertEquals(Optional.empty(), spool.claim(file), "a second claim of the same file finds nothing");
    }

    @Test
    void claimLeavesAFileInIncomingWhileAJobOfThatNameRuns() throws IOException {
        Files.writeString(root.resolve("active/same.json"), "running");
        Path waiting = drop("same.json", "waiting");

        assertEquals(Optional.empty(), spool.claim(waiting));
        assertEquals(Optional.empty(), spool.claim(waiting));
        assertEquals("running", Files.readString(root.resolve("active/same.json")));
        assertEquals("waiting", Files.readString(waiting));

        Files.delete(root.resolve("active/same.json"));
        assertEquals(Optional.of(root.resolve("active/same.json")), spool.claim(waiting).map(JobClaim::file));
        assertEquals("waiting", Files.readString(root.resolve("active/same.json")));
    }

    @Test
    void racingDaemonsClaimEachFileExactlyOnce() throws Exception {
        int files = 200;
        List<Path> dropped = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            dropped.add(drop(String.format("job-%03d.json", i), "{\"n\":" + i + "}"));
        }
        Spool[] daemons = {new Spool(root), new Spool(root)};
        Map<String, AtomicInteger> claims = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Spool daemon = daemons[t % 2];
            List<Path> order = new ArrayList<>(dropped);
            Collections.shuffle(order, new Random(t));
            results.add(threads.submit(() -> {
                go.await();
                for (Path file : order) {
                    if (daemon.claim(file).isPresent()) {
                        String name = file.getFileName().toString();
                        claims.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> result : results) {
            result.get(30, TimeUnit.SECONDS);
        }
        threads.shutdown();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));

        assertEquals(files, claims.size(), "every file claimed");
        claims.forEach((name, count) -> assertEquals(1, count.get(), name + " claimed once"));
        assertEquals(new SpoolCounts(0, files, 0, 0), spool.counts());
    }

    @Test
    void activeFilesListsJobEntriesSortedByNameDirectoriesIncludedSoTheyAreRejected() throws IOException {
        Files.writeString(root.resolve("active/b.json"), "{}");
        Files.writeString(root.resolve("active/a.json"), "{}");
        Files.writeString(root.resolve("active/.c.json.123.tmp"), "{}");
        Files.createDirectory(root.resolve("active/dir.json"));
        assertEquals(List.of(root.resolve("active/a.json"), root.resolve("active/b.json"), root.resolve("active/dir.json")),
                spool.activeFiles());
    }

    @Test
    void aRunningJobCannotBeAdoptedButAnAbandonedOneCan() throws IOException {
        JobClaim running = spool.claim(drop("a.json", "{}")).orElseThrow();
        assertEquals(Optional.empty(), spool.adopt(running.file()), "adopted while its owner still runs it");

        Path abandoned = root.resolve("active/b.json");
        Files.writeString(abandoned, "{}"); // left behind by a daemon that died: no lock held
        try (JobClaim adopted = spool.adopt(abandoned).orElseThrow()) {
            assertEquals(abandoned, adopted.file());
            assertEquals(Optional.empty(), spool.adopt(abandoned), "adopted twice");
        }
        running.close();
        assertEquals(Optional.empty(), spool.adopt(root.resolve("active/gone.json")), "adopted a finished job");
        assertEquals(new SpoolCounts(0, 2, 0, 0), spool.counts(), "lock files are not jobs");
    }

    @Test
    void completeWritesResultThenMovesJobIntoDone() throws IOException {
        JobClaim active = spool.claim(drop("people.json", "{\"id\":\"people-1\"}")).orElseThrow();
        Document result = new Document("id", "people-1").append("documentsRead", 3L).append("inserted", 3);

        spool.complete(active, "people-1", result);

        assertEquals(Set.of("people-1.json", "people-1.result.json"), names(root.resolve("done")));
        assertEquals("{\"id\":\"people-1\"}", Files.readString(root.resolve("done/people-1.json")));
        Document written = Document.parse(Files.readString(root.resolve("done/people-1.result.json")));
        assertEquals("people-1", written.getString("id"));
        assertEquals(3L, ((Number) written.get("documentsRead")).longValue());
        assertEquals(Set.of(), names(root.resolve("active")));
        assertEquals(new SpoolCounts(0, 0, 1, 0), spool.counts());
    }

    /** Members of group ferry read outcome files (docs/operations.md, "Running under systemd"): never 0600. */
    @Test
    void outcomeFilesGetTheUmaskModeSoTheGroupCanReadThem() throws IOException {
        Path reference = Files.createFile(root.resolve("reference"));
        java.util.Set<java.nio.file.attribute.PosixFilePermission> umaskMode = Files.getPosixFilePermissions(reference);
        Files.delete(reference);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                umaskMode.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ),
                "this JVM's umask hides new files from the group");
        JobClaim good = spool.claim(drop("good.json", "{}")).orElseThrow();
        spool.complete(good, "good", new Document("id", "good"));
        JobClaim bad = spool.claim(drop("bad.json", "{")).orElseThrow();
        spool.fail(bad, "bad", new Document("id", "bad").append("kind", "invalid-job"));
        assertEquals(umaskMode, Files.getPosixFilePermissions(root.resolve("done/good.result.json")));
        assertEquals(umaskMode, Files.getPosixFilePermissions(root.resolve("failed/bad.error.json")));
    }

    @Test
    void aRerunReplacesTheEarlierOutcome() throws IOException {
        spool.complete(spool.claim(drop("j.json", "first")).orElseThrow(), "j", new Document("run", 1));
        spool.complete(spool.claim(drop("j.json", "second")).orElseThrow(), "j", new Document("run", 2));

        assertEquals(Set.of("j.json", "j.result.json"), names(root.resolve("done")));
        assertEquals("second", Files.readString(root.resolve("done/j.json")));
        assertEquals(2, Document.parse(Files.readString(root.resolve("done/j.result.json"))).getInteger("run"));
    }

    @Test
    void failWritesErrorThenMovesJobIntoFailed() throws IOException {
        JobClaim active = spool.claim(drop("file-name.json", "{\"id\":\"the-id\"}")).orElseThrow();
        Document error = new Document("id", "the-id").append("kind", "unknown-connection")
                .append("message", "connection \"x\" is not configured");

        spool.fail(active, "the-id", error);

        assertEquals(Set.of("the-id.json", "the-id.error.json"), names(root.resolve("failed")));
        Document written = Document.parse(Files.readString(root.resolve("failed/the-id.error.json")));
        assertEquals("unknown-connection", written.getString("kind"));
        assertEquals(new SpoolCounts(0, 0, 0, 1), spool.counts());
    }

    @Test
    void failWithoutIdKeepsTheFilesOwnName() throws IOException {
        JobClaim active = spool.claim(drop("not json at all.json", "{{{")).orElseThrow();

        spool.fail(active, null, new Document("kind", "invalid-job").append("message", "not JSON"));

        assertEquals(Set.of("not json at all.json", "not json at all.error.json"), names(root.resolve("failed")));
        assertEquals("{{{", Files.readString(root.resolve("failed/not json at all.json")));
        assertEquals("invalid-job",
                Document.parse(Files.readString(root.resolve("failed/not json at all.error.json"))).getString("kind"));
    }

    @Test
    void retryMovesTheFailedJobBackAndDropsItsError() throws IOException {
        spool.fail(spool.claim(drop("r.json", "job")).orElseThrow(), "r", new Document("kind", "write-error"));

        assertTrue(spool.retry("r"));

        assertEquals(Set.of(), names(root.resolve("failed")));
        assertEquals("job", Files.readString(root.resolve("incoming/r.json")));
        assertFalse(spool.retry("r"), "nothing left to retry");
        assertFalse(spool.retry("never-failed"));
    }

    @Test
    void retryDoesNotOverwriteAWaitingJob() throws IOException {
        spool.fail(spool.claim(drop("r.json", "old")).orElseThrow(), "r", new Document("kind", "write-error"));
        drop("r.json", "new");

        assertThrows(FileAlreadyExistsException.class, () -> spool.retry("r"));
        assertEquals("new", Files.readString(root.resolve("incoming/r.json")));
        assertEquals(Set.of("r.json", "r.error.json"), names(root.resolve("failed")));
    }

    @Test
    void completingAJobRetriedByHandRemovesItsStaleError() throws IOException {
        spool.fail(spool.claim(drop("h.json", "job")).orElseThrow(), "h", new Document("kind", "write-error"));
        Files.move(root.resolve("failed/h.json"), root.resolve("incoming/h.json"));

        spool.complete(spool.claim(root.resolve("incoming/h.json")).orElseThrow(), "h", new Document("ok", true));

        assertEquals(Set.of(), names(root.resolve("failed")));
        assertEquals(Set.of("h.json", "h.result.json"), names(root.resolve("done")));
    }

    @Test
    void idsThatCouldEscapeTheFolderAreRejected() throws IOException {
        JobClaim active = spool.claim(drop("x.json", "{}")).orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> spool.complete(active, "../x", new Document()));
        assertThrows(IllegalArgumentException.class, () -> spool.fail(active, "a/b", new Document()));
        assertThrows(IllegalArgumentException.class, () -> spool.retry(""));
        assertTrue(Files.exists(active.file()), "the job stays in active/");
    }

    @Test
    void countsIgnoreOutcomeAndTemporaryFiles() throws IOException {
        drop("a.json", "{}");
        drop("b.json.part", "{}");
        drop(".c.json", "{}");
        Files.writeString(root.resolve("done/d.json"), "{}");
        Files.writeString(root.resolve("done/d.result.json"), "{}");
        Files.writeString(root.resolve("failed/e.json"), "{}");
        Files.writeString(root.resolve("failed/e.error.json"), "{}");
        Files.writeString(root.resolve("failed/f.json"), "{}");

        assertEquals(new SpoolCounts(1, 0, 1, 2), spool.counts());
    }

    private Path drop(String name, String content) throws IOException {
        return Files.writeString(root.resolve("incoming").resolve(name), content, StandardCharsets.UTF_8);
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(TreeSet::new, Set::add, Set::addAll);
        }
    }
}
