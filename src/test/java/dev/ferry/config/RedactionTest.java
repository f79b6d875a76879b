package dev.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one parser of a connection string's user info, as the driver reads it. */
class RedactionTest {
    @Test
    void aPasswordRunsToTheLastAtSignAsTheDriverReadsIt() {
        String uri = "mongodb://ferry:p@ss:w0rd@db1.example:27017,db2.example/app?tls=true";
        assertEquals(Optional.of("ferry:p@ss:w0rd"), Redaction.userInfo(uri));
        assertEquals(Optional.of("p@ss:w0rd"), Redaction.password(uri));
        assertEquals("mongodb://ferry:****@db1.example:27017,db2.example/app?tls=true", Redaction.uri(uri));
        List<String> secrets = List.of(Redaction.password(uri).orElseThrow());
        assertFalse(Redaction.text("failed: p@ss:w0rd was wrong", secrets).contains("w0rd"));
    }

    @Test
    void aMistypedSchemeStillHasItsUserInfoFound() {
        assertEquals(Optional.of("ferry:s3cret"), Redaction.userInfo("mongodb//ferry:s3cret@db.example"));
    }

    @Test
    void noUserInfoNoPassword() {
        assertEquals(Optional.empty(), Redaction.password("mongodb://db.example/app"));
        assertEquals(Optional.empty(), Redaction.password("mongodb://ferry@db.example/app"));
        assertEquals(Optional.empty(), Redaction.password("embedded:var/embedded"));
    }
}
