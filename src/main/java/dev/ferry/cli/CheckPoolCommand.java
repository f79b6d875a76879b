package dev.ferry.cli;

import dev.ferry.concurrent.Executors2;
import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.FerrySettings;
import dev.ferry.daemon.StateDir;
import dev.ferry.embedded.EmbeddedStores;
import dev.ferry.pool.ClientFactory;
import dev.ferry.pool.PoolManager;
import dev.ferry.pool.PoolSelfCheck;
import dev.ferry.pool.PoolMaintenance;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * {@code ferry check-pool NAME}: runs {@link PoolSelfCheck} on a pool manager of its own. An embedded
 * connection of a running daemon is reached through the daemon's store (one process owns its files).
 */
final class CheckPoolCommand {
    private static final Duration STRESS = Duration.ofSeconds(3);

    private final FerrySettings settings;
    private final PrintStream out;

    CheckPoolCommand(FerrySettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    ExitCode execute(String name) {
        ConnectionSettings connection = settings.connection(name).orElseThrow();
        ScheduledThreadPoolExecutor scheduler = Executors2.scheduler("ferry-check-pool-scheduler", 1);
        try (EmbeddedStores stores = new EmbeddedStores()) {
            PoolMaintenance timing = new PoolMaintenance(Duration.ofHours(1), settings.healthFailuresBeforeReconnect(),
                    settings.poolIdleTimeout(), Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofSeconds(5));
            PoolManager manager = new PoolManager(List.of(connection), timing, ClientFactory.standard(),
                    c -> c.embedded() ? new StateDir(settings.stateDir()).embeddedUri(c.name()).orElseGet(() -> stores.uriFor(c))
                            : c.uri(),
                    scheduler, Clock.systemUTC());
            manager.start();
            out.println("check-pool " + name + ": " + manager.pool(name).target());
            List<PoolSelfCheck.Check> checks = new PoolSelfCheck(manager, name, STRESS).run();
            int passed = 0;
            for (PoolSelfCheck.Check c : checks) {
                out.printf("  %s  %-17s %s%n", c.passed() ? "PASS" : "FAIL", c.name(), c.figures());
                passed += c.passed() ? 1 : 0;
            }
            boolean ok = passed == checks.size();
            out.println(ok ? "result: all " + passed + " checks passed"
                    : "result: " + (checks.size() - passed) + " of " + checks.size() + " checks FAILED");
            return ok ? ExitCode.OK : ExitCode.FAILURE;
        } finally {
            Executors2.shutdown("ferry-check-pool-scheduler", scheduler, Duration.ofSeconds(5));
        }
    }
}
