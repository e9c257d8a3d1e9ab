package org.sagaengine.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * What happened in each second of a run: orders sent, orders that ended confirmed, orders that ended rejected, errors
 * the client saw, what was left in doubt at the end of the second, and orders refused at admission (503 with
 * Retry-After, nothing stored: not an error, but not taken either).
 */
final class Timeline implements OpenLoop.Listener {

    record Second(int second, long sent, long confirmed, long rejected, long failed, long inDoubt, long refused) {

        long ended() {
            return confirmed + rejected;
        }
    }

    private final long start = System.nanoTime();
    private final int seconds;
    private final AtomicLongArray sent;
    private final AtomicLongArray confirmed;
    private final AtomicLongArray rejected;
    private final AtomicLongArray failed;
    private final AtomicLongArray refused;
    private final AtomicLongArray inDoubt;
    private final Thread sampler;

    Timeline(int seconds, LongSupplier inDoubtNow) {
        this.seconds = seconds;
        this.sent = new AtomicLongArray(seconds);
        this.confirmed = new AtomicLongArray(seconds);
        this.rejected = new AtomicLongArray(seconds);
        this.failed = new AtomicLongArray(seconds);
        this.refused = new AtomicLongArray(seconds);
        this.inDoubt = new AtomicLongArray(seconds);
        this.sampler = new Thread(() -> {
            for (int s = 0; s < seconds; s++) {
                try {
                    Thread.sleep(Math.max(0, (start + (s + 1) * 1_000_000_000L - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException stopping) {
                    return;
                }
                inDoubt.set(s, inDoubtNow.getAsLong());
            }
        }, "in-doubt-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** The second of the run a moment falls in. */
    int secondOf(long nanos) {
        return (int) ((nanos - start) / 1_000_000_000L);
    }

    @Override
    public void sent(long nanos) {
        count(sent, nanos);
    }

    @Override
    public void ended(long nanos, Object outcome, Throwable failure) {
        count(SagaApproach.isRefusal(failure) ? refused : failure != null ? failed
              : "CONFIRMED".equals(outcome) ? confirmed : rejected, nanos);
    }

    private void count(AtomicLongArray counters, long nanos) {
        int second = secondOf(nanos);
        if (second >= 0 && second < seconds) {
            counters.incrementAndGet(second);
        }
    }

    List<Second> seconds() throws InterruptedException {
        sampler.join();
        List<Second> all = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            all.add(new Second(s, sent.get(s), confirmed.get(s), rejected.get(s), failed.get(s), inDoubt.get(s),
                               refused.get(s)));
        }
        return all;
    }
}
