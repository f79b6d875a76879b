package dev.ferry.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.job.TypedColumn.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** mongoimport's typed column names ({@code --columnsHaveTypes}), as its typed_fields.go reads them. */
class TypedColumnTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "zip.string()|zip|STRING|",
        "number.double()|number|DOUBLE|",
        "n.int32()|n|INT32|",
        "n.int64()|n|INT64|",
        "d.decimal()|d|DECIMAL|",
        "b.boolean()|b|BOOLEAN|",
        "a.auto()|a|AUTO|",
        "level1.level2.key1.string()|level1.level2.key1|STRING|",
        "born.date(2006-01-02)|born|DATE|2006-01-02",
        "born.date_go(2006-01-02T15:04:05Z07:00)|born|DATE_GO|2006-01-02T15:04:05Z07:00",
        "born.date_ms(yyyy-MM-dd H:mm:ss)|born|DATE_MS|yyyy-MM-dd H:mm:ss",
        "born.date_oracle(DD-MON-YYYY)|born|DATE_ORACLE|DD-MON-YYYY",
        "photo.binary(base64)|photo|BINARY|base64",
        "photo.binary(base32)|photo|BINARY|base32",
        "photo.binary(hex)|photo|BINARY|hex",
        // the last .type( that runs to a ) at the end splits: parentheses may be in the argument, escaped or not
        "t.date(Jan 2 (MST\\) 2006)|t|DATE|Jan 2 (MST) 2006",
        "t.date(3:04pm (MST))|t|DATE|3:04pm (MST)",
        "t.date(a\\\\b)|t|DATE|a\\b",
    })
    void everyTypeAndItsArgument(String header, String name, Kind kind, String argument) {
        TypedColumn column = TypedColumn.parse(header);
        assertEquals(name, column.name());
        assertEquals(kind, column.kind());
        assertEquals(argument == null ? "" : argument, column.argument());
    }

    @Test
    void badSuffixesAreNamedInWords() {
        assertMessage("zip", "\"zip\" has no type: with columnsHaveTypes every column is named name.type()");
        assertMessage("zip.string", "\"zip.string\" has no type");
        assertMessage("zip.text()", "\"zip.text()\": unknown type text() (types: auto(), binary(base64|base32|hex),");
        assertMessage("n.int32(10)", "\"n.int32(10)\": int32() takes no argument, was (10)");
        assertMessage("p.binary()", "\"p.binary()\": binary() needs base64, base32 or hex, was ()");
        assertMessage("p.binary(base58)", "\"p.binary(base58)\": binary() needs base64, base32 or hex, was (base58)");
    }

    private static void assertMessage(String header, String start) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TypedColumn.parse(header));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    @Test
    void messagesListEverySuffix() {
        assertEquals("auto(), binary(base64|base32|hex), boolean(), date(layout), date_go(layout), date_ms(layout), "
                + "date_oracle(layout), decimal(), double(), int32(), int64(), string()", TypedColumn.SUFFIXES);
    }
}
