package dev.ferry.cli;

import dev.ferry.jmx.MBeanRegistrar;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;

/** {@code ferry ctl ACTION}: the JMX operations of docs/monitoring.md, "JMX: watching and steering ferry", from a shell. */
final class CtlCommand {
    private static final String ACTIONS = "pools, jobs, reset NAME, reset-all, pause, resume, cancel ID, finish ID, retry ID, "
            + "verify ID, reload, events";

    private final PrintStream out;
    private final PrintStream err;
    private final boolean json;

    CtlCommand(PrintStream out, PrintStream err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    static void checkOperands(Args args) throws UsageException {
        if (args.operands().isEmpty()) {
            throw new UsageException("ferry ctl: expected an action: " + ACTIONS);
        }
        String action = args.operands().get(0);
        int expected = switch (action) {
            case "events" -> 1;
            case "pools", "jobs", "reset-all", "pause", "resume", "reload" -> 1;
            case "reset", "cancel", "finish", "retry", "verify" -> 2;
            default -> throw new UsageException("ferry ctl: unknown action '" + action + "' (actions: " + ACTIONS + ")");
        };
        if (args.operands().size() != expected) {
            throw new UsageException("ferry ctl " + action + ": expected " + (expected == 1 ? "no argument"
                    : "one argument (" + (action.equals("reset") ? "a connection name" : "a job id") + ")"));
        }
    }

    /**
     * Starts a comparison beside a following job and waits for its outcome
     * (docs/follow.md, "Verify while following"): exit 0 when equal, 1 when different or when it could not finish.
     */
    private ExitCode verify(ManagementView view, ObjectName orchestrator, String id) throws IOException, JMException {
        CompositeData started = (CompositeData) view.invoke(orchestrator, "verify", id);
        if (!Boolean.TRUE.equals(started.get("ok"))) {
            out.println(json ? Json.of(Commands.map("outcome", started.get("outcome"), "ok", false, "message",
                    started.get("message"))) : started.get("message"));
            return ExitCode.FAILURE;
        }
        if (!json) {
            out.println(started.get("message"));
        }
        ObjectName job = MBeanRegistrar.name("Job", id);
        while (true) {
            if (!view.exists(job)) {
                String message = id + " ended before its comparison did";
                out.println(json ? Json.of(Commands.map("ok", false, "message", message)) : message);
                return ExitCode.FAILURE;
            }
            String verified = String.valueOf(view.attributes(job).get("Verified"));
            if (verified.startsWith("FAILED")) {
                String message = id + ": the comparison could not finish: " + verified.substring("FAILED".length()).trim();
                out.println(json ? Json.of(Commands.map("ok", false, "verified", verified, "message", message)) : message);
                return ExitCode.FAILURE;
            }
            if (verified.startsWith("EQUAL") || verified.startsWith("DIFFERENT")) {
                boolean equal = verified.startsWith("EQUAL");
                String message = id + ": " + verified + (equal ? "" : "; the keys are in active/" + id + ".verify.ndjson");
                out.println(json ? Json.of(Commands.map("ok", equal, "verified", verified, "message", message)) : message);
                return equal ? ExitCode.OK : ExitCode.FAILURE;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCode.FAILURE;
            }
        }
    }

    ExitCode execute(ManagementView view, List<String> operands) throws IOException, JMException {
        String action = operands.get(0);
        ObjectName orchestrator = MBeanRegistrar.name("Orchestrator");
        switch (action) {
            case "pools" -> printPools(view);
            case "jobs" -> printJobs(view);
            case "reset-all" -> {
                view.invoke(MBeanRegistrar.name("Pools"), "resetAll");
                out.println("reset requested for every connection; work in flight finishes on the old clients");
            }
            case "reset" -> {
                ObjectName pool = MBeanRegistrar.name("Pool", operands.get(1));
                if (!view.exists(pool)) {
                    out.println("no connection named '" + operands.get(1) + "'");
                    return ExitCode.FAILURE;
                }
                view.invoke(pool, "reset");
                out.println(operands.get(1) + ": reset; new work uses a fresh client, work in flight finishes on the old one");
            }
            case "pause" -> {
                view.invoke(orchestrator, "pause");
                out.println("paused: no new claims; running jobs stop once their chunks in flight are written");
            }
            case "resume" -> {
                view.invoke(orchestrator, "resume");
                out.println("resumed");
            }
            case "verify" -> {
                return verify(view, orchestrator, operands.get(1));
            }
            case "reload" -> {
                // an invalid file is a configuration error: exit 2, as when the daemon could not start with it
                CompositeData result = (CompositeData) view.invoke(MBeanRegistrar.name("Daemon"), "reload");
                if (Boolean.TRUE.equals(result.get("ok"))) {
                    printResult(result);
                    return ExitCode.OK;
                }
                if (json) {
                    printResult(result);
                } else {
                    err.println("ferry: " + result.get("message"));
                }
                // refused: the file is invalid (as at start, exit 2); else it failed part-way (exit 1)
                return "REFUSED".equals(result.get("outcome")) ? ExitCode.USAGE : ExitCode.FAILURE;
            }
            case "cancel", "finish", "retry" -> {
                CompositeData result = (CompositeData) view.invoke(orchestrator, action, operands.get(1));
                printResult(result);
                return Boolean.TRUE.equals(result.get("ok")) ? ExitCode.OK : ExitCode.FAILURE;
            }
            default -> throw new IllegalStateException("unchecked action " + action);
        }
        return ExitCode.OK;
    }

    private void printResult(CompositeData result) {
        if (json) {
            out.println(Json.of(Commands.map("outcome", result.get("outcome"), "ok", result.get("ok"),
                    "message", result.get("message"))));
        } else {
            out.println(result.get("message"));
        }
    }

    void printPools(ManagementView view) throws IOException, JMException {
        List<Map<String, Object>> pools = new ArrayList<>();
        for (ObjectName name : view.beans("Pool")) {
            pools.add(view.attributes(name));
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("pools", pools);
            out.println(Json.of(doc));
            return;
        }
        Table t = new Table("NAME", "STATE", "HEALTHY", "LEASES", "CONNS", "IN-USE", "IDLE", "MAX", "CREATED",
                "RESETS", "RECONNECTS", "LAST-HEALTH", "TARGET");
        for (Map<String, Object> p : pools) {
            t.row(p.get("Name"), p.get("State"), p.get("Healthy"), p.get("Leases"), p.get("ConnectionsTotal"),
                    p.get("ConnectionsInUse"), p.get("ConnectionsIdle"), p.get("MaxPoolSize"),
                    p.get("ConnectionsCreated"), p.get("Resets"), p.get("Reconnects"),
                    blankAsDash(p.get("LastHealthCheck")), p.get("Target"));
        }
        t.print(out);
    }

    void printJobs(ManagementView view) throws IOException, JMException {
        Map<String, Object> orchestrator = view.attributes(MBeanRegistrar.name("Orchestrator"));
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (ObjectName name : view.beans("Job")) {
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("Id", name.getKeyProperty("name"));
            job.putAll(view.attributes(name));
            jobs.add(job);
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>(orchestrator);
            doc.put("jobs", jobs);
            out.println(Json.of(doc));
            return;
        }
        out.println(StatusCommand.orchestratorLine(orchestrator));
        Table t = new Table("ID", "STATE", "DOCUMENTS", "CHUNKS", "IN-FLIGHT", "LANES", "RETRIES", "STARTED", "SOURCE",
                "DESTINATION");
        for (Map<String, Object> j : jobs) {
            t.row(j.get("Id"), j.get("State"), j.get("DocumentsWritten"), j.get("ChunksWritten"),
                    blankAsDash(j.get("ChunksInFlight")), blankAsDash(j.get("Lanes")), j.get("Retries"),
                    j.get("StartedAt"), j.get("Source"), j.get("Destination"));
        }
        t.print(out);
    }

    private static Object blankAsDash(Object o) {
        return o == null || o.toString().isEmpty() ? "-" : o;
    }
}
