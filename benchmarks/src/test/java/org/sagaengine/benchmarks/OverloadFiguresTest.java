package org.sagaengine.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What the overload step reports from its seconds: completions over a few seconds in a row, against the maximum. */
class OverloadFiguresTest {

    @Test
    void theLowestWindowIsTheWorstRunOfSecondsWhileOrdersWereSentFromTheFifthOn() {
        // 20/s offered, so the maximum is 10/s. The first five seconds fill the pipeline and are not counted; the
        // drain after the last order was sent is not counted either, though nothing completes in it.
        long[] completed = {0, 0, 0, 0, 0, 10, 10, 0, 10, 10, 12, 12, 12, 12, 12, 0, 0, 0};
        List<Speed.Second> seconds = new ArrayList<>();
        for (int s = 0; s < completed.length; s++) {
            seconds.add(new Speed.Second(s, s < 15 ? 20 : 0, completed[s], 0));
        }
        Speed.Overload overload = new Speed.Overload(20, seconds, 0, 0, 0, 0);

        assertThat(overload.lowestCompletedShareOver(5)).as("seconds 5 to 9: 40 orders in 5 s, 8/s of 10/s")
                                                        .isCloseTo(0.8, within(1e-9));
        assertThat(overload.lowestCompletedShareOver(1)).as("second 7 completed nothing").isZero();
        assertThat(overload.lowestCompletedShareOver(10)).as("seconds 5 to 14: 100 orders in 10 s")
                                                         .isCloseTo(1.0, within(1e-9));
    }
}
