package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.Redaction;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.queue.Spool;
import dev.ferry.queue.SpoolCounts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;

/** {@code ferry status}: what an operator checks first. */
final class StatusCommand {
    /** Clears a terminal from the top left, so that the next frame replaces the last in place. */
    private static final String HOME_AND_CLEAR = "\u001b[H\u001b[J";

    private final FerrySettings settings;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final boolean json;
    private final Terminal terminal;

    StatusCommand(FerrySettings settings, PrintStream out, PrintStream err, Map<String, String> env, boolean json) {
        this(settings, out, err, env, json, new Terminal(false, ProgressLines.DEFAULT_WIDTH, false));
    }

    StatusCommand(FerrySettings settings, PrintStream out, PrintStream err, Map<String, String> env, boolean json,
                  Terminal terminal) {
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.env = env;
        this.json = json;
        this.terminal = terminal;
    }

    /**
     * {@code ferry status --watch SECONDS}: a new snapshot every interval until Ctrl-C, drawn over the
     * last one on a terminal and printed one after another (each headed by its time) otherwise. Each
     * snapshot connects anew, so the watch outlives a daemon restart.
     */
    ExitCode watch(Duration interval) {
        while (!Thread.currentThread().isInterrupted()) {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            PrintStream frameOut = new PrintStream(frame, true, StandardCharsets.UTF_8);
            new StatusCommand(settings, frameOut, err, env, json, terminal).execute();
            String text = frame.toString(StandardCharsets.UTF_8);
            if (terminal.interactive() && !json) {
                out.print(HOME_AND_CLEAR + "every " + interval.toSeconds() + " s, Ctrl-C to stop    "
                        + Instant.now().truncatedTo(ChronoUnit.SECONDS) + System.lineSeparator() + text);
            } else {
                out.print((json ? "" : "--- " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                        + System.lineSeparator()) + text + (json ? "" : System.lineSeparator()));
            }
            out.flush();
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ExitCode.OK;
    }

    ExitCode execute() {
        SpoolCounts counts;
        try {
            counts = new Spool(settings.spoolDir()).counts();
        } catch (IOException e) {
            counts = new SpoolCounts(0, 0, 0, 0);
            err.println("ferry: cannot read the spool " + settings.spoolDir() + ": " + e.getMessage());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("spool", Commands.map("dir", settings.spoolDir().toString(), "incoming", counts.incoming(),
                "active", counts.active(), "done", counts.done(), "failed", counts.failed()));
        if (!json) {
            out.printf("spool %s: incoming %d, active %d, done %d, failed %d%n", settings.spoolDir(),
                    counts.incoming(), counts.active(), counts.done(), counts.failed());
        }
        try (JmxClient client = JmxClient.connect(settings, env).orElse(null)) {
            if (client == null) {
                doc.put("daemon", Commands.map("running", false));
                print(doc, "daemon: not running");
                return ExitCode.OK;
            }
            doc.put("daemon", Commands.map("running", true, "pid", client.pid()));
            ManagementView view = new ManagementView(client.connection());
            if (json) {
                List<Map<String, Object>> pools = new ArrayList<>();
                for (ObjectName name : view.beans("Pool")) {
                    pools.add(view.attributes(name));
                }
                doc.put("pools", pools);
                doc.put("orchestrator", view.attributes(MBeanRegistrar.name("Orchestrator")));
                List<Map<String, Object>> jobs = new ArrayList<>();
                for (ObjectName name : view.beans("Job")) {
                    Map<String, Object> job = new LinkedHashMap<>();
                    job.put("Id", name.getKeyProperty("name"));
                    job.putAll(view.attributes(name));
                    jobs.add(job);
                }
                doc.put("jobs", jobs);
                if (view.exists(MBeanRegistrar.name("Cluster"))) {
                    doc.put("cluster", view.attributes(MBeanRegistrar.name("Cluster")));
                }
                out.println(Json.of(doc));
            } else {
                out.println("daemon: running (pid " + client.pid() + ")");
                if (view.exists(MBeanRegistrar.name("Cluster"))) {
                    Map<String, Object> c = view.attributes(MBeanRegistrar.name("Cluster"));
                    out.println("cluster " + c.get("Name") + ": this member " + c.get("Member") + "; members: "
                            + ((List<?>) c.get("Members")).stream().map(String::valueOf)
                                    .collect(java.util.stream.Collectors.joining(", ")));
                }
                out.println();
                CtlCommand ctl = new CtlCommand(out, err, false);
                ctl.printPools(view);
                out.println();
                printJobs(view);
            }
            return ExitCode.OK;
        } catch (IOException | JMException e) {
            err.println("ferry: the daemon runs but cannot be read over JMX: "
                    + Redaction.text(e.getMessage(), settings.secrets()));
            return ExitCode.FAILURE;
        }
    }

    /** The Orchestrator bean's figures on one line, for {@code status} and {@code ctl jobs}. */
    static String orchestratorLine(Map<String, Object> o) {
        return String.format("paused=%s queued=%s running=%s completed=%s failed=%s documents=%s chunks=%s retries=%s "
                        + "workers=%s", o.get("Paused"), o.get("QueuedJobs"), o.get("RunningJobs"), o.get("CompletedJobs"),
                o.get("FailedJobs"), o.get("DocumentsWritten"), o.get("ChunksWritten"), o.get("ChunkRetries"),
                o.get("Workers"));
    }

    /** The orchestrator's figures as {@code ferry ctl jobs} prints them, then one progress line per job. */
    private void printJobs(ManagementView view) throws IOException, JMException {
        out.println(orchestratorLine(view.attributes(MBeanRegistrar.name("Orchestrator"))));
        List<JobProgress> jobs = new ArrayList<>();
        for (ObjectName name : view.beans("Job")) {
            try {
                jobs.add(JobProgress.of(name.getKeyProperty("name"), view.attributes(name)));
            } catch (javax.management.InstanceNotFoundException e) {
                // it ended between the query and the read: it is in done/ or failed/ now
            }
        }
        ProgressLines.render(jobs, terminal.width(), terminal.colour()).forEach(out::println);
    }

    private void print(Map<String, Object> doc, String text) {
        out.println(json ? Json.of(doc) : text);
    }
}
