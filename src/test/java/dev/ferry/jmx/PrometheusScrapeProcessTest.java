package dev.ferry.jmx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.daemon.LocalJmx;
import dev.ferry.daemon.StateDir;
import dev.ferry.testing.Await;
import dev.ferry.testing.FaultProxy;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.FerryProcess;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.management.Attribute;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the shipped {@code conf/prometheus-jmx.yaml} with the Prometheus JMX exporter agent
 * that the build puts into {@code target/agent/}, in a real {@code ferry run}: {@code /metrics}
 * shows every numeric and boolean attribute of every {@code dev.ferry} bean, and each pool's and
 * running job's state, under the names docs/monitoring.md lists, with the values the MXBeans have.
 */
class PrometheusScrapeProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectName ORCHESTRATOR = name("dev.ferry:type=Orchestrator");

    /**
     * Attribute of a bean type to the sample docs/monitoring.md documents for it. Counters carry the _total
     * suffix; ConnectionsTotal and ConnectionsCreated have names of their own because the exporter
     * strips _total and _created from metric names.
     */
    private static final Map<String, String> METRICS = Map.ofEntries(
            Map.entry("Pools.OpenClients", "ferry_pools_open_clients"),
            Map.entry("Pools.TotalLeases", "ferry_pools_total_leases"),
            Map.entry("Pool.Healthy", "ferry_pool_healthy"),
            Map.entry("Pool.Leases", "ferry_pool_leases"),
            Map.entry("Pool.ConnectionsTotal", "ferry_pool_connections"),
            Map.entry("Pool.ConnectionsInUse", "ferry_pool_connections_in_use"),
            Map.entry("Pool.ConnectionsIdle", "ferry_pool_connections_idle"),
            Map.entry("Pool.WaitQueueSize", "ferry_pool_wait_queue_size"),
            Map.entry("Pool.MaxPoolSize", "ferry_pool_max_pool_size"),
            Map.entry("Pool.MinPoolSize", "ferry_pool_min_pool_size"),
            Map.entry("Pool.ConnectionsPeak", "ferry_pool_connections_peak"),
            Map.entry("Pool.LastHealthLatencyMillis", "ferry_pool_last_health_latency_millis"),
            Map.entry("Pool.ConsecutiveHealthFailures", "ferry_pool_consecutive_health_failures"),
            Map.entry("Pool.ConnectionsCreated", "ferry_pool_connections_opened_total"),
            Map.entry("Pool.ConnectionsClosed", "ferry_pool_connections_closed_total"),
            Map.entry("Pool.CheckoutFailures", "ferry_pool_checkout_failures_total"),
            Map.entry("Pool.Resets", "ferry_pool_resets_total"),
            Map.entry("Pool.Reconnects", "ferry_pool_reconnects_total"),
            Map.entry("Pool.Reaps", "ferry_pool_reaps_total"),
            Map.entry("Pool.ClientsOpened", "ferry_pool_clients_opened_total"),
            Map.entry("Pool.State", "ferry_pool_state"),
            Map.entry("Daemon.Reloads", "ferry_daemon_reloads_total"),
            Map.entry("Daemon.ReloadsRefused", "ferry_daemon_reloads_refused_total"),
            Map.entry("Orchestrator.Workers", "ferry_orchestrator_workers"),
            Map.entry("Orchestrator.Paused", "ferry_orchestrator_paused"),
            Map.entry("Orchestrator.QueuedJobs", "ferry_orchestrator_queued_jobs"),
            Map.entry("Orchestrator.RunningJobs", "ferry_orchestrator_running_jobs"),
            Map.entry("Orchestrator.CompletedJobs", "ferry_orchestrator_completed_jobs_total"),
            Map.entry("Orchestrator.FailedJobs", "ferry_orchestrator_failed_jobs_total"),
            Map.entry("Orchestrator.DocumentsWritten", "ferry_orchestrator_documents_written_total"),
            Map.entry("Orchestrator.ChunksWritten", "ferry_orchestrator_chunks_written_total"),
            Map.entry("Orchestrator.ChunkRetries", "ferry_orchestrator_chunk_retries_total"),
            Map.entry("Job.DocumentsWritten", "ferry_job_documents_written_total"),
            Map.entry("Job.ChunksWritten", "ferry_job_chunks_written_total"),
            Map.entry("Job.Retries", "ferry_job_retries_total"),
            Map.entry("Job.State", "ferry_job_state"),
            Map.entry("Job.Progress", "ferry_job_progress"),
            Map.entry("Job.DocumentsPerSecond", "ferry_job_documents_per_second"),
            Map.entry("Job.EtaSeconds", "ferry_job_eta_seconds"),
            Map.entry("Job.Lanes", "ferry_job_lanes"),
            Map.entry("Job.ChunksInFlight", "ferry_job_chunks_in_flight"),
            Map.entry("Job.VerifyProgress", "ferry_job_verify_progress"),
            Map.entry("Job.EventsApplied", "ferry_job_events_applied_total"),
            Map.entry("Job.LagMillis", "ferry_job_lag_millis"));

    /** The label that names the bean's instance; Prometheus reserves "job" for the scrape job. */
    private static final Map<String, String> INSTANCE_LABEL = Map.of("Pool", "pool", "Job", "job_id");

    @Test
    void metricsShowEveryBeanAttributeWithTheValueTheMXBeanHas(@TempDir Path dir) throws Exception {
        Path target = targetDir();
        Path agent = target.resolve("agent").resolve("jmx_prometheus_javaagent.jar");
        // the build provides the agent, so its absence is a broken build, never a reason to skip
        assertTrue(Files.isRegularFile(agent), agent + " is missing: the maven-dependency-plugin execution"
                + " copy-prometheus-agent (phase process-test-resources) puts it there; run the test through mvn");
        Path rules = target.getParent().resolve("conf").resolve("prometheus-jmx.yaml");
        assertTrue(Files.isRegularFile(rules), rules + " is missing");

        try (TestMongoServer server = new TestMongoServer();
                FaultProxy proxy = new FaultProxy("127.0.0.1", server.port())) {
            FerryConf conf = new FerryConf(dir, proxy.uri())
                    // configured but never used: its pool is CLOSED and must be exported all the same
                    .set("connection.spare.uri", server.uri());
            Path confDir = conf.write();
            int port = freeLoopbackPort();
            String agentOption = "-javaagent:" + agent + "=127.0.0.1:" + port + ":" + rules;
            try (FerryProcess daemon = FerryProcess.run(confDir, dir.resolve("ferry.log"), agentOption);
                    JMXConnector jmx = connect(conf.state(), daemon)) {
                MBeanServerConnection beans = jmx.getMBeanServerConnection();
                Spooler spool = new Spooler(conf.spool());
                spool.drop("quick.json", inlineJob("quick", 3, 1000));
                spool.awaitDone("quick", WAIT);

                // 20 ms each way per chunk of one document: the job runs for a minute, long enough
                // to be caught mid-way and paused, so its own bean can be scraped
                proxy.setLatency(Duration.ofMillis(20));
                spool.drop("slow.json", inlineJob("slow", 1500, 1));
                ObjectName slow = name("dev.ferry:type=Job,name=slow");
                Await.until(WAIT, () -> number(beans, slow, "DocumentsWritten") > 0, "job slow writing");
                beans.invoke(ORCHESTRATOR, "pause", null, null);
                Await.until(WAIT, () -> "PAUSED".equals(attribute(beans, slow, "State")), "job slow PAUSED");
                proxy.setLatency(Duration.ZERO);

                Map<String, Double> paused = awaitScrapeMatchesBeans(port, beans);
                assertEquals(1.0, paused.get("ferry_orchestrator_completed_jobs_total"), "CompletedJobs");
                assertEquals(0.0, paused.get("ferry_orchestrator_failed_jobs_total"), "FailedJobs");
                assertEquals(1.0, paused.get("ferry_orchestrator_paused"), "Paused");
                assertEquals(1.0, paused.get("ferry_orchestrator_running_jobs"), "RunningJobs");
                assertEquals(1.0, paused.get("ferry_job_state{job_id=\"slow\",state=\"PAUSED\"}"), paused.toString());
                double slowDocuments = paused.get("ferry_job_documents_written_total{job_id=\"slow\"}");
                assertTrue(slowDocuments >= 1 && slowDocuments < 1500, "slow wrote " + slowDocuments);
                assertEquals(3 + slowDocuments, paused.get("ferry_orchestrator_documents_written_total"));
                assertEquals(1.0, paused.get("ferry_pool_state{pool=\"dest\",state=\"OPEN\"}"), paused.toString());
                assertEquals(1.0, paused.get("ferry_pool_healthy{pool=\"dest\"}"));
                assertEquals(1.0, paused.get("ferry_pool_state{pool=\"spare\",state=\"CLOSED\"}"), paused.toString());
                assertEquals(0.0, paused.get("ferry_pool_clients_opened_total{pool=\"spare\"}"));

                beans.invoke(ORCHESTRATOR, "cancel", new Object[] {"slow"}, new String[] {String.class.getName()});
                beans.invoke(ORCHESTRATOR, "resume", null, null);
                assertEquals("cancelled", spool.awaitFailed("slow", WAIT).getString("kind"));

                Map<String, Double> after = awaitScrapeMatchesBeans(port, beans);
                assertEquals(1.0, after.get("ferry_orchestrator_completed_jobs_total"), "CompletedJobs");
                assertEquals(1.0, after.get("ferry_orchestrator_failed_jobs_total"), "FailedJobs");
                assertEquals(0.0, after.get("ferry_orchestrator_paused"), "Paused");
                assertEquals(0.0, after.get("ferry_orchestrator_running_jobs"), "RunningJobs");
                assertTrue(after.keySet().stream().noneMatch(k -> k.startsWith("ferry_job_")),
                        "a finished job leaves no series behind: " + after.keySet());

                String text = scrape(port);
                // the JVM's figures come from the agent's standard metrics, not from java.lang beans
                assertTrue(samples(text).containsKey("jvm_memory_used_bytes{area=\"heap\"}"), "jvm_* metrics");
                assertTrue(text.lines().noneMatch(l -> l.startsWith("java_lang_")), "java.lang beans are not exported");
            }
        }
    }

    /** Every name the test expects is in docs/monitoring.md's table, where an operator looks names up. */
    @Test
    void readmeListsEveryMetric() throws IOException, URISyntaxException {
        String readme = Files.readString(targetDir().getParent().resolve("docs/monitoring.md"));
        // a row starts with the name in backquotes, followed by its labels where it has more than one
        List<String> missing = METRICS.values().stream()
                .filter(m -> !Pattern.compile("^\\| `" + m + "[`{]", Pattern.MULTILINE).matcher(readme).find())
                .sorted().toList();
        assertEquals(List.of(), missing, "metrics missing from docs/monitoring.md's Prometheus table");
    }

    /**
     * Scrapes until the ferry_* series are exactly those the beans imply, with their values: figures
     * such as the health latency move between the JMX read and the scrape, so one mismatch is no
     * failure; a lasting one is. Returns the matching scrape.
     */
    private static Map<String, Double> awaitScrapeMatchesBeans(int port, MBeanServerConnection beans) {
        AtomicReference<String> mismatch = new AtomicReference<>("nothing compared yet");
        AtomicReference<Map<String, Double>> matched = new AtomicReference<>();
        try {
            Await.until(WAIT, () -> {
                Map<String, Double> expected = expectedSeries(beans);
                if (expected == null) {
                    mismatch.set("a job bean was unregistered while it was read");
                    return false;
                }
                Map<String, Double> scraped = new TreeMap<>(samples(scrape(port)));
                scraped.keySet().removeIf(k -> !k.startsWith("ferry_"));
                if (expected.equals(scraped)) {
                    matched.set(scraped);
                    return true;
                }
                mismatch.set(difference(expected, scraped));
                return false;
            }, "/metrics to match the MXBeans");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + mismatch.get(), e);
        }
        return matched.get();
    }

    private static String difference(Map<String, Double> expected, Map<String, Double> scraped) {
        StringBuilder text = new StringBuilder("the last comparison:");
        expected.forEach((k, v) -> {
            if (!scraped.containsKey(k)) {
                text.append("\n  missing from /metrics: ").append(k).append(" (MXBean ").append(v).append(')');
            } else if (!scraped.get(k).equals(v)) {
                text.append("\n  ").append(k).append(": MXBean ").append(v).append(", /metrics ").append(scraped.get(k));
            }
        });
        scraped.keySet().stream().filter(k -> !expected.containsKey(k))
                .forEach(k -> text.append("\n  on /metrics, no such bean attribute: ").append(k));
        return text.toString();
    }

    /**
     * The ferry_* series every dev.ferry bean implies right now, keyed as {@link #samples} keys them;
     * null if a job ended while its bean was read.
     */
    private static Map<String, Double> expectedSeries(MBeanServerConnection beans) {
        Map<String, Double> series = new TreeMap<>();
        try {
            for (ObjectName bean : beans.queryNames(name("dev.ferry:*"), null)) {
                String type = bean.getKeyProperty("type");
                Map<String, String> labels = new TreeMap<>();
                if (INSTANCE_LABEL.containsKey(type)) {
                    labels.put(INSTANCE_LABEL.get(type), bean.getKeyProperty("name"));
                }
                List<String> exported = new ArrayList<>();
                for (MBeanAttributeInfo info : beans.getMBeanInfo(bean).getAttributes()) {
                    boolean numeric = List.of("int", "long", "double", "boolean").contains(info.getType());
                    if (numeric || info.getName().equals("State")) {
                        exported.add(info.getName());
                    }
                }
                List<Attribute> values = beans.getAttributes(bean, exported.toArray(String[]::new)).asList();
                assertEquals(exported.size(), values.size(), "attributes of " + bean + " unreadable");
                for (Attribute a : values) {
                    String metric = METRICS.get(type + "." + a.getName());
                    assertTrue(metric != null, type + "." + a.getName() + " has no metric: add a rule to"
                            + " conf/prometheus-jmx.yaml, a row to docs/monitoring.md's table and an entry to METRICS");
                    Map<String, String> l = new TreeMap<>(labels);
                    Object v = a.getValue();
                    if (a.getName().equals("State")) {
                        l.put("state", (String) v);
                        v = 1;
                    }
                    series.put(key(metric, l), v instanceof Boolean b ? (b ? 1.0 : 0.0) : ((Number) v).doubleValue());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JMException e) {
            return null;
        }
        return series;
    }

    /** Samples of the text exposition format, keyed {@code name{label="value",...}} with labels sorted. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> samples = new TreeMap<>();
        for (String line : text.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, space);
            double value = Double.parseDouble(line.substring(space + 1));
            int brace = series.indexOf('{');
            if (brace < 0) {
                samples.put(series, value);
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            // label values here are names and enum constants: no quotes or commas to unescape
            for (String pair : series.substring(brace + 1, series.length() - 1).split(",")) {
                int eq = pair.indexOf('=');
                labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
            }
            samples.put(key(series.substring(0, brace), labels), value);
        }
        return samples;
    }

    private static String key(String metric, Map<String, String> sortedLabels) {
        if (sortedLabels.isEmpty()) {
            return metric;
        }
        return metric + sortedLabels.entrySet().stream().map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static String scrape(int port) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                            .timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The daemon's loopback connector, as ferry ctl finds it through state.dir/jmx.local. */
    private static JMXConnector connect(Path stateDir, FerryProcess daemon) throws IOException {
        daemon.awaitLog("started (pid", WAIT);
        StateDir state = new StateDir(stateDir);
        AtomicReference<StateDir.JmxEndpoint> endpoint = new AtomicReference<>();
        Await.until(WAIT, () -> {
            try {
                Optional<StateDir.JmxEndpoint> e = state.jmxEndpoint();
                e.ifPresent(endpoint::set);
                return e.isPresent();
            } catch (IOException e) {
                return false;
            }
        }, "state.dir/jmx.local");
        return JMXConnectorFactory.connect(new JMXServiceURL(endpoint.get().url()),
                Map.of(JMXConnector.CREDENTIALS, new String[] {LocalJmx.USER, endpoint.get().token()}));
    }

    private static Object attribute(MBeanServerConnection beans, ObjectName bean, String attribute) {
        try {
            return beans.isRegistered(bean) ? beans.getAttribute(bean, attribute) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JMException e) {
            return null;
        }
    }

    private static long number(MBeanServerConnection beans, ObjectName bean, String attribute) {
        return attribute(beans, bean, attribute) instanceof Number n ? n.longValue() : -1;
    }

    private static String inlineJob(String id, int documents, int chunkSize) {
        String docs = IntStream.rangeClosed(1, documents).mapToObj(i -> "{\"_id\": " + i + "}")
                .collect(Collectors.joining(", "));
        return "{\"id\": \"" + id + "\", \"source\": {\"type\": \"inline\", \"documents\": [" + docs + "]},"
                + " \"destination\": {\"connection\": \"dest\", \"collection\": \"" + id + "\"},"
                + " \"chunkSize\": " + chunkSize + "}";
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** target/, from where the test classes were compiled to. */
    private static Path targetDir() throws URISyntaxException {
        return Path.of(PrometheusScrapeProcessTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getParent();
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (JMException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
