package dev.ferry.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Removes passwords from connection strings and from any text that may quote one. */
public final class Redaction {
    // user:password@ inside a mongodb:// or mongodb+srv:// authority. The password runs to the LAST @
    // of the token, as the driver reads it: a rejected uri may hold an unencoded @ in its password.
    private static final Pattern USERINFO = Pattern.compile("(mongodb(?:\\+srv)?://)([^:@/\\s]*):(\\S*)@");

    private Redaction() {
    }

    /** The connection string with the password replaced by {@code ****}; the user name stays. */
    public static String uri(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = USERINFO.matcher(text);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + r.group(2) + ":****@"));
    }

    /**
     * The {@code user:password} part of a connection string as the driver reads it: from after
     * {@code //} (or the start, for a mistyped scheme) to the last {@code @}, since a password may hold an
     * unencoded {@code @}. The one place that parses it: for scrubbing, for error messages about a
     * uri the driver rejected, and for {@link #password}.
     */
    public static Optional<String> userInfo(String uri) {
        if (uri == null) {
            return Optional.empty();
        }
        int at = uri.lastIndexOf('@');
        if (at < 0) {
            return Optional.empty();
        }
        int slashes = uri.indexOf("//");
        int start = slashes < 0 || slashes > at ? 0 : slashes + 2;
        return at > start ? Optional.of(uri.substring(start, at)) : Optional.empty();
    }

    /** The password of a connection string, if it has one. */
    public static Optional<String> password(String uri) {
        return userInfo(uri).flatMap(u -> {
            int colon = u.indexOf(':');
            return colon < 0 ? Optional.empty() : Optional.of(u.substring(colon + 1));
        });
    }

    /** Redacts every connection string in free text and every literal occurrence of the given secrets. */
    public static String text(String text, Iterable<String> secrets) {
        String out = uri(text);
        if (out == null) {
            return null;
        }
        for (String secret : secrets) {
            if (secret != null && secret.length() >= 3) {
                out = out.replace(secret, "****");
            }
        }
        return out;
    }
}
