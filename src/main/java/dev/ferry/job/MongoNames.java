package dev.ferry.job;

import java.nio.charset.StandardCharsets;

/**
 * MongoDB's naming rules for databases and collections, checked when the job is submitted so that a
 * bad name fails at once with the field named, not as a server error in the middle of a run.
 */
final class MongoNames {
    static final int MAX_DATABASE_BYTES = 63;
    static final int MAX_NAMESPACE_BYTES = 255;
    private static final String DATABASE_FORBIDDEN = "/\\. \"$\u0000";

    private MongoNames() {
    }

    static void database(String path, String name) throws JobRejectedException {
        for (int i = 0; i < name.length(); i++) {
            if (DATABASE_FORBIDDEN.indexOf(name.charAt(i)) >= 0) {
                throw JobRejectedException.invalid(path, "a database name must not contain / \\ . space \" $ or NUL, was "
                        + Text.quote(name));
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_DATABASE_BYTES) {
            throw JobRejectedException.invalid(path, "a database name must be at most " + MAX_DATABASE_BYTES
                    + " bytes long, was " + Text.quote(name));
        }
    }

    /**
     * @param mayBeSystem reading a {@code system.} collection is harmless; writing one is not
     */
    static void collection(String path, String database, String name, boolean mayBeSystem)
            throws JobRejectedException {
        if (name.indexOf('$') >= 0 || name.indexOf('\u0000') >= 0) {
            throw JobRejectedException.invalid(path, "a collection name must not contain $ or NUL, was "
                    + Text.quote(name));
        }
        if (!mayBeSystem && name.startsWith("system.")) {
            throw JobRejectedException.invalid(path, "must not name a system. collection, was " + Text.quote(name));
        }
        int bytes = (database + "." + name).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAMESPACE_BYTES) {
            throw JobRejectedException.invalid(path, "database.collection must be at most " + MAX_NAMESPACE_BYTES
                    + " bytes long, was " + bytes);
        }
    }
}
