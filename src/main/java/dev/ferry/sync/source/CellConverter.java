package dev.ferry.sync.source;

import dev.ferry.job.CellType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDecimal128;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

/**
 * Turns one csv cell into a BSON value of its column's type. Numbers, booleans, dates and ids are
 * read with surrounding blanks trimmed; strings are kept exactly.
 */
final class CellConverter {
    private static final Pattern INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");
    /** No leading zeros, so that codes like zip 00501 stay strings under auto. */
    private static final Pattern DECIMAL = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    /** What Double.parseDouble takes, less NaN, Infinity, hex and the d/f suffixes. */
    private static final Pattern FLOAT = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    private CellConverter() {
    }

    /** @throws IllegalArgumentException with what the cell should have been */
    static BsonValue convert(String cell, CellType type) {
        String t = cell.strip();
        switch (type) {
            case STRING:
                return new BsonString(cell);
            case AUTO:
                return auto(cell, t);
            case INT:
                try {
                    return new BsonInt32(Integer.parseInt(t));
                } catch (NumberFormatException e) {
                    throw expected("an int (a whole number from -2147483648 to 2147483647)", cell);
                }
            case LONG:
                try {
                    return new BsonInt64(Long.parseLong(t));
                } catch (NumberFormatException e) {
                    throw expected("a long (a whole number of at most 19 digits)", cell);
                }
            case DOUBLE:
                if (!FLOAT.matcher(t).matches()) {
                    throw expected("a double (a number like 1.5 or -2e3)", cell);
                }
                return new BsonDouble(Double.parseDouble(t));
            case DECIMAL:
                try {
                    return new BsonDecimal128(new Decimal128(new BigDecimal(t)));
                } catch (NumberFormatException e) {
                    throw expected("a decimal (a number like 12.50)", cell);
                }
            case BOOL:
                return bool(cell, t);
            case DATE:
                return new BsonDateTime(date(cell, t).toEpochMilli());
            case OID:
                if (!ObjectId.isValid(t)) {
                    throw expected("an oid (24 hex digits)", cell);
                }
                return new BsonObjectId(new ObjectId(t));
            default:
                throw new IllegalStateException("unknown type " + type);
        }
    }

    private static BsonValue auto(String cell, String t) {
        if (INTEGER.matcher(t).matches() && t.length() <= 20) {
            try {
                long n = Long.parseLong(t);
                return n == (int) n ? new BsonInt32((int) n) : new BsonInt64(n);
            } catch (NumberFormatException e) {
                return new BsonString(cell);
            }
        }
        if (DECIMAL.matcher(t).matches()) {
            double d = Double.parseDouble(t);
            if (Double.isFinite(d)) {
                return new BsonDouble(d);
            }
        }
        return new BsonString(cell);
    }

    private static BsonValue bool(String cell, String t) {
        switch (t.toLowerCase(Locale.ROOT)) {
            case "true": case "1":
                return BsonBoolean.TRUE;
            case "false": case "0":
                return BsonBoolean.FALSE;
            default:
                throw expected("a bool (true, false, 1 or 0)", cell);
        }
    }

    /** ISO-8601: an instant with Z or an offset, a local date-time or a date (both taken as UTC). */
    private static Instant date(String cell, String t) {
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            // try the next form
        }
        try {
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // try the next form
        }
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw expected("a date (ISO-8601, e.g. 2026-11-26 or 2026-11-26T10:00:00Z)", cell);
        }
    }

    private static IllegalArgumentException expected(String what, String cell) {
        String shown = cell.length() > 80 ? cell.substring(0, 80) + "..." : cell;
        return new IllegalArgumentException("expected " + what + ", found \"" + shown + "\"");
    }
}
