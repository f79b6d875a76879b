package dev.ferry.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code ferry COMMAND [--conf DIR] [--json] ARG...}, parsed once. */
record Args(String command, Path confDir, boolean json, List<String> operands, int watchSeconds) {
    /** {@code ferry status --watch} without a number. */
    static final int DEFAULT_WATCH_SECONDS = 2;

    Args(String command, Path confDir, boolean json, List<String> operands) {
        this(command, confDir, json, operands, 0);
    }

    static final String USAGE = String.join("\n",
            "usage: ferry COMMAND [--conf DIR] ...",
            "  run [--conf DIR]                 run the daemon in the foreground",
            "  submit [--conf DIR] FILE...      validate job files, then drop them into incoming/",
            "  validate [--conf DIR] FILE...    check job files; submit nothing",
            "  status [--conf DIR] [--json]     spool counts, and pool and job figures if the daemon runs",
            "    [--watch [SECONDS]]            again every SECONDS (default 2) until Ctrl-C",
            "  check-pool [--conf DIR] NAME     the pool self-test of one connection",
            "  ctl [--conf DIR] [--json] ACTION pools | jobs | reset NAME | reset-all | pause | resume |",
            "                                   cancel ID | finish ID | retry ID | verify ID | reload",
            "  ctl [--conf DIR] [--json] events job, pool and configuration events as they come, until Ctrl-C",
            "--conf defaults to $FERRY_CONF, else ./conf");

    static Args parse(String[] argv, Map<String, String> env) throws UsageException {
        if (argv.length == 0) {
            throw new UsageException("no command given");
        }
        String command = argv[0];
        if (command.equals("-h") || command.equals("--help") || command.equals("help")) {
            return new Args("help", Path.of("conf"), false, List.of());
        }
        String conf = env.getOrDefault("FERRY_CONF", "conf");
        if (conf.isBlank()) {
            conf = "conf";
        }
        boolean json = false;
        int watch = 0;
        List<String> operands = new ArrayList<>();
        for (int i = 1; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--conf")) {
                if (i + 1 >= argv.length) {
                    throw new UsageException("--conf needs a directory");
                }
                conf = argv[++i];
            } else if (a.startsWith("--conf=")) {
                conf = a.substring("--conf=".length());
            } else if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--watch")) {
                boolean number = i + 1 < argv.length && argv[i + 1].matches("[0-9]{1,6}");
                watch = number ? watchSeconds(argv[++i]) : DEFAULT_WATCH_SECONDS;
            } else if (a.startsWith("--watch=")) {
                watch = watchSeconds(a.substring("--watch=".length()));
            } else if (a.startsWith("--")) {
                throw new UsageException("unknown option " + a);
            } else {
                operands.add(a);
            }
        }
        if (watch > 0 && !command.equals("status")) {
            throw new UsageException("--watch is an option of ferry status only");
        }
        return new Args(command, Path.of(conf), json, List.copyOf(operands), watch);
    }

    private static int watchSeconds(String value) throws UsageException {
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= 1 && seconds <= 3600) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--watch: expected a number of seconds from 1 to 3600, was '" + value + "'");
    }

    void expectOperands(int min, int max, String what) throws UsageException {
        if (operands.size() < min || operands.size() > max) {
            throw new UsageException("ferry " + command + ": expected " + what);
        }
    }
}
