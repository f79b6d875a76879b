package dev.ferry.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import dev.ferry.files.DurableFile;
import dev.ferry.files.LockFile;
import dev.ferry.model.JobId;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool directory of README, "The spool": {@code incoming/ active/ done/ failed/} under one root.
 *
 * <p>Several daemons may share one spool. Every state change of a job is a single atomic rename
 * inside the root, so a job is claimed by exactly one daemon and a crash never leaves a job in two
 * folders. Outcome files ({@code ID.result.json}, {@code ID.error.json}) are written to a hidden
 * temporary file, forced to disk and renamed into place <em>before</em> the job file is moved out
 * of {@code active/}: a crash in between leaves the job in {@code active/}, where it resumes and
 * rewrites its outcome, so there is never a finished job without its outcome file.
 *
 * <p>When a job with the same id runs again (a retry, or a job resubmitted under the same name), its
 * new outcome replaces the files of the earlier run in {@code done/} or {@code failed/}: the newest
 * outcome wins.
 */
public final class Spool {

    private static final Logger log = LoggerFactory.getLogger(Spool.class);

    private static final String JOB_SUFFIX = ".json";
    private static final String RESULT_SUFFIX = ".result.json";
    private static final String ERROR_SUFFIX = ".error.json";
    private static final List<String> IGNORED_SUFFIXES = List.of(".tmp", ".part", "~", ".swp");
    private static final JsonWriterSettings JSON =
            JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).indent(true).build();

    private final Path incoming;
    private final Path active;
    private final Path done;
    private final Path failed;
    /** Names whose clash with a running job was already logged, so a rescan loop does not spam. */
    private final Set<String> warnedClashes = ConcurrentHashMap.newKeySet();

    public Spool(Path root) {
        Objects.requireNonNull(root, "root");
        this.incoming = root.resolve("incoming");
        this.active = root.resolve("active");
        this.done = root.resolve("done");
        this.failed = root.resolve("failed");
    }

    public Path incoming() {
        return incoming;
    }

    public Path active() {
        return active;
    }

    public Path done() {
        return done;
    }

    public Path failed() {
        return failed;
    }

    /** Creates the four folders if missing; safe to call while other daemons use the spool. */
    public void ensureLayout() throws IOException {
        for (Path dir : List.of(incoming, active, done, failed)) {
            Files.createDirectories(dir);
        }
    }

    /**
     * Whether a file name denotes a job file: it ends in {@code .json}, does not start with
     * {@code .}, does not end in {@code .tmp}, {@code .part}, {@code ~} or {@code .swp} (editors and
     * copy tools write those while a file is incomplete), and is not an outcome file
     * ({@code *.result.json}, {@code *.error.json}).
     */
    public static boolean isCandidateName(String fileName) {
        if (fileName == null || fileName.startsWith(".") || !fileName.endsWith(JOB_SUFFIX)) {
            return false;
        }
        for (String suffix : IGNORED_SUFFIXES) {
            if (fileName.endsWith(suffix)) {
                return false;
            }
        }
        return !fileName.endsWith(RESULT_SUFFIX) && !fileName.endsWith(ERROR_SUFFIX)
                && fileName.length() > JOB_SUFFIX.length();
    }

    /**
     * Claims a job file by renaming it into {@code active/} under the same name.
     *
     * @return the file in {@code active/}; empty if another daemon claimed it first, or if a job
     *     file of that name is already in {@code active/} (then the file stays in {@code incoming/}
     *     and can be claimed once that job has finished)
     */
    public Optional<JobClaim> claim(Path incomingFile) throws IOException {
        String name = incomingFile.getFileName().toString();
        Path target = active.resolve(name);
        // Linux rename(2) silently replaces its target, so the clash has to be checked first. The
        // only remaining window is a same-named file dropped in the microseconds between this check
        // and the rename, while another daemon claims the previous one.
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(incomingFile, LinkOption.NOFOLLOW_LINKS) && warnedClashes.add(name)) {
                log.warn("{}: a job file of that name is still in {}; leaving the new one in {} until it finishes",
                        name, active, incoming);
            }
            return Optional.empty();
        }
        Optional<JobClaim> owner = lockSidecar(target);
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        try {
            Files.move(incomingFile, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException lostRace) {
            log.debug("{}: claimed by someone else", name);
            owner.get().close();
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            owner.get().close();
            throw e;
        }
        warnedClashes.remove(name);
        syncDirectory(active);
        return owner;
    }

    /**
     * Takes ownership of a job left in {@code active/} by a daemon that is gone (crash, SIGTERM), so
     * that it can resume. Empty if a live daemon still runs it, or if it finished meanwhile.
     */
    public Optional<JobClaim> adopt(Path activeFile) throws IOException {
        Optional<JobClaim> owner = lockSidecar(activeFile);
        if (owner.isPresent() && !Files.exists(activeFile, LinkOption.NOFOLLOW_LINKS)) {
            owner.get().close();
            return Optional.empty();
        }
        return owner;
    }

    private static Optional<JobClaim> lockSidecar(Path activeFile) throws IOException {
        Path lockFile = activeFile.resolveSibling("." + activeFile.getFileName() + ".lock");
        // empty also when this very process holds it: the job runs here
        return LockFile.tryAcquire(lockFile).map(lock -> new JobClaim(activeFile, lock));
    }

    /** Job files left in {@code active/} (by a crash or a shutdown), sorted by name, to resume. */
    public List<Path> activeFiles() throws IOException {
        return jobFiles(active);
    }

    /**
     * Records a finished job: writes {@code done/ID.result.json}, then moves the job file to
     * {@code done/ID.json}. Either replaces the file of an earlier run of the same id. A stale
     * {@code failed/ID.error.json} whose job file is gone (the job was retried by moving it back by
     * hand) is deleted, so the spool shows one outcome per job.
     */
    public void complete(JobClaim claim, String id, Document result) throws IOException {
        Path activeFile = claim.file();
        requireId(id);
        Objects.requireNonNull(result, "result");
        writeJsonAtomically(done.resolve(id + RESULT_SUFFIX), result);
        Files.move(activeFile, done.resolve(id + JOB_SUFFIX), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(done);
        claim.close();
        if (!Files.exists(failed.resolve(id + JOB_SUFFIX), LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(failed.resolve(id + ERROR_SUFFIX));
        }
    }

    /**
     * Records a failed job: writes {@code failed/ID.error.json}, then moves the job file to
     * {@code failed/ID.json}, replacing the files of an earlier run. With a null id (the file could
     * not be parsed, so it has none) the file keeps its own name: {@code failed/NAME.json} and
     * {@code failed/NAME.error.json}.
     */
    public void fail(JobClaim claim, String idOrNull, Document error) throws IOException {
        Path activeFile = claim.file();
        Objects.requireNonNull(error, "error");
        String base;
        if (idOrNull == null) {
            base = baseName(activeFile);
        } else {
            requireId(idOrNull);
            base = idOrNull;
        }
        writeJsonAtomically(failed.resolve(base + ERROR_SUFFIX), error);
        Files.move(activeFile, failed.resolve(base + JOB_SUFFIX), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(failed);
        claim.close();
    }

    /**
     * Moves {@code failed/ID.json} back into {@code incoming/} and deletes its error file.
     *
     * @return false if there is no failed job of that id
     * @throws FileAlreadyExistsException if {@code incoming/ID.json} exists; it is not overwritten
     */
    public boolean retry(String id) throws IOException {
        requireId(id);
        Path job = failed.resolve(id + JOB_SUFFIX);
        if (!Files.exists(job, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Path target = incoming.resolve(id + JOB_SUFFIX);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    "a job file of that name is already waiting in incoming/");
        }
        try {
            Files.move(job, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException retriedElsewhere) {
            return false;
        }
        // The error file goes last: a crash before leaves a stale error file that complete() cleans
        // up, never a failed job without its error.
        Files.deleteIfExists(failed.resolve(id + ERROR_SUFFIX));
        log.info("{}: moved back to {} for a retry", id, incoming);
        return true;
    }

    public SpoolCounts counts() throws IOException {
        return new SpoolCounts(jobFiles(incoming).size(), jobFiles(active).size(),
                jobFiles(done).size(), jobFiles(failed).size());
    }

    private static List<Path> jobFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                // every entry with a job's name counts, links and FIFOs included: the daemon rejects
                // them into failed/, and until then status must show them
                if (isCandidateName(entry.getFileName().toString()) && Files.exists(entry, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(entry);
                }
            }
        } catch (NoSuchFileException missing) {
            return List.of();
        }
        files.sort(null);
        return files;
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(JOB_SUFFIX) ? name.substring(0, name.length() - JOB_SUFFIX.length()) : name;
    }

    /** The id rule of the parser, so that an outcome file can never leave its folder or hit another's. */
    private static void requireId(String id) {
        if (!JobId.isValid(id)) {
            throw new IllegalArgumentException("job id must be " + JobId.RULE + ", was " + id);
        }
    }

    private static void writeJsonAtomically(Path target, Document document) throws IOException {
        DurableFile.write(target, (document.toJson(JSON) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void syncDirectory(Path dir) {
        DurableFile.syncDirectory(dir);
    }
}
