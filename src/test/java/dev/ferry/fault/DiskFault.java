package dev.ferry.fault;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A disk fault under a directory ferry writes to, and its repair. Tests run as root here, and root ignores
 * permission bits, so "read-only" is played by putting a regular file where the directory was: every write
 * into it fails with an I/O error, as on a read-only mount. "Full" is a small tmpfs filled to the last byte.
 */
interface DiskFault {
    String describe();

    void inject();

    void clear();

    /** The directory is moved aside and a regular file takes its name; clearing puts the directory back. */
    static DiskFault replacedByFile(Path dir, String what) {
        Path aside = dir.resolveSibling(dir.getFileName() + ".aside");
        return new DiskFault() {
            @Override
            public String describe() {
                return what + " unwritable (directory replaced by a file)";
            }

            @Override
            public void inject() {
                try {
                    Files.move(dir, aside);
                    Files.writeString(dir, "not a directory\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void clear() {
                try {
                    Files.delete(dir);
                    Files.move(aside, dir);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** Fills the file system of {@code dir} (a small tmpfs) with one file; clearing deletes it. */
    static DiskFault full(Path dir, String size) {
        Path filler = dir.resolve("filler.bin");
        return new DiskFault() {
            @Override
            public String describe() {
                return "state file system full (" + size + " tmpfs filled)";
            }

            @Override
            public void inject() {
                byte[] block = new byte[4096];
                try (OutputStream out = Files.newOutputStream(filler)) {
                    while (true) {
                        out.write(block);
                    }
                } catch (IOException e) {
                    // ENOSPC: the disk is full, which is the fault wanted
                }
            }

            @Override
            public void clear() {
                try {
                    Files.delete(filler);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** Mounts a tmpfs of {@code size} on {@code dir}; false where mounting is not allowed (not root, a sandbox). */
    static boolean mountTmpfs(Path dir, String size) {
        try {
            Files.createDirectories(dir);
            return exec("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    static void unmount(Path dir) {
        exec("umount", "-l", dir.toString());
    }

    private static int exec(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
