package dev.ferry.cli;

import dev.ferry.config.ConfigException;
import dev.ferry.config.ConfigLoader;
import dev.ferry.config.FerrySettings;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Predicate;

/**
 * {@code ferry COMMAND ...}: parse, load the configuration, run the command, exit with an
 * {@link ExitCode}. The streams, environment and exit are injected so that tests run commands
 * (the daemon included) inside the test JVM.
 */
public final class Main {
    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final IntConsumer exit;

    public Main(PrintStream out, PrintStream err, Map<String, String> env, IntConsumer exit) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.exit = exit;
    }

    public static void main(String[] args) {
        if (args.length == 0 || !args[0].equals("run")) {
            // one-shot commands print their own report; the pool's INFO lines would only bury it
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        new Main(System.out, System.err, System.getenv(), System::exit).runAndExit(args);
    }

    public void runAndExit(String[] args) {
        exit.accept(run(args).code());
    }

    public ExitCode run(String[] argv) {
        Args args;
        try {
            args = Args.parse(argv, env);
            if (args.command().equals("help")) {
                out.println(Args.USAGE);
                return ExitCode.OK;
            }
            checkOperands(args);
        } catch (UsageException e) {
            err.println("ferry: " + e.getMessage());
            err.println(Args.USAGE);
            return ExitCode.USAGE;
        }
        FerrySettings settings;
        ConfigLoader loader = new ConfigLoader(env::get);
        try {
            settings = loader.load(args.confDir(), connectionsOpenedBy(args));
        } catch (ConfigException e) {
            boolean reload = args.command().equals("ctl") && args.operands().get(0).equals("reload");
            try {
                // the daemon re-reads the file itself and reports what is wrong: journal, notification, exit 2
                settings = reload ? loader.loadDaemonLocation(args.confDir()) : null;
            } catch (ConfigException where) {
                settings = null;
            }
            if (settings == null) {
                err.println("ferry: " + e.getMessage());
                return ExitCode.USAGE;
            }
        }
        Commands commands = new Commands(settings, out, err, env);
        return switch (args.command()) {
            case "run" -> commands.run();
            case "submit" -> commands.submit(args.operands());
            case "validate" -> commands.validate(args.operands());
            case "status" -> args.watchSeconds() > 0 ? commands.watchStatus(args.json(), args.watchSeconds())
                    : commands.status(args.json());
            case "check-pool" -> commands.checkPool(args.operands().get(0));
            case "ctl" -> commands.ctl(args.operands(), args.json());
            default -> throw new IllegalStateException("unchecked command " + args.command());
        };
    }

    /**
     * Whose uri placeholders the command resolves: the daemon opens every connection, {@code check-pool}
     * the one it tests; the other commands open none and so must not need the secrets that systemd's
     * {@code LoadCredential=} gives the service alone (docs/operations.md, "Secrets").
     */
    private static Predicate<String> connectionsOpenedBy(Args args) {
        return switch (args.command()) {
            case "run" -> name -> true;
            case "check-pool" -> name -> name.equals(args.operands().get(0));
            default -> name -> false;
        };
    }

    private static void checkOperands(Args args) throws UsageException {
        switch (args.command()) {
            case "run", "status" -> args.expectOperands(0, 0, "no arguments");
            case "submit", "validate" -> args.expectOperands(1, Integer.MAX_VALUE, "one or more job files");
            case "check-pool" -> args.expectOperands(1, 1, "one connection name");
            case "ctl" -> CtlCommand.checkOperands(args);
            default -> throw new UsageException("unknown command '" + args.command() + "'");
        }
    }
}
