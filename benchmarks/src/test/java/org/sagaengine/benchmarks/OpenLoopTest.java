package org.sagaengine.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class OpenLoopTest {

    @Test
    void percentilesOfAKnownDistributionAreWhereTheyMustBe() {
        Histogram uniform = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        for (long millis = 1; millis <= 10_000; millis++) {
            uniform.recordValue(millis * 1000);
        }
        OpenLoop.Result result = new OpenLoop.Result(uniform, 10_000, 10_000, 0, Duration.ofSeconds(10));
        assertThat(result.millisAt(50)).isCloseTo(5_000, within(5.0));
        assertThat(result.millisAt(99)).isCloseTo(9_900, within(10.0));
        assertThat(result.millisAt(99.9)).isCloseTo(9_990, within(10.0));
        assertThat(result.completedPerSecond()).isCloseTo(1_000, within(0.01));
    }

    @Test
    void aStallCountsAgainstEveryRequestThatWasDueDuringIt() {
        // The first request blocks the sender for 500 ms, as a synchronous client would be blocked: the requests due in
        // the meantime leave late. Timed from when they left they would look fast; timed from when they were due,
        // each carries the part of the stall it waited through.
        OpenLoop.Result result = OpenLoop.run(100, Duration.ofSeconds(1), Duration.ofSeconds(10), i -> {
            if (i == 0) {
                sleep(500);
            }
            return CompletableFuture.completedFuture(null);
        });
        assertThat(result.sent()).isEqualTo(100);
        assertThat(result.completed()).isEqualTo(100);
        assertThat(result.latencies().getCountBetweenValues(250_000, Long.MAX_VALUE))
                .as("the requests due in the first 250 ms waited at least 250 ms").isGreaterThanOrEqualTo(20);
        assertThat(result.millisAt(40)).as("those due after the stall were not delayed").isLessThan(250);
    }

    @Test
    void aRequestThatFailsIsCountedAsFailed() {
        OpenLoop.Result result = OpenLoop.run(200, Duration.ofMillis(100), Duration.ofSeconds(5), i -> i % 2 == 0
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new IllegalStateException("refused")));
        assertThat(result.sent()).isEqualTo(20);
        assertThat(result.completed()).isEqualTo(10);
        assertThat(result.failed()).isEqualTo(10);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
