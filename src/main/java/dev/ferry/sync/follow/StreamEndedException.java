package dev.ferry.sync.follow;

/** The watched collection was dropped or renamed (or its database dropped): nothing is left to follow. */
public final class StreamEndedException extends Exception {

    public StreamEndedException(String operation) {
        super(message(operation));
    }

    private static String message(String operation) {
        return switch (operation) {
            case "drop" -> "the source collection was dropped while the job followed it";
            case "rename" -> "the source collection was renamed while the job followed it";
            case "dropDatabase" -> "the source database was dropped while the job followed it";
            default -> "the source's change stream was invalidated (collection dropped or renamed)";
        } + "; the destination keeps what was applied up to that point. Submit a new job for the collection you "
                + "want to follow";
    }
}
