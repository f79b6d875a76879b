package dev.ferry.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.Await;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote JMX on {@code jmx.port}, as JConsole on another host uses it: with a password file only
 * the users in it get in, with the rights of the access file; without one ferry warns; after stop
 * the port is closed and no RMI thread keeps the JVM alive.
 */
class RemoteJmxTest {
    private static final ObjectName POOLS = name("dev.ferry:type=Pools");

    @Test
    void withAPasswordFileOnlyItsUsersGetInWithTheirRights(@TempDir Path dir) throws Exception {
        int port = freePort();
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1").set("jmx.port", Integer.toString(port));
        Path confDir = conf.write();
        Path password = confDir.resolve(RemoteJmx.PASSWORD_FILE);
        Files.writeString(password, "operator s3cret-op\nviewer s3cret-view\n");
        // the JDK refuses a password file others can read
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(confDir.resolve(RemoteJmx.ACCESS_FILE), "operator readwrite\nviewer readonly\n");
        JMXServiceURL url = url(port);
        try (DaemonFixture daemon = new DaemonFixture(conf, MBeanServerFactory.newMBeanServer()).start()) {
            assertThrows(SecurityException.class, () -> JMXConnectorFactory.connect(url).close(),
                    "no credentials, no entry");
            assertThrows(SecurityException.class, () -> JMXConnectorFactory.connect(url,
                    credentials("operator", "wrong")).close(), "a wrong password, no entry");
            try (JMXConnector operator = JMXConnectorFactory.connect(url, credentials("operator", "s3cret-op"))) {
                MBeanServerConnection mbs = operator.getMBeanServerConnection();
                assertEquals(List.of("dest"), Arrays.asList((String[]) mbs.getAttribute(POOLS, "ConnectionNames")));
                mbs.invoke(POOLS, "checkHealthNow", null, null);
            }
            try (JMXConnector viewer = JMXConnectorFactory.connect(url, credentials("viewer", "s3cret-view"))) {
                MBeanServerConnection mbs = viewer.getMBeanServerConnection();
                assertEquals(0, mbs.getAttribute(POOLS, "OpenClients"));
                assertThrows(SecurityException.class, () -> mbs.invoke(POOLS, "resetAll", null, null),
                        "a readonly user cannot reset");
            }
            assertTrue(nonDaemonRmiThreads() > 0, "while JMX is served, RMI keeps a non-daemon thread");
        }
        assertThrows(IOException.class, () -> JMXConnectorFactory.connect(url, credentials("operator", "s3cret-op")),
                "the port is closed after stop");
        Await.until(Duration.ofSeconds(10), () -> nonDaemonRmiThreads() == 0,
                "no non-daemon RMI thread left to keep the JVM alive: " + rmiThreads());
    }

    @Test
    void withoutAPasswordFileItServesEveryoneAndWarns(@TempDir Path dir) throws Exception {
        int port = freePort();
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1").set("jmx.port", Integer.toString(port));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream err = System.err;
        // slf4j-simple looks System.err up for every line, so the daemon's warnings land here
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (DaemonFixture daemon = new DaemonFixture(conf, MBeanServerFactory.newMBeanServer()).start()) {
            try (JMXConnector anyone = JMXConnectorFactory.connect(url(port))) {
                assertEquals(List.of("dest"), Arrays.asList((String[]) anyone.getMBeanServerConnection()
                        .getAttribute(POOLS, "ConnectionNames")));
            }
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("NO authentication") && log.contains(RemoteJmx.PASSWORD_FILE), log);
        Await.until(Duration.ofSeconds(10), () -> nonDaemonRmiThreads() == 0,
                "no non-daemon RMI thread left to keep the JVM alive: " + rmiThreads());
    }

