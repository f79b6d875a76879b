package dev.ferry.cli;

/** A command line that cannot be run: exit 2 with this message. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
