package dev.ferry.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pipelined delay proxy of the lanes benchmarks (issue 19): a round trip takes at least the configured
 * round trip, and requests sent back to back are delayed once together, not once each. Bounds are
 * generous: these are behaviour checks, not speed measurements (the machine is shared).
 */
class DelayProxyTest {
    private static final Duration ROUND_TRIP = Duration.ofMillis(100);

    private EchoServer echo;
    private DelayProxy proxy;

    @BeforeEach
    void setUp() throws IOException {
        echo = new EchoServer();
        proxy = new DelayProxy("127.0.0.1", echo.port(), ROUND_TRIP);
    }

    @AfterEach
    void tearDown() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void aRoundTripTakesAtLeastTheRoundTrip() throws IOException {
        try (Socket s = connect()) {
            roundTrip(s, 1); // connect before timing
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                roundTrip(s, 1);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms >= ROUND_TRIP.toMillis(), "a round trip took " + ms + " ms through a "
                        + ROUND_TRIP.toMillis() + " ms proxy");
            }
        }
        assertEquals(ROUND_TRIP.dividedBy(2), proxy.oneWay());
    }

    @Test
    void aHundredPipelinedRequestsTakeAboutOneRoundTrip() throws IOException {
        try (Socket s = connect()) {
            roundTrip(s, 1);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            long t0 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                out.write(i);
                out.flush();
            }
            for (int i = 0; i < 100; i++) {
                assertEquals(i, in.readUnsignedByte(), "reply " + i + " in order");
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= ROUND_TRIP.toMillis(), "took " + ms + " ms");
            // one delay each would be 100 round trips (10 s); pipelined they all arrive about one round trip later
            assertTrue(ms < 10 * ROUND_TRIP.toMillis(), "100 pipelined requests took " + ms + " ms");
        }
    }

    @Test
    void itCapsLatencyNotBandwidth() throws Exception {
        // 16 MiB each way: FaultProxy's latency mode would wait 50 ms before each 64 KiB read (256 reads, 12.8 s
        // one way); here the bytes stream through and arrive one delay later
        byte[] data = new byte[16 * 1024 * 1024];
        new Random(19).nextBytes(data);
        byte[] back = new byte[data.length];
        try (Socket s = connect()) {
            roundTrip(s, 1);
            long t0 = System.nanoTime();
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "test-writer");
            writer.start();
            new DataInputStream(s.getInputStream()).readFully(back);
            writer.join(10_000);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertArrayEquals(data, back, "every byte echoed, in order");
            assertTrue(ms < 6_000, "16 MiB each way took " + ms + " ms");
        }
        assertTrue(proxy.bytesForwarded() >= 2L * data.length);
    }

    @Test
    void aMongoPingThroughItTakesTheRoundTrip() {
        try (SinkServer sink = new SinkServer(); DelayProxy mongo = new DelayProxy("127.0.0.1", sink.port(), ROUND_TRIP);
             MongoClient client = MongoClients.create(mongo.uri())) {
            client.getDatabase("admin").runCommand(new Document("ping", 1));
            long t0 = System.nanoTime();
            client.getDatabase("admin").runCommand(new Document("ping", 1));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= ROUND_TRIP.toMillis(), "ping took " + ms + " ms");
        }
    }

    @Test
    void closeEndsEveryThreadAndIsIdempotent() throws IOException {
        Socket s = connect();
        roundTrip(s, 1);
        String prefix = proxy.threadNamePrefix();
        assertTrue(threads(prefix) >= 5, "acceptor and four pumps");

        proxy.close();
        proxy.close();

        assertEquals(0, threads(prefix), "threads left: " + prefix);
        assertEquals(0, proxy.openConnections());
        s.close();
    }

    @Test
    void aClosedClientClosesItsConnection() throws IOException {
        try (Socket s = connect()) {
            roundTrip(s, 1);
        }
        Await.until(Duration.ofSeconds(5), () -> proxy.openConnections() == 0, "the connection closed");
        assertEquals(1, proxy.connectionsAccepted());
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setTcpNoDelay(true);
        s.setSoTimeout(10_000);
        return s;
    }

    private static void roundTrip(Socket s, int value) throws IOException {
        s.getOutputStream().write(value);
        s.getOutputStream().flush();
        assertEquals(value, s.getInputStream().read());
    }

    private static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    /** Echoes every byte of every connection back, until closed. */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        EchoServer() throws IOException {
            Thread acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket c = socket.accept();
                        c.setTcpNoDelay(true);
                        Thread t = new Thread(() -> copy(c), "test-echo");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "test-echo-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private static void copy(Socket c) {
            try (c) {
                InputStream in = c.getInputStream();
                OutputStream out = c.getOutputStream();
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // the proxy reset it
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
