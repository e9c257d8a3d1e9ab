package org.sagaengine.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

/** How a run's seconds count what ended: a refusal at admission is counted apart from an error. */
class TimelineTest {

    @Test
    void aRefusalAtAdmissionIsNeitherAnErrorNorAnEnd() throws Exception {
        Timeline timeline = new Timeline(1, () -> 7);
        long now = System.nanoTime();
        timeline.sent(now);
        timeline.ended(now, "CONFIRMED", null);
        timeline.ended(now, "REJECTED", null);
        timeline.ended(now, null, new SagaApproach.Refused("1"));
        timeline.ended(now, null, new CompletionException(new SagaApproach.Refused("2")));
        timeline.ended(now, null, new IllegalStateException("connection refused"));

        List<Timeline.Second> seconds = timeline.seconds();
        assertThat(seconds).singleElement().satisfies(second -> {
            assertThat(second.sent()).isEqualTo(1);
            assertThat(second.confirmed()).isEqualTo(1);
            assertThat(second.rejected()).isEqualTo(1);
            assertThat(second.refused()).as("503 with Retry-After, also when wrapped").isEqualTo(2);
            assertThat(second.failed()).as("any other failure is an error").isEqualTo(1);
            assertThat(second.ended()).isEqualTo(2);
            assertThat(second.inDoubt()).isEqualTo(7);
        });
    }
}
