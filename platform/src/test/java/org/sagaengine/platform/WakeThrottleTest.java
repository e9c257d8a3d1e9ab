package org.sagaengine.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A burst of wakes goes at once; a steady stream beyond it is spaced one interval apart. */
class WakeThrottleTest {

    private static final long MS = 1_000_000;

    @Test
    void aBurstOfWakesGoesAtOnce() {
        WakeThrottle throttle = new WakeThrottle(Duration.ofMillis(5), 10);
        long now = 1_000 * MS;
        for (int wake = 0; wake < 10; wake++) {
            assertThat(throttle.delayNanos(now + wake * MS)).as("wake %d of the burst", wake + 1).isZero();
        }
    }

    @Test
    void wakesBeyondTheBurstAreSpacedOneIntervalApart() {
        WakeThrottle throttle = new WakeThrottle(Duration.ofMillis(5), 3);
        long now = 0;
        for (int wake = 0; wake < 3; wake++) {
            assertThat(throttle.delayNanos(now)).isZero();
        }
        // The allowance comes back at one wake per interval: the fourth waits for it, and each after it as long again.
        long fourth = throttle.delayNanos(now);
        assertThat(fourth).isEqualTo(5 * MS);
        long fifth = throttle.delayNanos(now + fourth);
        assertThat(fifth).isEqualTo(5 * MS);
    }

    @Test
    void aQuietSpellGivesTheWholeBurstBack() {
        WakeThrottle throttle = new WakeThrottle(Duration.ofMillis(5), 2);
        assertThat(throttle.delayNanos(0)).isZero();
        assertThat(throttle.delayNanos(0)).isZero();
        assertThat(throttle.delayNanos(0)).as("the burst is spent").isPositive();

        long later = 1_000 * MS;
        assertThat(throttle.delayNanos(later)).isZero();
        assertThat(throttle.delayNanos(later)).isZero();
        assertThat(throttle.delayNanos(later)).as("the burst is spent again").isPositive();
    }

    @Test
    void aSteadyStreamFasterThanTheIntervalWakesOncePerInterval() {
        WakeThrottle throttle = new WakeThrottle(Duration.ofMillis(20), 10);
        // An append every millisecond for two seconds: the listener waits where told, and what comes meanwhile is
        // read with the wake it waited for.
        long now = 0;
        long end = 2_000 * MS;
        int wakes = 0;
        while (now < end) {
            now += throttle.delayNanos(now);
            wakes++;
            now += MS;
        }
        // 10 at once, then one every 20 ms for the rest of the two seconds.
        assertThat(wakes).isBetween(100, 111);
    }

    @Test
    void aBurstOfOneSpacesEveryWake() {
        WakeThrottle throttle = new WakeThrottle(Duration.ofMillis(20), 1);
        assertThat(throttle.delayNanos(0)).isZero();
        assertThat(throttle.delayNanos(3 * MS)).isEqualTo(17 * MS);
        assertThat(throttle.delayNanos(45 * MS)).as("after more than an interval").isZero();
    }

    @Test
    void noIntervalNeverHoldsAWakeBack() {
        WakeThrottle throttle = new WakeThrottle(Duration.ZERO, 1);
        for (int wake = 0; wake < 100; wake++) {
            assertThat(throttle.delayNanos(0)).isZero();
        }
    }

    @Test
    void refusesSettingsThatMakeNoSense() {
        assertThatThrownBy(() -> new WakeThrottle(Duration.ofMillis(-1), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> new WakeThrottle(Duration.ofMillis(5), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
