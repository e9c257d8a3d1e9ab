package org.sagaengine.platform.metrics;

import java.time.Duration;
import java.util.Arrays;

import io.micrometer.core.instrument.Clock;

/**
 * A sum of durations over a sliding window of time, kept in a ring of fixed-width buckets: adding is a few
 * arithmetic operations whatever the rate, and the memory is the same at one message a minute or a thousand a second.
 * The window's oldest edge moves one bucket at a time, so the sum covers between {@code window - bucket} and
 * {@code window} of history.
 */
final class SlidingSum {

    private final Clock clock;
    private final long bucketNanos;
    private final long windowNanos;
    /** Which bucket, counted in bucket widths on the monotonic clock, each slot holds the sum of. */
    private final long[] bucketOfSlot;
    private final long[] sumOfSlot;

    SlidingSum(Duration window, Duration bucket, Clock clock) {
        if (bucket.isNegative() || bucket.isZero() || window.compareTo(bucket) < 0) {
            throw new IllegalArgumentException("the window (" + window + ") must hold at least one bucket (" + bucket
                                               + "), and a bucket must be longer than zero");
        }
        this.clock = clock;
        this.bucketNanos = bucket.toNanos();
        int slots = Math.toIntExact(window.toNanos() / bucketNanos);
        this.windowNanos = slots * bucketNanos;
        this.bucketOfSlot = new long[slots];
        this.sumOfSlot = new long[slots];
        Arrays.fill(bucketOfSlot, Long.MIN_VALUE);
    }

    synchronized void add(long nanos) {
        long bucket = Math.floorDiv(clock.monotonicTime(), bucketNanos);
        int slot = (int) Math.floorMod(bucket, (long) bucketOfSlot.length);
        if (bucketOfSlot[slot] != bucket) {
            bucketOfSlot[slot] = bucket;
            sumOfSlot[slot] = 0;
        }
        sumOfSlot[slot] += nanos;
    }

    /** The sum over the window, as a fraction of the window's length: 1.0 is one thread busy all the time. */
    synchronized double fractionOfWindow() {
        long current = Math.floorDiv(clock.monotonicTime(), bucketNanos);
        long oldest = current - bucketOfSlot.length + 1;
        long total = 0;
        for (int slot = 0; slot < bucketOfSlot.length; slot++) {
            long bucket = bucketOfSlot[slot];
            if (bucket >= oldest && bucket <= current) {
                total += sumOfSlot[slot];
            }
        }
        return (double) total / windowNanos;
    }
}
