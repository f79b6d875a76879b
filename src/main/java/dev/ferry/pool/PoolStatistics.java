package dev.ferry.pool;

import com.mongodb.event.ConnectionCheckOutFailedEvent;
import com.mongodb.event.ConnectionCheckOutStartedEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolListener;
import com.mongodb.event.ServerHeartbeatFailedEvent;
import com.mongodb.event.ServerMonitorListener;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection figures of one named connection, fed by the driver's events of every client generation
 * the pool has opened. The MXBean only reads them, so the figures are what the driver did, not what
 * ferry believes it asked for.
 */
final class PoolStatistics implements ConnectionPoolListener, ServerMonitorListener {
    private final LongAdder created = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final LongAdder checkOutStarted = new LongAdder();
    private final LongAdder checkedOut = new LongAdder();
    private final LongAdder checkedIn = new LongAdder();
    private final LongAdder checkOutFailed = new LongAdder();
    private final AtomicLong peakOpen = new AtomicLong();
    private final AtomicReference<String> lastHeartbeatError = new AtomicReference<>();

    @Override
    public void connectionCreated(ConnectionCreatedEvent event) {
        created.increment();
        long open = open();
        peakOpen.accumulateAndGet(open, Math::max);
    }

    @Override
    public void connectionClosed(ConnectionClosedEvent event) {
        closed.increment();
    }

    @Override
    public void connectionCheckOutStarted(ConnectionCheckOutStartedEvent event) {
        checkOutStarted.increment();
    }

    @Override
    public void connectionCheckedOut(ConnectionCheckedOutEvent event) {
        checkedOut.increment();
    }

    @Override
    public void connectionCheckOutFailed(ConnectionCheckOutFailedEvent event) {
        checkOutFailed.increment();
    }

    @Override
    public void connectionCheckedIn(ConnectionCheckedInEvent event) {
        checkedIn.increment();
    }

    @Override
    public void serverHeartbeatFailed(ServerHeartbeatFailedEvent event) {
        Throwable t = event.getThrowable();
        lastHeartbeatError.set(TlsCheck.describe(t));
    }

    long created() {
        return created.sum();
    }

    long closed() {
        return closed.sum();
    }

    long open() {
        return Math.max(0, created.sum() - closed.sum());
    }

    long inUse() {
        return Math.max(0, checkedOut.sum() - checkedIn.sum());
    }

    long idle() {
        return Math.max(0, open() - inUse());
    }

    long waitQueueSize() {
        return Math.max(0, checkOutStarted.sum() - checkedOut.sum() - checkOutFailed.sum());
    }

    long checkoutFailures() {
        return checkOutFailed.sum();
    }

    long peakOpen() {
        return peakOpen.get();
    }

    String lastHeartbeatError() {
        return lastHeartbeatError.get();
    }
}
