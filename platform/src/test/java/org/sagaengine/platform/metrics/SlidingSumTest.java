package org.sagaengine.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MockClock;
import org.junit.jupiter.api.Test;

/** The busy time of the last window, in one-bucket steps, as a fraction of the window. */
class SlidingSumTest {

    private static final long SECOND = 1_000_000_000L;

    private final MockClock clock = new MockClock();
    private final SlidingSum sum = new SlidingSum(Duration.ofSeconds(10), Duration.ofSeconds(1), clock);

    @Test
    void isTheSumOverTheWindowAsAFractionOfIt() {
        assertThat(sum.fractionOfWindow()).isZero();
        sum.add(2 * SECOND);
        clock.add(Duration.ofSeconds(3));
        sum.add(SECOND / 2);
        sum.add(SECOND / 2);
        assertThat(sum.fractionOfWindow()).isCloseTo(0.3, within(1e-9));
    }

    @Test
    void forgetsWhatIsOlderThanTheWindow() {
        sum.add(4 * SECOND);
        clock.add(Duration.ofSeconds(5));
        sum.add(SECOND);
        clock.add(Duration.ofSeconds(4));
        assertThat(sum.fractionOfWindow()).as("both within the last 10 s").isCloseTo(0.5, within(1e-9));
        clock.add(Duration.ofSeconds(1));
        assertThat(sum.fractionOfWindow()).as("the first one 10 s old").isCloseTo(0.1, within(1e-9));
        clock.add(Duration.ofSeconds(5));
        assertThat(sum.fractionOfWindow()).isZero();
    }

    @Test
    void aSlotUsedAgainAfterAWholeWindowStartsFromNothing() {
        sum.add(3 * SECOND);
        clock.add(Duration.ofSeconds(10));
        // The same slot of the ring, ten buckets on: the old sum must not add to the new.
        sum.add(SECOND);
        assertThat(sum.fractionOfWindow()).isCloseTo(0.1, within(1e-9));
    }

    @Test
    void worksOnAMonotonicClockBelowZero() {
        clock.add(-25 * SECOND, TimeUnit.NANOSECONDS);
        sum.add(SECOND);
        clock.add(Duration.ofSeconds(2));
        sum.add(SECOND);
        assertThat(sum.fractionOfWindow()).isCloseTo(0.2, within(1e-9));
    }

    @Test
    void refusesAWindowShorterThanABucket() {
        assertThatThrownBy(() -> new SlidingSum(Duration.ofMillis(500), Duration.ofSeconds(1), clock))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SlidingSum(Duration.ofSeconds(1), Duration.ZERO, clock))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
