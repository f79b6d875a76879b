package dev.ferry.pool;

import com.mongodb.ConnectionString;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.TlsMaterial;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Says in plain words why a TLS connection failed, naming the key and file to look at, and times a
 * handshake for {@code ferry check-pool}. The driver reports a failed handshake only as text inside
 * a server-selection timeout, so the text is what is read.
 */
public final class TlsCheck {
    private TlsCheck() {
    }

    /** A hint for an error of this connection, if the error is a TLS failure. */
    public static Optional<String> explain(ConnectionSettings c, String error) {
        if (error == null) {
            return Optional.empty();
        }
        String e = error.toLowerCase(Locale.ROOT);
        String prefix = "connection." + c.name() + ".";
        Optional<TlsMaterial> tls = c.tls();
        if (e.contains("pkix path") || e.contains("valid certification path") || e.contains("unknown_ca")) {
            return Optional.of("TLS: the server's certificate is not signed by a CA "
                    + tls.flatMap(TlsMaterial::caFile).map(f -> "in " + prefix + "tlsCAFile (" + f + ")")
                            .orElse("the JVM trusts; give the server's CA as " + prefix + "tlsCAFile"));
        }
        if (e.contains("no subject alternative") || e.contains("no name matching")
                || e.contains("subject alternative names")) {
            return Optional.of("TLS: the server's certificate does not name the host of the connection string "
                    + "(use the host name the certificate was issued for)");
        }
        if (e.contains("bad_certificate") || e.contains("certificate_required")) {
            return Optional.of("TLS: the server refused the client certificate "
                    + tls.flatMap(TlsMaterial::certificateKeyFile).map(f -> "(" + prefix + "tlsCertificateKeyFile " + f + ")")
                            .orElse("(none is configured: set " + prefix + "tlsCertificateKeyFile)"));
        }
        if (e.contains("sslhandshakeexception") || e.contains("ssl") && e.contains("handshake")) {
            return Optional.of("TLS handshake failed (is TLS on at the server? " + prefix + "tlsCAFile and the uri's "
                    + "tls option decide it here)");
        }
        return Optional.empty();
    }

    /**
     * The exception with its causes: the driver wraps a failed TLS handshake in "Exception sending
     * message", and only a cause says what went wrong.
     */
    public static String describe(Throwable t) {
        StringBuilder out = new StringBuilder(t.getClass().getSimpleName() + ": " + t.getMessage());
        int depth = 0;
        for (Throwable cause = t.getCause(); cause != null && cause != t && depth < 5; cause = cause.getCause()) {
            out.append(" (caused by ").append(cause.getClass().getSimpleName()).append(": ")
                    .append(cause.getMessage()).append(')');
            depth++;
        }
        return out.toString();
    }

    /** {@code error}, followed by the TLS hint when there is one. */
    public static String withHint(ConnectionSettings c, String error) {
        return explain(c, error).map(h -> error + " — " + h).orElse(error);
    }

    /**
     * One handshake with the connection's first host, checking its name as the driver does.
     *
     * @return milliseconds the handshake took
     */
    static long timeHandshake(TlsMaterial tls, String resolvedUri, int timeoutMillis) throws IOException {
        String host = new ConnectionString(resolvedUri).getHosts().get(0);
        int colon = host.lastIndexOf(':');
        String name = colon > 0 && !host.endsWith("]") ? host.substring(0, colon) : host;
        int port = colon > 0 && !host.endsWith("]") ? Integer.parseInt(host.substring(colon + 1)) : 27017;
        SSLContext context = tls.context();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.connect(new InetSocketAddress(name, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            long started = System.nanoTime();
            socket.startHandshake();
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        }
    }
}
