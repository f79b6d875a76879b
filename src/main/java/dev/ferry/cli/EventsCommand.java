package dev.ferry.cli;

import dev.ferry.jmx.MBeanRegistrar;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnectionNotification;

/**
 * {@code ferry ctl events}: the notifications of the Orchestrator, Pools and Daemon beans as they come, one
 * line each ({@code --json}: one JSON object a line), until Ctrl-C or until the daemon goes away.
 */
final class EventsCommand {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean json;

    EventsCommand(PrintStream out, PrintStream err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    /** @return only when the connection is lost (exit 1); Ctrl-C ends the process before */
    ExitCode execute(JmxClient client) throws IOException, JMException, InterruptedException {
        CountDownLatch gone = new CountDownLatch(1);
        client.onConnectionLost(gone::countDown);
        MBeanServerConnection connection = client.connection();
        NotificationListener printer = (notification, handback) -> print(notification);
        connection.addNotificationListener(MBeanRegistrar.name("Orchestrator"), printer, null, null);
        connection.addNotificationListener(MBeanRegistrar.name("Pools"), printer, null, null);
        connection.addNotificationListener(MBeanRegistrar.name("Daemon"), printer, null, null);
        // stderr, so that --json output stays pure JSON lines
        err.println("ferry: listening for job and pool events of pid " + client.pid() + "; Ctrl-C to stop");
        gone.await();
        err.println("ferry: the connection to the daemon is gone (it stopped?); no more events");
        return ExitCode.FAILURE;
    }

    /** Listeners run on the connector's thread, one notification at a time. */
    private void print(Notification n) {
        String time = Instant.ofEpochMilli(n.getTimeStamp()).toString();
        if (n.getType().equals(JMXConnectionNotification.NOTIFS_LOST)) {
            err.println("ferry: " + time + " some events were lost: " + n.getMessage());
            return;
        }
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", time);
            line.put("type", n.getType());
            line.put("sequence", n.getSequenceNumber());
            line.put("source", String.valueOf(n.getSource()));
            line.put("message", n.getMessage());
            if (n.getUserData() instanceof CompositeData data) {
                Map<String, Object> fields = new LinkedHashMap<>();
                data.getCompositeType().keySet().forEach(k -> fields.put(k, data.get(k)));
                line.put("data", fields);
            }
            out.println(Json.line(line));
        } else {
            out.println(time + "  " + n.getType() + "  " + n.getMessage());
        }
        out.flush();
    }
}
