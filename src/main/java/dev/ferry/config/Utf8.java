package dev.ferry.config;

import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Text ferry reads (job files, source files) must be UTF-8; a bad byte is an error, never a silent U+FFFD. */
public final class Utf8 {

    private Utf8() {
    }

    /** A new decoder that reports malformed and unmappable input (decoders are not thread-safe). */
    public static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
