package dev.ferry.job;

/** Makes values from a job file safe to quote in one line of an error message. */
final class Text {
    private static final int MAX_QUOTED = 80;

    private Text() {
    }

    /** The value in single quotes, control characters escaped, cut at a readable length. */
    static String quote(String value) {
        String p = printable(value);
        return "'" + (p.length() <= MAX_QUOTED ? p : p.substring(0, MAX_QUOTED) + "...") + "'";
    }

    static String printable(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
