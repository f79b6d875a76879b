package dev.ferry.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.openssl.PKCS8Generator;

/** A certificate authority made at test time, and certificates it signs, written as PEM files. */
public final class TestCa {
    public record Issued(KeyPair keys, X509Certificate certificate) {
    }

    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    public TestCa(String name) throws GeneralSecurityException {
        this.name = name;
        this.keys = rsa();
        this.certificate = sign(new X500Name("CN=" + name), keys, new X500Name("CN=" + name), keys.getPrivate(), true,
                null);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A server certificate naming {@code hosts} (DNS names or IP addresses) as subject alternative names. */
    public Issued server(String... hosts) throws GeneralSecurityException {
        KeyPair pair = rsa();
        GeneralName[] names = new GeneralName[hosts.length];
        for (int i = 0; i < hosts.length; i++) {
            boolean ip = hosts[i].chars().allMatch(c -> Character.isDigit(c) || c == '.');
            names[i] = new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, hosts[i]);
        }
        return new Issued(pair, sign(new X500Name("CN=" + hosts[0]), pair, new X500Name("CN=" + name),
                keys.getPrivate(), false, new GeneralNames(names)));
    }

    public Issued client(String commonName) throws GeneralSecurityException {
        KeyPair pair = rsa();
        return new Issued(pair, sign(new X500Name("CN=" + commonName), pair, new X500Name("CN=" + name),
                keys.getPrivate(), false, null));
    }

    public Path writeCertificate(Path file) throws IOException {
        return Files.writeString(file, pem(certificate));
    }

    /** Certificate and PKCS#8 key in one file, the key encrypted when {@code password} is not null. */
    public static Path writeCertificateAndKey(Issued issued, Path file, String password) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(issued.certificate());
            OutputEncryptor encryptor = password == null ? null
                    // as openssl pkcs8 -topk8 writes it: PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC
                    : new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                            .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                            .setPRF(PKCS8Generator.PRF_HMACSHA256).setPassword(password.toCharArray()).build();
            writer.writeObject(new JcaPKCS8Generator(issued.keys().getPrivate(), encryptor));
        }
        return Files.writeString(file, out.toString());
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, new SecureRandom());
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, PrivateKey issuerKey,
            boolean ca, GeneralNames altNames) throws GeneralSecurityException {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            }
            if (altNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, altNames);
            }
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (org.bouncycastle.operator.OperatorCreationException | IOException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
