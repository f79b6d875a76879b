package dev.ferry.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFileTest {
    @TempDir
    Path dir;

    /** What the process umask gives a new file: the mode an outcome file must get too. */
    private Set<PosixFilePermission> umaskMode() throws IOException {
        Path reference = Files.createFile(dir.resolve("reference"));
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(reference);
        Files.delete(reference);
        return mode;
    }

    @Test
    void aNewFileGetsTheModeTheUmaskGivesNotTheTempFile0600() throws IOException {
        Set<PosixFilePermission> expected = umaskMode();
        // under the shipped unit (UMask=0027) that is 0640; a test JVM usually runs with 0022
        assumeTrue(expected.contains(PosixFilePermission.GROUP_READ), "this JVM's umask hides files from the group");
        Path target = dir.resolve("job.result.json");
        DurableFile.write(target, "{}\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, Files.getPosixFilePermissions(target));
        assertTrue(Files.getPosixFilePermissions(target).contains(PosixFilePermission.GROUP_READ));
    }

    @Test
    void explicitPermissionsHoldWhateverTheUmask() throws IOException {
        Path target = dir.resolve("jmx.local");
        DurableFile.write(target, "token=x\n".getBytes(StandardCharsets.UTF_8),
                PosixFilePermissions.fromString("rw-r-----"));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    @Test
    void replacesWholeAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("state");
        DurableFile.write(target, "one".getBytes(StandardCharsets.UTF_8));
        DurableFile.write(target, "two".getBytes(StandardCharsets.UTF_8));
        assertEquals("two", Files.readString(target));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(java.util.List.of(target), files.toList());
        }
    }
}
