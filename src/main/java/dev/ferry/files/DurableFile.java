package dev.ferry.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a file so that a reader sees either the old content or the whole new content, and a crash
 * or power loss keeps the rename: a hidden temporary file in the same directory, forced to disk,
 * renamed into place, then the directory forced.
 *
 * <p>The temporary file is created with the mode the process umask gives (as {@code open(2)} with
 * 0666 does), never a fixed 0600: under the shipped unit ({@code UMask=0027}) outcome and state files
 * are 0640, so members of group {@code ferry} can read them (docs/operations.md, "Running under systemd").
 * {@code Files.createTempFile} would make them 0600 and lock the group out.
 */
public final class DurableFile {
    private static final Logger log = LoggerFactory.getLogger(DurableFile.class);

    private DurableFile() {
    }

    /** Replaces (or creates) {@code target} with {@code bytes}, durably, with the mode the umask gives. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, bytes, null);
    }

    /**
     * Replaces (or creates) {@code target} with {@code bytes}, durably, with exactly {@code permissions}
     * (masked by the umask) from the first byte on: for files such as a token that must never be
     * readable by more than these, whatever the umask of the person who started ferry.
     */
    public static void write(Path target, byte[] bytes, Set<PosixFilePermission> permissions) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        // hidden and ending in .tmp: a spool watcher and a status count both ignore such names
        Path temp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = open(temp, permissions)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory(dir);
    }

    private static FileChannel open(Path temp, Set<PosixFilePermission> permissions) throws IOException {
        Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        if (permissions != null && temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return FileChannel.open(temp, options, PosixFilePermissions.asFileAttribute(permissions));
        }
        return FileChannel.open(temp, options);
    }

    /** Makes a rename in {@code dir} durable. Not every platform can open a directory; there it is skipped. */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            log.trace("{}: directory sync not supported here: {}", dir, notSupported.toString());
        }
    }
}
