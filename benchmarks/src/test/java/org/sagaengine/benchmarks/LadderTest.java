package org.sagaengine.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.Test;

/** How the ladder finds its maximum: each rate 50% above the last, and the first miss tried once more. */
class LadderTest {

    private final List<Speed.Point> points = new ArrayList<>();
    private final List<String> said = new ArrayList<>();

    @Test
    void aRateMissedOnceAndKeptUpWithTheSecondTimeLetsTheLadderGoOn() throws Exception {
        // 10, 15, 22.5 (missed, then kept up with), 33.75, 50.6 (missed), 50.6 is not tried again.
        Iterator<Boolean> keptUp = List.of(true, true, false, true, true, false).iterator();

        double max = Ladder.climb(10, 100, rate -> point(rate, keptUp.next()), points, said::add);

        assertThat(max).isEqualTo(33.75);
        assertThat(points).extracting(Speed.Point::offered).containsExactly(10.0, 15.0, 22.5, 22.5, 33.75, 50.625);
        assertThat(keptUp).as("no step after the second miss").isExhausted();
        assertThat(said).containsExactly("23/s not kept up with; trying it once more");
    }

    @Test
    void aRateMissedTwiceEndsTheLadderBelowIt() throws Exception {
        Iterator<Boolean> keptUp = List.of(true, false, false).iterator();

        double max = Ladder.climb(10, 100, rate -> point(rate, keptUp.next()), points, said::add);

        assertThat(max).isEqualTo(10);
        assertThat(points).extracting(Speed.Point::keptUp).containsExactly(true, false, false);
        assertThat(keptUp).isExhausted();
    }

    @Test
    void aLadderWhoseFirstRateIsMissedTwiceHasNoMaximum() throws Exception {
        Iterator<Boolean> keptUp = List.of(false, false).iterator();

        assertThat(Ladder.climb(10, 100, rate -> point(rate, keptUp.next()), points, said::add)).isZero();
        assertThat(points).hasSize(2);
    }

    @Test
    void theLadderStopsAtItsTop() throws Exception {
        double max = Ladder.climb(10, 30, rate -> point(rate, true), points, said::add);

        assertThat(max).isEqualTo(22.5);
        assertThat(points).extracting(Speed.Point::offered).containsExactly(10.0, 15.0, 22.5);
        assertThat(said).isEmpty();
    }

    @Test
    void thePlotDrawsTheSecondTryOfARateTriedTwice() {
        Speed.Point missed = point(22.5, false);
        Speed.Point again = point(22.5, true);
        List<Speed.Point> ladder = List.of(point(10, true), point(15, true), missed, again, point(33.75, false));

        assertThat(Ladder.lastTries(ladder)).extracting(Speed.Point::offered)
                                            .containsExactly(10.0, 15.0, 22.5, 33.75);
        assertThat(Ladder.lastTries(ladder)).contains(again).doesNotContain(missed);
    }

    private static Speed.Point point(double rate, boolean keptUp) {
        long sent = Math.round(rate * 15);
        return new Speed.Point(rate, sent, keptUp ? sent : sent - 1, 0, 0, 0, rate, 40, keptUp ? 90 : 2_500,
                               keptUp ? 120 : 3_000, keptUp ? 100 : 2_600, keptUp);
    }
}
