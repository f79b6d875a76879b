package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import dev.ferry.config.Redaction;
import dev.ferry.jmx.MBeanRegistrar;
import dev.ferry.queue.Spool;
import dev.ferry.queue.SpoolCounts;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;

/** {@code ferry status}: what an operator checks first. */
final class StatusCommand {
    private final FerrySettings settings;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final boolean json;

    StatusCommand(FerrySettings settings, PrintStream out, PrintStream err, Map<String, String> env, boolean json) {
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.env = env;
        this.json = json;
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
                out.println(Json.of(doc));
            } else {
                out.println("daemon: running (pid " + client.pid() + ")");
                out.println();
                CtlCommand ctl = new CtlCommand(out, false);
                ctl.printPools(view);
                out.println();
                ctl.printJobs(view);
            }
            return ExitCode.OK;
        } catch (IOException | JMException e) {
            err.println("ferry: the daemon runs but cannot be read over JMX: "
                    + Redaction.text(e.getMessage(), settings.secrets()));
            return ExitCode.FAILURE;
        }
    }

    private void print(Map<String, Object> doc, String text) {
        out.println(json ? Json.of(doc) : text);
    }
}
