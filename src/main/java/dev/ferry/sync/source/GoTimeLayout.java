package dev.ferry.sync.source;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A date layout as mongoimport's typed headers write it: Go's reference time {@code Mon Jan 2 15:04:05 MST 2006}
 * ({@code date(layout)}, {@code date_go(layout)}), or SQL Server's and Oracle's format words translated into it as
 * mongoimport translates them ({@link #fromMs}, {@link #fromOracle}). Parses as Go's {@code time.Parse} does: numbers of
 * one or two digits where the layout has {@code 1}/{@code 2}/{@code 3}/{@code 4}/{@code 5}, exactly two where it has
 * {@code 01}..{@code 05}, a fraction after the seconds even if the layout has none, UTC unless the text gives an offset.
 * A zone abbreviation ({@code MST}) counts as UTC, as on a host whose local zone is UTC; {@code GMT+3} as that offset.
 *
 * <p>Immutable; {@link #parse} is safe from any thread.
 */
final class GoTimeLayout {
    private static final String[] LONG_MONTHS = {"January", "February", "March", "April", "May", "June", "July",
        "August", "September", "October", "November", "December"};
    private static final String[] SHORT_MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"};
    private static final String[] LONG_DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
        "Saturday"};
    private static final String[] SHORT_DAYS = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

    /** SQL Server's FORMAT words, in mongoimport's order (the first that matches at a place wins). */
    private static final String[] MS = {"dddd", "Monday", "ddd", "Mon", "dd", "02", "d", "2", "MMMM", "January",
        "MMM", "Jan", "MM", "01", "M", "1", "hh", "03", "h", "3", "HH", "15", "H", "15", "mm", "04", "m", "4", "ss", "05",
        "s", "5", "tt", "PM", "yyyy", "2006", "yyy", "2006", "yy", "06", "zzz", "-07:00", "zz", "-07"};
    /** Oracle's TO_DATE words, in mongoimport's order; the layout is upper-cased first. */
    private static final String[] ORACLE = {"AM", "PM", "DAY", "Monday", "DY", "Mon", "DD", "02", "HH12", "03", "HH24",
        "15", "HH", "03", "MI", "04", "MONTH", "January", "MON", "Jan", "MM", "01", "SS", "05", "TZD", "MST", "TZH:TZM",
        "-07:00", "TZH", "-07", "YYYY", "2006", "YY", "06"};

    private enum Std {
        LONG_MONTH, MONTH, NUM_MONTH, ZERO_MONTH, LONG_WEEKDAY, WEEKDAY, DAY, UNDER_DAY, ZERO_DAY, UNDER_YEAR_DAY,
        ZERO_YEAR_DAY, HOUR, HOUR12, ZERO_HOUR12, MINUTE, ZERO_MINUTE, SECOND, ZERO_SECOND, LONG_YEAR, YEAR, PM_UPPER,
        PM_LOWER, TZ, ISO_TZ, NUM_TZ, FRAC0, FRAC9
    }

    /** One piece of the layout: literal text before a standard element (either may be empty at the end). */
    private record Chunk(String literal, Std std, String text) {
    }

    private final String layout;
    private final List<Chunk> chunks;

    private GoTimeLayout(String layout) {
        this.layout = layout;
        this.chunks = tokenize(layout);
    }

    static GoTimeLayout go(String layout) {
        return new GoTimeLayout(layout);
    }

    static GoTimeLayout fromMs(String layout) {
        return new GoTimeLayout(replace(layout, MS));
    }

    static GoTimeLayout fromOracle(String layout) {
        return new GoTimeLayout(replace(layout.toUpperCase(Locale.ROOT), ORACLE));
    }

    /** Go's {@code strings.NewReplacer}: at each place the first pair whose old text is there, else the character. */
    private static String replace(String text, String[] pairs) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        outer:
        while (i < text.length()) {
            for (int p = 0; p < pairs.length; p += 2) {
                if (text.startsWith(pairs[p], i)) {
                    out.append(pairs[p + 1]);
                    i += pairs[p].length();
                    continue outer;
                }
            }
            out.append(text.charAt(i++));
        }
        return out.toString();
    }

    String layout() {
        return layout;
    }

    // ---- the layout's elements, as Go's nextStdChunk finds them ----

    private static List<Chunk> tokenize(String layout) {
        List<Chunk> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < layout.length()) {
            int[] found = element(layout, i);
            if (found == null) {
                i++;
                continue;
            }
            int length = found[1];
            out.add(new Chunk(layout.substring(start, i), Std.values()[found[0]], layout.substring(i, i + length)));
            i += length;
            start = i;
        }
        out.add(new Chunk(layout.substring(start), null, ""));
        return out;
    }

    /** @return {ordinal of Std, length} of the element at {@code i}, or null for a literal character */
    private static int[] element(String l, int i) {
        char c = l.charAt(i);
        switch (c) {
            case 'J':
                if (l.startsWith("January", i)) {
                    return of(Std.LONG_MONTH, 7);
                }
                return l.startsWith("Jan", i) ? of(Std.MONTH, 3) : null;
            case 'M':
                if (l.startsWith("Monday", i)) {
                    return of(Std.LONG_WEEKDAY, 6);
                }
                if (l.startsWith("Mon", i)) {
                    return of(Std.WEEKDAY, 3);
                }
                return l.startsWith("MST", i) ? of(Std.TZ, 3) : null;
            case '0':
                if (i + 1 < l.length() && l.charAt(i + 1) >= '1' && l.charAt(i + 1) <= '6') {
                    Std[] zero = {Std.ZERO_MONTH, Std.ZERO_DAY, Std.ZERO_HOUR12, Std.ZERO_MINUTE, Std.ZERO_SECOND, Std.YEAR};
                    return of(zero[l.charAt(i + 1) - '1'], 2);
                }
                return l.startsWith("002", i) ? of(Std.ZERO_YEAR_DAY, 3) : null;
            case '1':
                return l.startsWith("15", i) ? of(Std.HOUR, 2) : of(Std.NUM_MONTH, 1);
            case '2':
                return l.startsWith("2006", i) ? of(Std.LONG_YEAR, 4) : of(Std.DAY, 1);
            case '_':
                if (l.startsWith("_2", i)) {
                    // "_2006" is a literal _ before the year
                    return l.startsWith("_2006", i) ? null : of(Std.UNDER_DAY, 2);
                }
                return l.startsWith("__2", i) ? of(Std.UNDER_YEAR_DAY, 3) : null;
            case '3':
                return of(Std.HOUR12, 1);
            case '4':
                return of(Std.MINUTE, 1);
            case '5':
                return of(Std.SECOND, 1);
            case 'P':
                return l.startsWith("PM", i) ? of(Std.PM_UPPER, 2) : null;
            case 'p':
                return l.startsWith("pm", i) ? of(Std.PM_LOWER, 2) : null;
            case '-':
            case 'Z':
                for (String tz : new String[] {"070000", "07:00:00", "0700", "07:00", "07"}) {
                    if (l.startsWith(tz, i + 1)) {
                        return of(c == 'Z' ? Std.ISO_TZ : Std.NUM_TZ, 1 + tz.length());
                    }
                }
                return null;
            case '.':
            case ',':
                if (i + 1 < l.length() && (l.charAt(i + 1) == '0' || l.charAt(i + 1) == '9')) {
                    char digit = l.charAt(i + 1);
                    int j = i + 1;
                    while (j < l.length() && l.charAt(j) == digit) {
                        j++;
                    }
                    if (j >= l.length() || !Character.isDigit(l.charAt(j))) {
                        return of(digit == '0' ? Std.FRAC0 : Std.FRAC9, j - i);
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static int[] of(Std std, int length) {
        return new int[] {std.ordinal(), length};
    }

    // ---- parsing, as Go's time.Parse ----

    /** @throws IllegalArgumentException saying where the text departs from the layout */
    Instant parse(String value) {
        Parse p = new Parse(value);
        for (int c = 0; c < chunks.size(); c++) {
            Chunk chunk = chunks.get(c);
            p.literal(chunk.literal);
            if (chunk.std != null) {
                Std next = c + 1 < chunks.size() ? chunks.get(c + 1).std : null;
                boolean nextIsFraction = chunks.get(c + 1).literal.isEmpty() && (next == Std.FRAC0 || next == Std.FRAC9);
                p.element(chunk, nextIsFraction);
            }
        }
        if (p.at < value.length()) {
            throw p.bad("extra text \"" + value.substring(p.at) + "\"");
        }
        return p.instant();
    }

    private final class Parse {
        private final String value;
        private int at;
        private int year;
        private int month = -1;
        private int day = -1;
        private int yearDay = -1;
        private int hour;
        private int minute;
        private int second;
        private int nanos;
        private boolean pm;
        private boolean am;
        private Integer offsetSeconds; // null: UTC

        Parse(String value) {
            this.value = value;
        }

        IllegalArgumentException bad(String what) {
            return new IllegalArgumentException("not a date in the layout \"" + layout + "\": " + what);
        }

        private boolean digitAt(int i) {
            return i < value.length() && value.charAt(i) >= '0' && value.charAt(i) <= '9';
        }

        /** Go's skip: text as is, a run of spaces in the layout matching a run (perhaps none at the end) in the value. */
        void literal(String text) {
            int i = 0;
            while (i < text.length()) {
                if (text.charAt(i) == ' ') {
                    if (at < value.length() && value.charAt(at) != ' ') {
                        throw bad("expected \" \" at \"" + value.substring(at) + "\"");
                    }
                    while (i < text.length() && text.charAt(i) == ' ') {
                        i++;
                    }
                    while (at < value.length() && value.charAt(at) == ' ') {
                        at++;
                    }
                    continue;
                }
                if (at >= value.length() || value.charAt(at) != text.charAt(i)) {
                    throw bad("expected \"" + text.substring(i) + "\" at \"" + value.substring(at) + "\"");
                }
                i++;
                at++;
            }
        }

        /** Go's getnum: one or two digits; exactly two when {@code fixed}. */
        private int number(boolean fixed, String what) {
            if (!digitAt(at)) {
                throw bad("expected the " + what + " at \"" + value.substring(at) + "\"");
            }
            if (!digitAt(at + 1)) {
                if (fixed) {
                    throw bad("expected two digits for the " + what + " at \"" + value.substring(at) + "\"");
                }
                return value.charAt(at++) - '0';
            }
            int n = (value.charAt(at) - '0') * 10 + value.charAt(at + 1) - '0';
            at += 2;
            return n;
        }

        private int digits(int count, String what) {
            if (at + count > value.length()) {
                throw bad("expected " + count + " digits for the " + what + " at \"" + value.substring(at) + "\"");
            }
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (!digitAt(at + i)) {
                    throw bad("expected " + count + " digits for the " + what + " at \"" + value.substring(at) + "\"");
                }
                n = n * 10 + value.charAt(at + i) - '0';
            }
            at += count;
            return n;
        }

        private int lookup(String[] names, String what) {
            for (int i = 0; i < names.length; i++) {
                if (value.regionMatches(true, at, names[i], 0, names[i].length())) {
                    at += names[i].length();
                    return i;
                }
            }
            throw bad("expected a " + what + " at \"" + value.substring(at) + "\"");
        }

        private void range(int n, int min, int max, String what) {
            if (n < min || n > max) {
                throw bad(what + " " + n + " out of range");
            }
        }

        void element(Chunk chunk, boolean nextIsFraction) {
            switch (chunk.std) {
                case YEAR -> {
                    int y = digits(2, "year");
                    year = y >= 69 ? 1900 + y : 2000 + y;
                }
                case LONG_YEAR -> year = digits(4, "year");
                case LONG_MONTH -> month = lookup(LONG_MONTHS, "month name") + 1;
                case MONTH -> month = lookup(SHORT_MONTHS, "month name") + 1;
                case NUM_MONTH, ZERO_MONTH -> {
                    month = number(chunk.std == Std.ZERO_MONTH, "month");
                    range(month, 1, 12, "month");
                }
                case LONG_WEEKDAY -> lookup(LONG_DAYS, "weekday");
                case WEEKDAY -> lookup(SHORT_DAYS, "weekday");
                case DAY, UNDER_DAY, ZERO_DAY -> {
                    if (chunk.std == Std.UNDER_DAY && at < value.length() && value.charAt(at) == ' ') {
                        at++;
                    }
                    day = number(chunk.std == Std.ZERO_DAY, "day");
                }
                case UNDER_YEAR_DAY, ZERO_YEAR_DAY -> {
                    if (chunk.std == Std.UNDER_YEAR_DAY) {
                        for (int i = 0; i < 2 && at < value.length() && value.charAt(at) == ' '; i++) {
                            at++;
                        }
                        int n = 0;
                        int read = 0;
                        while (read < 3 && digitAt(at)) {
                            n = n * 10 + value.charAt(at++) - '0';
                            read++;
                        }
                        if (read == 0) {
                            throw bad("expected the day of the year at \"" + value.substring(at) + "\"");
                        }
                        yearDay = n;
                    } else {
                        yearDay = digits(3, "day of the year");
                    }
                    range(yearDay, 1, 366, "day of the year");
                }
                case HOUR -> {
                    hour = number(false, "hour");
                    range(hour, 0, 23, "hour");
                }
                case HOUR12, ZERO_HOUR12 -> {
                    hour = number(chunk.std == Std.ZERO_HOUR12, "hour");
                    range(hour, 0, 12, "hour");
                }
                case MINUTE, ZERO_MINUTE -> {
                    minute = number(chunk.std == Std.ZERO_MINUTE, "minute");
                    range(minute, 0, 59, "minute");
                }
                case SECOND, ZERO_SECOND -> {
                    second = number(chunk.std == Std.ZERO_SECOND, "second");
                    range(second, 0, 59, "second");
                    // a fraction may follow the seconds even where the layout has none
                    if (!nextIsFraction && at + 1 < value.length() && (value.charAt(at) == '.' || value.charAt(at) == ',')
                            && digitAt(at + 1)) {
                        int n = 1;
                        while (digitAt(at + n)) {
                            n++;
                        }
                        nanos = fraction(n);
                    }
                }
                case PM_UPPER, PM_LOWER -> {
                    String upper = chunk.std == Std.PM_UPPER ? "PM" : "pm";
                    String lower = chunk.std == Std.PM_UPPER ? "AM" : "am";
                    if (value.startsWith(upper, at)) {
                        pm = true;
                    } else if (value.startsWith(lower, at)) {
                        am = true;
                    } else {
                        throw bad("expected " + lower + " or " + upper + " at \"" + value.substring(at) + "\"");
                    }
                    at += 2;
                }
                case ISO_TZ, NUM_TZ -> {
                    if (chunk.std == Std.ISO_TZ && at < value.length() && value.charAt(at) == 'Z') {
                        at++;
                        offsetSeconds = 0;
                        return;
                    }
                    offset(chunk.text.substring(1));
                }
                case TZ -> zone();
                case FRAC0 -> {
                    int n = chunk.text.length();
                    if (at + n > value.length() || (value.charAt(at) != '.' && value.charAt(at) != ',')) {
                        throw bad("expected a fraction of " + (n - 1) + " digits at \"" + value.substring(at) + "\"");
                    }
                    nanos = fraction(n);
                }
                case FRAC9 -> {
                    if (at + 1 < value.length() && (value.charAt(at) == '.' || value.charAt(at) == ',') && digitAt(at + 1)) {
                        int n = 1;
                        while (digitAt(at + n)) { // as Go: every digit is read, the tenth on dropped
                            n++;
                        }
                        nanos = fraction(n);
                    }
                }
                default -> throw new IllegalStateException("unknown element " + chunk.std);
            }
        }

        /** {@code n} characters: the separator and up to 9 significant digits (more are read and dropped). */
        private int fraction(int n) {
            int result = 0;
            for (int i = 1; i < n; i++) {
                if (!digitAt(at + i)) {
                    throw bad("expected digits in the fraction at \"" + value.substring(at) + "\"");
                }
                if (i <= 9) {
                    result = result * 10 + value.charAt(at + i) - '0';
                }
            }
            for (int i = n; i <= 9; i++) {
                result *= 10;
            }
            at += n;
            return result;
        }

        /** A numeric offset in the element's form: {@code 07}, {@code 0700}, {@code 07:00}, with seconds. */
        private void offset(String form) {
            if (at >= value.length() || (value.charAt(at) != '+' && value.charAt(at) != '-')) {
                throw bad("expected an offset like +01:00 at \"" + value.substring(at) + "\"");
            }
            int sign = value.charAt(at++) == '-' ? -1 : 1;
            int h = digits(2, "offset");
            int m = 0;
            int s = 0;
            if (form.length() > 2) {
                if (form.charAt(2) == ':') {
                    literal(":");
                }
                m = digits(2, "offset");
                if (form.length() > 5) {
                    if (form.charAt(5) == ':') {
                        literal(":");
                    }
                    s = digits(2, "offset");
                }
            }
            range(h, 0, 24, "offset hour");
            range(m, 0, 60, "offset minute");
            range(s, 0, 60, "offset second");
            offsetSeconds = sign * (h * 3600 + m * 60 + s);
        }

        /** Go's parseTimeZone: an abbreviation counts as UTC (unknown to a UTC host), GMT+h as that offset. */
        private void zone() {
            if (value.startsWith("UTC", at)) {
                at += 3;
                offsetSeconds = 0;
                return;
            }
            if (value.startsWith("ChST", at) || value.startsWith("MeST", at)) {
                at += 4;
                return;
            }
            if (value.startsWith("GMT", at)) {
                at += 3;
                if (at < value.length() && (value.charAt(at) == '+' || value.charAt(at) == '-')) {
                    int sign = value.charAt(at) == '-' ? -1 : 1;
                    int i = at + 1;
                    int h = 0;
                    while (digitAt(i) && i - at <= 2) {
                        h = h * 10 + value.charAt(i++) - '0';
                    }
                    if (i > at + 1 && h <= 23) {
                        at = i;
                        offsetSeconds = sign * h * 3600;
                    }
                }
                return;
            }
            int upper = 0;
            while (upper < 6 && at + upper < value.length() && value.charAt(at + upper) >= 'A'
                    && value.charAt(at + upper) <= 'Z') {
                upper++;
            }
            boolean ok = upper == 3 || (upper == 4 && (value.charAt(at + 3) == 'T' || value.startsWith("WITA", at)))
                    || (upper == 5 && value.charAt(at + 4) == 'T');
            if (!ok) {
                throw bad("expected a time zone like MST at \"" + value.substring(at) + "\"");
            }
            at += upper;
        }

        Instant instant() {
            if (pm && hour < 12) {
                hour += 12;
            } else if (am && hour == 12) {
                hour = 0;
            }
            try {
                LocalDate date;
                if (yearDay >= 0) {
                    date = LocalDate.ofYearDay(year, yearDay);
                    if ((month >= 0 && month != date.getMonthValue()) || (day >= 0 && day != date.getDayOfMonth())) {
                        throw bad("day of the year " + yearDay + " does not match the month and day");
                    }
                } else {
                    int m = month < 0 ? 1 : month;
                    int d = day < 0 ? 1 : day;
                    if (d < 1 || d > java.time.YearMonth.of(year, m).lengthOfMonth()) {
                        throw bad("day " + d + " out of range for " + java.time.YearMonth.of(year, m));
                    }
                    date = LocalDate.of(year, m, d);
                }
                LocalDateTime local = date.atTime(hour, minute, second, nanos);
                return local.toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds == null ? 0 : offsetSeconds));
            } catch (DateTimeException e) {
                throw bad(e.getMessage());
            }
        }
    }
}
