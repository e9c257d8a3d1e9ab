package org.sagaengine.platform;

import java.time.Duration;

/**
 * How long to hold a wake of the event store back, so that a steady stream of appends is read in batches while a
 * saga's chain of single appends is read at once: a token bucket (the generic cell rate algorithm). Up to
 * {@code burst} wakes in a row go at once; beyond that, wakes are spaced one {@code interval} apart, which is also the
 * rate at which the allowance comes back.
 * <p>
 * One order's saga appends an event at each of its steps, each a few milliseconds after the one before, and each step
 * waits for its event to be read: spacing those wakes by a fixed interval delayed every step of a lone order. A burst
 * lets such a chain through, while hundreds of appends a second still wake the store no more than once per interval.
 * Not thread-safe: the listener's one thread uses it.
 */
final class WakeThrottle {

    private final long intervalNanos;
    private final long burstNanos;
    /** When the allowance would be whole again, if no wake came before then. */
    private long theoreticalArrival;
    private boolean started;

    /**
     * @param interval how far apart wakes are, once the burst is spent; zero never holds a wake back
     * @param burst    how many wakes in a row go at once; at least one
     */
    WakeThrottle(Duration interval, int burst) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("the interval between wakes must not be negative: " + interval);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("the burst of wakes must be at least 1, not " + burst);
        }
        this.intervalNanos = interval.toNanos();
        this.burstNanos = (burst - 1) * intervalNanos;
    }

    /**
     * Takes a wake at {@code now} (a {@link System#nanoTime()} reading) and says how long to wait before it; the wake
     * counts as done at the end of that wait.
     */
    long delayNanos(long now) {
        if (!started) {
            started = true;
            theoreticalArrival = now;
        }
        long earliest = theoreticalArrival - burstNanos;
        long delay = Math.max(0, earliest - now);
        theoreticalArrival = Math.max(theoreticalArrival, now + delay) + intervalNanos;
        return delay;
    }
}
