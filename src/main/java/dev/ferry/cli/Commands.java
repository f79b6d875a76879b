package dev.ferry.cli;

import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerrySettings;
import dev.ferry.config.Redaction;
import dev.ferry.daemon.Daemon;
import dev.ferry.daemon.InstanceLock;
import dev.ferry.daemon.StateDir;
import dev.ferry.job.JobParser;
import dev.ferry.job.JobRejectedException;
import dev.ferry.job.JobSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The commands of README, "Commands", on loaded settings. */
final class Commands {
    private final FerrySettings settings;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    Commands(FerrySettings settings, PrintStream out, PrintStream err, Map<String, String> env) {
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /** {@code ferry run}: the daemon in the foreground until SIGTERM or SIGINT; SIGHUP reloads the configuration. */
    ExitCode run() {
        // the handler goes first: systemd may send HUP as soon as the JVM runs, and the JVM's own handling exits
        java.util.concurrent.atomic.AtomicReference<Daemon> started = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean hupWhileStarting = new java.util.concurrent.atomic.AtomicBoolean();
        reloadOnHangUp(() -> {
            Daemon d = started.get();
            if (d == null) {
                hupWhileStarting.set(true); // applied once the daemon is up
            } else {
                reloadInBackground(d);
            }
        });
        Daemon daemon;
        try {
            daemon = Daemon.start(settings, () -> new ConfigLoader(env::get).load(settings.confDir()),
                    ManagementFactory.getPlatformMBeanServer(), Clock.systemUTC());
        } catch (InstanceLock.AlreadyRunningException | ConfigException e) {
            err.println("ferry: " + scrub(e.getMessage()));
            return ExitCode.USAGE;
        } catch (IOException | RuntimeException e) {
            err.println("ferry: cannot start: " + scrub(e.toString()));
            return ExitCode.FAILURE;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::close, "ferry-shutdown"));
        started.set(daemon);
        if (hupWhileStarting.getAndSet(false)) {
            reloadInBackground(daemon);
        }
        try {
            daemon.awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            daemon.close();
        }
        return ExitCode.OK;
    }

    /** On a thread of its own, so that the signal thread is free for SIGTERM; the daemon logs the outcome. */
    private static void reloadInBackground(Daemon daemon) {
        Thread reload = new Thread(daemon::reload, "ferry-reload");
        reload.setDaemon(true);
        reload.start();
    }

    /**
     * SIGHUP reloads the configuration (the unit's {@code ExecReload=}); without a handler the JVM would exit on it.
     */
    @SuppressWarnings("restriction")
    private void reloadOnHangUp(Runnable onHangUp) {
        try {
            sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> onHangUp.run());
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                // a JVM started with HUP ignored (nohup, a background job) cannot take it back
                err.println("ferry: SIGHUP is ignored in this process (started under nohup?): it cannot reload the "
                        + "configuration; use ferry ctl reload");
            }
        } catch (IllegalArgumentException e) {
            err.println("ferry: SIGHUP cannot reload here (" + e.getMessage() + "); use ferry ctl reload");
        }
    }

    /** {@code ferry validate FILE...}: every file checked, nothing submitted. */
    ExitCode validate(List<String> files) {
        boolean allValid = true;
        for (String file : files) {
            allValid &= check(Path.of(file)) != null;
        }
        return allValid ? ExitCode.OK : ExitCode.USAGE;
    }

    /** {@code ferry submit FILE...}: all valid, then each dropped atomically into incoming/. */
    ExitCode submit(List<String> files) {
        boolean allValid = true;
        for (String file : files) {
            allValid &= check(Path.of(file)) != null;
        }
        if (!allValid) {
            err.println("ferry: nothing submitted: fix the files above first");
            return ExitCode.USAGE;
        }
        Path incoming = settings.incomingDir();
        for (String file : files) {
            Path source = Path.of(file);
            Path target = incoming.resolve(source.getFileName().toString());
            // a hidden .tmp name is ignored by the daemon until the rename makes the job appear whole
            Path tmp = incoming.resolve("." + source.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.createDirectories(incoming);
                Files.copy(source, tmp);
                makeGroupReadable(tmp);
                if (Files.exists(target)) {
                    throw new FileAlreadyExistsException(target.toString());
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                out.println(file + ": submitted as " + target);
            } catch (FileAlreadyExistsException e) {
                err.println("ferry: " + file + ": " + target + " is already waiting; rename the file or wait for it");
                deleteQuietly(tmp);
                return ExitCode.FAILURE;
            } catch (IOException e) {
                err.println("ferry: " + file + ": cannot write into " + incoming + ": " + e.getMessage());
                deleteQuietly(tmp);
                return ExitCode.FAILURE;
            }
        }
        return ExitCode.OK;
    }

    private JobSpec check(Path file) {
        try {
            JobSpec spec = new JobParser(settings).parse(file);
            out.printf("%s: ok: job %s, %s -> %s, %s by %s, chunks of %d%n", file, spec.id(),
                    spec.source().describe(), spec.destination().describe(), spec.mode().word(), spec.key(),
                    spec.chunkSize());
            return spec;
        } catch (JobRejectedException e) {
            err.println("ferry: " + file + ": " + e.kind() + ": " + scrub(e.getMessage()));
            return null;
        }
    }

    /** {@code ferry status}: spool counts, and pool and job figures when the daemon runs. */
    ExitCode status(boolean json) {
        return new StatusCommand(settings, out, err, env, json, Terminal.detect(env)).execute();
    }

    /** {@code ferry status --watch SECONDS}: until Ctrl-C. */
    ExitCode watchStatus(boolean json, int seconds) {
        return new StatusCommand(settings, out, err, env, json, Terminal.detect(env)).watch(Duration.ofSeconds(seconds));
    }

    /** {@code ferry check-pool NAME}: the pool self-test. */
    ExitCode checkPool(String connection) {
        if (settings.connection(connection).isEmpty()) {
            err.println("ferry: unknown connection '" + connection + "' (configured: "
                    + String.join(", ", settings.connections().keySet()) + ")");
            return ExitCode.USAGE;
        }
        return new CheckPoolCommand(settings, out).execute(connection);
    }

    /** {@code ferry ctl ACTION}. */
    ExitCode ctl(List<String> operands, boolean json) {
        try (JmxClient client = JmxClient.connect(settings, env).orElse(null)) {
            if (client == null) {
                err.println("ferry: the daemon is not running (no live pid in " + settings.stateDir().resolve(
                        StateDir.PID_FILE) + ")");
                return ExitCode.FAILURE;
            }
            if (operands.get(0).equals("events")) {
                return new EventsCommand(out, err, json).execute(client);
            }
            return new CtlCommand(out, err, json).execute(new ManagementView(client.connection()), operands);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE;
        } catch (IOException | javax.management.JMException e) {
            err.println("ferry: " + scrub(e.getMessage()));
            return ExitCode.FAILURE;
        }
    }

    private String scrub(String message) {
        return Redaction.text(message, settings.secrets());
    }

    private static void makeGroupReadable(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: its own rules apply
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a hidden .tmp file is ignored by the daemon anyway
        }
    }

    static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
