package dev.ferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ferry} as a real process (the test's class path, so no build step is needed): the daemon
 * that a test can SIGTERM or SIGKILL, and one-shot commands with their exit code and output.
 */
public final class FerryProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    private FerryProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code ferry run --conf CONF}; its stdout and stderr go to {@code log}. */
    public static FerryProcess run(Path confDir, Path log, String... jvmOptions) {
        return run(confDir, log, Map.of(), jvmOptions);
    }

    /** As {@link #run(Path, Path, String...)} with extra environment variables (a null value removes one). */
    public static FerryProcess run(Path confDir, Path log, Map<String, String> env, String... jvmOptions) {
        List<String> command = java(jvmOptions);
        command.addAll(List.of("run", "--conf", confDir.toString()));
        return launch(command, log, env);
    }

    /** Starts a command that runs until stopped ({@code ferry status --watch}); its output goes to {@code log}. */
    public static FerryProcess start(Path log, String... args) {
        List<String> command = java();
        command.addAll(List.of(args));
        return launch(command, log, Map.of());
    }

    /**
     * A test run in the background of a shell (or under nohup) inherits SIGINT or SIGHUP ignored, and a JVM cannot
     * handle a signal it was started with ignored: the daemon gets them back at their default where coreutils' env can
     * do it (it execs, so the pid stays the daemon's), as a daemon started by systemd or a terminal has them.
     */
    private static final boolean RESET_SIGNALS = envResetsSignals();

    private static boolean envResetsSignals() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=HUP,INT", "true").redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static FerryProcess launch(List<String> command, Path log, Map<String, String> env) {
        if (RESET_SIGNALS) {
            command = new ArrayList<>(command);
            command.addAll(0, List.of("env", "--default-signal=HUP,INT"));
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            environment(builder, env);
            return new FerryProcess(builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A one-shot command: {@code ferry ARGS...}. */
    public static Result command(Duration timeout, String... args) {
        return command(timeout, Map.of(), null, args);
    }

    /**
     * A one-shot command with extra environment variables (a null value removes one) in a working
     * directory ({@code null}: the test's).
     */
    public static Result command(Duration timeout, Map<String, String> env, Path workDir, String... args) {
        List<String> command = java();
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("ferry-out", ".txt");
            Path err = Files.createTempFile("ferry-err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            environment(builder, env);
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            Process p = builder.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("ferry " + String.join(" ", args) + " did not finish in " + timeout);
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static void environment(ProcessBuilder builder, Map<String, String> env) {
        env.forEach((name, value) -> {
            if (value == null) {
                builder.environment().remove(name);
            } else {
                builder.environment().put(name, value);
            }
        });
    }

    private static List<String> java(String... jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(List.of(jvmOptions));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.ferry.cli.Main");
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as systemd stops the service. */
    public void sigterm() {
        process.destroy();
    }

    /** SIGINT, as Ctrl-C in a terminal. */
    public void sigint() {
        kill("-INT");
    }

    /** SIGHUP, as {@code systemctl reload ferry} sends it. */
    public void sighup() {
        kill("-HUP");
    }

    /** SIGSTOP: the process is frozen, as by a long pause of its host. */
    public void sigstop() {
        kill("-STOP");
    }

    /** SIGCONT: a frozen process goes on. */
    public void sigcont() {
        kill("-CONT");
    }

    private void kill(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill " + signal + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** SIGKILL: a crash. */
    public void sigkill() {
        process.destroyForcibly();
    }

    /** @return the exit code, or fails if the process did not end in time */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("ferry (pid " + pid() + ") still running after " + timeout + "; log:\n" + log());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "<no log: " + e + ">";
        }
    }

    /** Waits until the daemon's log contains {@code text} (e.g. "started"). */
    public void awaitLog(String text, Duration timeout) {
        Await.until(timeout, () -> log().contains(text) || !isAlive(), "'" + text + "' in the daemon log");
        if (!log().contains(text)) {
            throw new AssertionError("ferry exited before logging '" + text + "'; log:\n" + log());
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }
}
