package dev.ferry.job;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A column named with mongoimport's type suffix ({@code --columnsHaveTypes}): {@code name.type(argument)}, e.g.
 * {@code zip.string()}, {@code born.date(2006-01-02)}, {@code photo.binary(base64)} (docs/jobs.md, "Typed headers and
 * parse grace"). Parsed as mongoimport parses it: the last {@code .word(} whose text runs to a closing {@code )} at the
 * end splits name from type; in the argument {@code \(}, {@code \)} and {@code \\} stand for themselves.
 *
 * @param name     the field name, dotted for nested fields
 * @param argument the type's argument with its escapes resolved; empty for types that take none
 */
public record TypedColumn(String name, Kind kind, String argument) {
    private static final Pattern SUFFIX = Pattern.compile("(?s)^(.*)\\.(\\w+)\\((.*)\\)$");

    /** mongoimport's column types, by the word a header uses. */
    public enum Kind {
        AUTO("auto"), BINARY("binary"), BOOLEAN("boolean"), DATE("date"), DATE_GO("date_go"), DATE_MS("date_ms"),
        DATE_ORACLE("date_oracle"), DECIMAL("decimal"), DOUBLE("double"), INT32("int32"), INT64("int64"),
        STRING("string");

        private final String word;

        Kind(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        boolean takesArgument() {
            return this == BINARY || this == DATE || this == DATE_GO || this == DATE_MS || this == DATE_ORACLE;
        }
    }

    /** The binary encodings {@code binary(...)} takes. */
    public static final List<String> ENCODINGS = List.of("base64", "base32", "hex");

    /** What a message lists as the suffixes there are. */
    public static final String SUFFIXES = Arrays.stream(Kind.values()).map(k -> k.word + (k == Kind.BINARY
            ? "(base64|base32|hex)" : k.takesArgument() ? "(layout)" : "()")).collect(Collectors.joining(", "));

    /**
     * @param header a header cell or a {@code fields} entry
     * @throws IllegalArgumentException saying what is wrong with the suffix, in words for a person
     */
    public static TypedColumn parse(String header) {
        Matcher m = SUFFIX.matcher(header);
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + header + "\" has no type: with columnsHaveTypes every column is "
                    + "named name.type(), e.g. zip.string() (types: " + SUFFIXES + ")");
        }
        String word = m.group(2);
        Kind kind = Arrays.stream(Kind.values()).filter(k -> k.word.equals(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("\"" + header + "\": unknown type " + word + "() (types: "
                        + SUFFIXES + ")"));
        String argument = unescape(m.group(3));
        if (!kind.takesArgument() && !argument.isEmpty()) {
            throw new IllegalArgumentException("\"" + header + "\": " + word + "() takes no argument, was (" + m.group(3)
                    + ")");
        }
        if (kind == Kind.BINARY && !ENCODINGS.contains(argument)) {
            throw new IllegalArgumentException("\"" + header + "\": binary() needs base64, base32 or hex, was (" + argument
                    + ")");
        }
        return new TypedColumn(m.group(1), kind, argument);
    }

    /** mongoimport's escapes: {@code \\} is a backslash, {@code \(} and {@code \)} parentheses, any other {@code \} goes. */
    private static String unescape(String argument) {
        StringBuilder out = new StringBuilder(argument.length());
        for (int i = 0; i < argument.length(); i++) {
            char c = argument.charAt(i);
            if (c == '\\' && i + 1 < argument.length() && "\\()".indexOf(argument.charAt(i + 1)) >= 0) {
                out.append(argument.charAt(++i));
            } else if (c != '\\') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** How a message names the type: {@code double()}, {@code date(2006-01-02)}. */
    public String describeType() {
        return kind.word + "(" + argument + ")";
    }
}
