package dev.ferry.sync.source;

import dev.ferry.job.CellType;
import dev.ferry.job.TypedColumn;
import java.util.Base64;
import java.util.HexFormat;
import java.util.function.Function;
import org.bson.BsonBinary;
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

    /** Go's strconv.ParseInt in base 10: a sign, then ASCII digits (Java would also take other scripts' digits). */
    private static final Pattern GO_INTEGER = Pattern.compile("[+-]?[0-9]+");
    /** Go's strconv.ParseFloat on decimal text; hex floats are not taken. */
    private static final Pattern GO_FLOAT = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");
    private static final Pattern GO_FLOAT_WORD = Pattern.compile("(?i)[+-]?(inf|infinity|nan)");

    private CellConverter() {
    }

    /**
     * The converter of a typed header's column (mongoimport's {@code --columnsHaveTypes}; docs/jobs.md, "Typed headers
     * and parse grace"), as mongoimport reads them; the caller trims the blanks around a cell that is not a string's.
     *
     * @return a function that throws IllegalArgumentException with what the cell should have been
     */
    static Function<String, BsonValue> typed(TypedColumn column) {
        switch (column.kind()) {
            case AUTO:
                return cell -> auto(cell, cell.strip());
            case STRING:
                return BsonString::new;
            case BOOLEAN:
                return cell -> switch (cell.toLowerCase(Locale.ROOT)) {
                    case "true", "1" -> BsonBoolean.TRUE;
                    case "false", "0" -> BsonBoolean.FALSE;
                    default -> throw expected("a boolean (true, false, 1 or 0)", cell);
                };
            case INT32:
                return cell -> whole(cell, t -> new BsonInt32(Integer.parseInt(t)),
                        "an int32 (a whole number from -2147483648 to 2147483647)");
            case INT64:
                return cell -> whole(cell, t -> new BsonInt64(Long.parseLong(t)),
                        "an int64 (a whole number of at most 19 digits)");
            case DOUBLE:
                return cell -> real(cell, t -> {
                    double d = Double.parseDouble(t);
                    return Double.isFinite(d) ? new BsonDouble(d) : null;
                }, new BsonDouble[] {new BsonDouble(Double.NaN), new BsonDouble(Double.NEGATIVE_INFINITY),
                    new BsonDouble(Double.POSITIVE_INFINITY)}, "a double (a number like 1.5 or -2e3)");
            case DECIMAL:
                return cell -> real(cell, t -> new BsonDecimal128(Decimal128.parse(t)),
                        new BsonDecimal128[] {new BsonDecimal128(Decimal128.NaN),
                            new BsonDecimal128(Decimal128.NEGATIVE_INFINITY), new BsonDecimal128(Decimal128.POSITIVE_INFINITY)},
                        "a decimal (a number like 12.50 of at most 34 digits)");
            case BINARY:
                return binary(column.argument());
            case DATE:
            case DATE_GO:
                return date(GoTimeLayout.go(column.argument()));
            case DATE_MS:
                return date(GoTimeLayout.fromMs(column.argument()));
            case DATE_ORACLE:
                return date(GoTimeLayout.fromOracle(column.argument()));
            default:
                throw new IllegalStateException("unknown type " + column.kind());
        }
    }

    /** Go's ParseInt in base 10: a sign and ASCII digits, in range. */
    private static BsonValue whole(String cell, Function<String, BsonValue> parse, String what) {
        try {
            if (GO_INTEGER.matcher(cell).matches()) {
                return parse.apply(cell);
            }
        } catch (NumberFormatException e) {
            // out of range: said below
        }
        throw expected(what, cell);
    }

    /**
     * Go's ParseFloat (and ParseDecimal128) on decimal text or {@code inf}, {@code infinity}, {@code nan} in any case.
     *
     * @param parse  null when the number is out of range
     * @param words  NaN, -Inf, +Inf of the type
     */
    private static BsonValue real(String cell, Function<String, BsonValue> parse, BsonValue[] words, String what) {
        if (GO_FLOAT_WORD.matcher(cell).matches()) {
            String word = cell.toLowerCase(Locale.ROOT);
            return word.contains("nan") ? words[0] : word.startsWith("-") ? words[1] : words[2];
        }
        try {
            if (GO_FLOAT.matcher(cell).matches()) {
                BsonValue value = parse.apply(cell);
                if (value != null) {
                    return value;
                }
            }
        } catch (NumberFormatException e) {
            // too many digits or out of range: said below
        }
        throw expected(what, cell);
    }

    private static Function<String, BsonValue> date(GoTimeLayout layout) {
        return cell -> new BsonDateTime(layout.parse(cell).toEpochMilli());
    }

    private static Function<String, BsonValue> binary(String encoding) {
        return cell -> {
            try {
                byte[] bytes = switch (encoding) {
                    case "base64" -> Base64.getDecoder().decode(cell);
                    case "base32" -> base32(cell);
                    default -> HexFormat.of().parseHex(cell);
                };
                return new BsonBinary(bytes);
            } catch (IllegalArgumentException e) {
                throw expected(encoding + " text", cell);
            }
        };
    }

    /** RFC 4648 base32 with padding (Go's base32.StdEncoding); the JDK has no decoder of its own. */
    static byte[] base32(String text) {
        if (text.length() % 8 != 0) {
            throw new IllegalArgumentException("base32 text comes in groups of 8 characters");
        }
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        int padding = text.length() - text.replaceAll("=+$", "").length();
        if (padding > 6 || text.substring(0, text.length() - padding).indexOf('=') >= 0) {
            throw new IllegalArgumentException("misplaced padding");
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long buffer = 0;
        int bits = 0;
        for (int i = 0; i < text.length() - padding; i++) {
            int v = alphabet.indexOf(text.charAt(i));
            if (v < 0) {
                throw new IllegalArgumentException("not a base32 character: " + text.charAt(i));
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out.write((int) (buffer >> bits) & 0xff);
            }
        }
        return out.toByteArray();
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

    static BsonValue auto(String cell, String t) {
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
