package dev.ferry.sync;

import dev.ferry.sync.write.RetrySubject;
import java.time.Duration;

/** One job as its retry loops see it: failures go to its MXBean and the totals, waits to the run gate. */
final class JobRetries implements RetrySubject {
    private final RunningJob job;
    private final RunGate gate;
    private final SyncStatistics statistics;

    JobRetries(RunningJob job, RunGate gate, SyncStatistics statistics) {
        this.job = job;
        this.gate = gate;
        this.statistics = statistics;
    }

    @Override
    public String name() {
        return job.id();
    }

    @Override
    public boolean isStopping() {
        return gate.isStopping();
    }

    @Override
    public void failedTransiently(String message) {
        job.lastError(message);
        statistics.chunkRetries.increment();
    }

    @Override
    public boolean backOff(Duration delay) throws InterruptedException {
        job.state(JobState.RETRYING);
        return gate.sleep(delay, job);
    }
}