    @Test
    void aPasswordFileFerryCannotReadKeepsThePortClosed(@TempDir Path dir) throws Exception {
        int port = freePort();
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1").set("jmx.port", Integer.toString(port));
        Path confDir = conf.write();
        Path password = confDir.resolve(RemoteJmx.PASSWORD_FILE);
        Files.writeString(password, "operator s3cret-op\n");
        dev.ferry.config.FerrySettings settings = new dev.ferry.config.ConfigLoader(Map.<String, String>of()::get)
                .load(confDir);
        // root reads every file, so the unreadable file is told by the injected check
        RemoteJmx jmx = new RemoteJmx(settings, MBeanServerFactory.newMBeanServer(), p -> !p.equals(password));
        dev.ferry.config.ConfigException e = assertThrows(dev.ferry.config.ConfigException.class, jmx::start);
        jmx.close();
        assertTrue(e.getMessage().contains(password + ": cannot read it"), e.getMessage());
        assertTrue(e.getMessage().contains("is not opened"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertThrows(IOException.class, () -> JMXConnectorFactory.connect(url(port)).close(), "nothing listens");
    }

    @Test
    void anUnreadableAccessFileKeepsThePortClosedToo(@TempDir Path dir) throws Exception {
        int port = freePort();
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1").set("jmx.port", Integer.toString(port));
        Path confDir = conf.write();
        Files.writeString(confDir.resolve(RemoteJmx.PASSWORD_FILE), "viewer s3cret\n");
        Path access = confDir.resolve(RemoteJmx.ACCESS_FILE);
        Files.writeString(access, "viewer readonly\n");
        dev.ferry.config.FerrySettings settings = new dev.ferry.config.ConfigLoader(Map.<String, String>of()::get)
                .load(confDir);
        RemoteJmx jmx = new RemoteJmx(settings, MBeanServerFactory.newMBeanServer(), p -> !p.equals(access));
        dev.ferry.config.ConfigException e = assertThrows(dev.ferry.config.ConfigException.class, jmx::start);
        jmx.close();
        assertTrue(e.getMessage().contains(access + ": cannot read it"), e.getMessage());
    }

    /** A real unreadable case that root meets too: the password file is a link to a missing file. */
    @Test
    void ferryRunExitsTwoNamingTheFileWhenThePasswordFileCannotBeRead(@TempDir Path dir) throws Exception {
        int port = freePort();
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1").set("jmx.port", Integer.toString(port));
        Path confDir = conf.write();
        Path password = confDir.resolve(RemoteJmx.PASSWORD_FILE);
        Files.createSymbolicLink(password, dir.resolve("moved-away.password"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        dev.ferry.cli.ExitCode code = new dev.ferry.cli.Main(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), status -> { })
                .run(new String[] {"run", "--conf", confDir.toString()});
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code.code(), message);
        assertTrue(message.contains(password + ": cannot read it"), message);
        assertThrows(IOException.class, () -> JMXConnectorFactory.connect(url(port)).close(), "nothing listens");
        assertFalse(Files.exists(conf.state().resolve(StateDir.PID_FILE)), "the daemon did not stay up");
    }

    @Test
    void withAKeyStoreThePortSpeaksTlsWithItsCertificate(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path store = keyStore(dir, "store-pass-1");
        Files.writeString(dir.resolve("ks-password"), "store-pass-1\n");
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1").set("jmx.port", Integer.toString(port))
                .set("jmx.keyStore", store.toString())
                .set("jmx.keyStorePassword", "${file:" + dir.resolve("ks-password") + "}");
        try (DaemonFixture daemon = new DaemonFixture(conf, MBeanServerFactory.newMBeanServer()).start()) {
            javax.net.ssl.SSLContext trustAll = javax.net.ssl.SSLContext.getInstance("TLS");
            trustAll.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trustAll.getSocketFactory()
                    .createSocket("127.0.0.1", port)) {
                socket.startHandshake();
                java.security.cert.X509Certificate cert =
                        (java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0];
                assertTrue(cert.getSubjectX500Principal().getName().contains("CN=ferry-jmx-test"),
                        cert.getSubjectX500Principal().getName());
            }
            assertThrows(IOException.class, () -> JMXConnectorFactory.connect(url(port)).close(),
                    "a plain client cannot talk to the TLS port");
        }
    }

    @Test
    void aKeyStoreThatCannotBeOpenedStopsTheStartWithoutPrintingThePassword(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path store = keyStore(dir, "store-pass-1");
        FerryConf conf = new FerryConf(dir, "mongodb://127.0.0.1:1").set("jmx.port", Integer.toString(port))
                .set("jmx.keyStore", store.toString()).set("jmx.keyStorePassword", "not-the-password");
        dev.ferry.config.FerrySettings settings = new dev.ferry.config.ConfigLoader(Map.<String, String>of()::get)
                .load(conf.write());
        RemoteJmx jmx = new RemoteJmx(settings, MBeanServerFactory.newMBeanServer());
        dev.ferry.config.ConfigException e = assertThrows(dev.ferry.config.ConfigException.class, jmx::start);
        jmx.close();
        assertTrue(e.getMessage().contains("jmx.keyStore: cannot load the PKCS12 key store " + store), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-password"), e.getMessage());
    }

    private static Path keyStore(Path dir, String password) throws Exception {
        Path store = dir.resolve("jmx.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "jmx", "-keyalg", "EC", "-dname", "CN=ferry-jmx-test", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password)
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        return store;
    }

    private static JMXServiceURL url(int port) throws IOException {
        return new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
    }

    private static Map<String, Object> credentials(String user, String password) {
        return Map.of(JMXConnector.CREDENTIALS, new String[] {user, password});
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long nonDaemonRmiThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon() && t.getName().startsWith("RMI")).count();
    }

    private static List<String> rmiThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("RMI"))
                .map(t -> t.getName() + (t.isDaemon() ? " (daemon)" : "")).toList();
    }

    private static ObjectName name(String text) {
        try {
            return new ObjectName(text);
        } catch (javax.management.MalformedObjectNameException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
