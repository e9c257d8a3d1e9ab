package org.sagaengine.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load at a fixed arrival rate. Request {@code i} is due at {@code start + i / rate}, whatever happened to
 * the requests before it, and its latency counts from that moment, not from when it was sent. A system that stalls
 * therefore shows every request that should have arrived during the stall as slow: coordinated omission is accounted
 * for.
 */
public final class OpenLoop {

    /** Latencies in microseconds, from each request's due time to its completion. */
    public record Result(Histogram latencies, long sent, long completed, long failed, Duration elapsed) {

        public double completedPerSecond() {
            return completed / (elapsed.toNanos() / 1e9);
        }

        /** The latency at a percentile (0-100), in milliseconds. */
        public double millisAt(double percentile) {
            return latencies.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /** Hears of each request as it is sent and as it ends, for a timeline; times are {@link System#nanoTime()}. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void sent(long nanos) {
        }

        /** A request ended: with its outcome, or with the failure the client saw. */
        default void ended(long nanos, Object outcome, Throwable failure) {
        }
    }

    private OpenLoop() {
    }

    public static Result run(double perSecond, Duration duration, Duration drain,
                             LongFunction<CompletionStage<?>> request) {
        return run(perSecond, duration, drain, request, Listener.NONE);
    }

    /**
     * Sends requests at {@code perSecond} for {@code duration}, then waits up to {@code drain} for the last ones.
     *
     * @param request starts request {@code i} and completes when it has its final outcome; it must not block
     */
    public static Result run(double perSecond, Duration duration, Duration drain,
                             LongFunction<CompletionStage<?>> request, Listener listener) {
        Histogram latencies = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long intervalNanos = (long) (1e9 / perSecond);
        long count = (long) (duration.toNanos() / (double) intervalNanos);
        long start = System.nanoTime();
        CompletableFuture<?>[] all = new CompletableFuture<?>[(int) count];
        for (long i = 0; i < count; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            listener.sent(System.nanoTime());
            CompletionStage<?> stage;
            try {
                stage = request.apply(i);
            } catch (RuntimeException refused) {
                stage = CompletableFuture.failedFuture(refused);
            }
            all[(int) i] = stage.toCompletableFuture().whenComplete((result, failure) -> {
                long now = System.nanoTime();
                latencies.recordValue(Math.max(0, (now - due) / 1000));
                (failure == null ? completed : failed).incrementAndGet();
                listener.ended(now, result, failure);
            });
        }
        try {
            CompletableFuture.allOf(all).get(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception notAllInTime) {
            // What has not completed by then counts as neither completed nor failed.
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new Result(latencies.copy(), count, completed.get(), failed.get(), elapsed);
    }
}
