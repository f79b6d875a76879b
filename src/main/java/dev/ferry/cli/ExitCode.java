package dev.ferry.cli;

/** The exit codes of README, "Commands",. */
public enum ExitCode {
    OK(0),
    /** The command ran and something failed (a daemon crash, a check that did not pass). */
    FAILURE(1),
    /** The command line or the configuration is wrong; nothing was done. */
    USAGE(2);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
