package dev.ferry.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS of one connection, built once from its PEM files: an {@link SSLContext} of its own, never
 * the JVM-wide {@code javax.net.ssl.*} properties, so that two connections may trust different CAs
 * and present different client certificates (docs/operations.md, "TLS to MongoDB").
 *
 * @param caFile             {@code connection.NAME.tlsCAFile}: the CAs trusted for this server; empty:
 *                           the JVM's default trust store
 * @param certificateKeyFile {@code connection.NAME.tlsCertificateKeyFile}: client certificate and key
 * @param clientSubject      the client certificate's subject, for {@code check-pool}; empty without one
 * @param fingerprint        a digest of the files' contents and the key's password: two loads are
 *                           {@link #equals equal} when the files (and password) are the same, so that
 *                           a reload replaces a client only when its TLS material changed
 */
public record TlsMaterial(SSLContext context, Optional<Path> caFile, Optional<Path> certificateKeyFile,
        Optional<String> clientSubject, String fingerprint) {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+?)-----END \\1-----");

    /** A problem with one file, for the loader to report with file, line and key. */
    static final class TlsFileException extends Exception {
        private final String key;

        TlsFileException(String key, String message) {
            super(message);
            this.key = key;
        }

        String key() {
            return key;
        }
    }

    /**
     * @param prefix   {@code connection.NAME.}, to name the key at fault
     * @param password of an encrypted private key; never part of a message
     */
    static TlsMaterial load(String prefix, Optional<Path> caFile, Optional<Path> certificateKeyFile,
            Optional<String> password) throws TlsFileException {
        try {
            Fingerprint fingerprint = new Fingerprint();
            TrustManagerFactory trust = null;
            if (caFile.isPresent()) {
                String key = prefix + "tlsCAFile";
                List<X509Certificate> cas = certificates(key, caFile.get(), fingerprint.add(read(key, caFile.get())));
                if (cas.isEmpty()) {
                    throw new TlsFileException(key, caFile.get() + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
                }
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    store.setCertificateEntry("ca-" + i, cas.get(i));
                }
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
            }
            KeyManagerFactory keys = null;
            Optional<String> subject = Optional.empty();
            if (certificateKeyFile.isPresent()) {
                String key = prefix + "tlsCertificateKeyFile";
                Path file = certificateKeyFile.get();
                String pem = fingerprint.add(read(key, file));
                fingerprint.add(password.orElse(""));
                List<X509Certificate> chain = certificates(key, file, pem);
                if (chain.isEmpty()) {
                    throw new TlsFileException(key, file + " holds no PEM certificate: it needs the client certificate "
                            + "and its private key");
                }
                PrivateKey privateKey = privateKey(prefix, file, pem, password);
                char[] none = new char[0];
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                store.setKeyEntry("client", privateKey, none, chain.toArray(new Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, none);
                subject = Optional.of(chain.get(0).getSubjectX500Principal().getName());
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(),
                    null);
            return new TlsMaterial(context, caFile, certificateKeyFile, subject, fingerprint.digest());
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsFileException(prefix + "tlsCAFile", "cannot build the TLS context: " + e);
        }
    }

    /** Same files with the same contents (and password): the context is a product of them, not compared. */
    @Override
    public boolean equals(Object o) {
        return o instanceof TlsMaterial t && caFile.equals(t.caFile) && certificateKeyFile.equals(t.certificateKeyFile)
                && fingerprint.equals(t.fingerprint);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(caFile, certificateKeyFile, fingerprint);
    }

    /** Never prints the fingerprint's inputs: a record's toString would print the context's identity only. */
    @Override
    public String toString() {
        return describe();
    }

    /** SHA-256 over what the context is built from, each part length-prefixed. */
    private static final class Fingerprint {
        private final java.security.MessageDigest digest;

        Fingerprint() throws GeneralSecurityException {
            digest = java.security.MessageDigest.getInstance("SHA-256");
        }

        String add(String part) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
            digest.update(bytes);
            return part;
        }

        String digest() {
            return java.util.HexFormat.of().formatHex(digest.digest());
        }
    }

    /** What {@code check-pool} and the start-up line say: the files, never the password. */
    public String describe() {
        return "TLS with " + caFile.map(f -> "CAs from " + f).orElse("the JVM's default CAs")
                + certificateKeyFile.map(f -> ", client certificate " + f
                        + clientSubject.map(s -> " (" + s + ")").orElse("")).orElse("");
    }

    private static String read(String key, Path file) throws TlsFileException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new TlsFileException(key, "cannot read " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new TlsFileException(key, "cannot read " + file + ": permission denied for user "
                    + System.getProperty("user.name"));
        } catch (IOException e) {
            throw new TlsFileException(key, "cannot read " + file + ": " + e.getMessage() + " (a PEM file is ASCII text)");
        }
    }

    private static List<X509Certificate> certificates(String key, Path file, String pem) throws TlsFileException {
        List<X509Certificate> out = new ArrayList<>();
        Matcher m = PEM.matcher(pem);
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(base64(key, file, m))));
                }
            }
        } catch (GeneralSecurityException e) {
            throw new TlsFileException(key, file + ": a CERTIFICATE block is not a valid X.509 certificate ("
                    + e.getMessage() + ")");
        }
        return out;
    }

    private static PrivateKey privateKey(String prefix, Path file, String pem, Optional<String> password)
            throws TlsFileException {
        String key = prefix + "tlsCertificateKeyFile";
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            if (type.equals("PRIVATE KEY")) {
                return pkcs8(key, file, base64(key, file, m));
            }
            if (type.equals("ENCRYPTED PRIVATE KEY")) {
                if (password.isEmpty()) {
                    throw new TlsFileException(prefix + "tlsCertificateKeyFilePassword", "missing: the private key in "
                            + file + " is encrypted");
                }
                return pkcs8(key, file, decrypt(prefix, file, base64(key, file, m), password.get()));
            }
            if (type.endsWith(" PRIVATE KEY")) {
                throw new TlsFileException(key, file + " holds a " + type + " (PKCS#1/SEC1); convert it to PKCS#8: "
                        + "openssl pkcs8 -topk8 -in OLD -out NEW (add -nocrypt for an unencrypted key)");
            }
        }
        throw new TlsFileException(key, file + " holds no private key (-----BEGIN PRIVATE KEY----- or "
                + "-----BEGIN ENCRYPTED PRIVATE KEY-----): it needs the client certificate and its key");
    }

    private static byte[] decrypt(String prefix, Path file, byte[] der, String password) throws TlsFileException {
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            char[] chars = password.toCharArray();
            // PBES2 (what openssl pkcs8 -topk8 writes) names its real scheme only in its parameters,
            // e.g. PBEWithHmacSHA256AndAES_256
            String algorithm = info.getAlgName();
            if ((algorithm.equals("PBES2") || algorithm.equals("1.2.840.113549.1.5.13")) && info.getAlgParameters() != null) {
                algorithm = info.getAlgParameters().toString();
            }
            SecretKeyFactory factory = SecretKeyFactory.getInstance(algorithm);
            Cipher cipher = Cipher.getInstance(algorithm);
            cipher.init(Cipher.DECRYPT_MODE, factory.generateSecret(new PBEKeySpec(chars)), info.getAlgParameters());
            return info.getKeySpec(cipher).getEncoded();
        } catch (IOException | GeneralSecurityException e) {
            // a wrong password shows as a padding or decoding failure: say which is likelier
            throw new TlsFileException(prefix + "tlsCertificateKeyFilePassword", "cannot decrypt the private key in "
                    + file + ": wrong password, or an encryption this JVM does not support ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static PrivateKey pkcs8(String key, Path file, byte[] der) throws TlsFileException {
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "DSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new TlsFileException(key, file + ": the private key is not an RSA, EC, Ed25519 or DSA PKCS#8 key "
                + "(or the password that decrypted it is wrong)");
    }

    private static byte[] base64(String key, Path file, Matcher m) throws TlsFileException {
        try {
            return Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new TlsFileException(key, file + ": a " + m.group(1) + " block is not valid base64");
        }
    }
}
