package org.sagaengine.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class SagaAdmissionTest {

    private static final long SECOND = 1_000_000_000L;

    private final MovableStream stream = new MovableStream();
    private long running;

    @Test
    void aProcessorThatHasReadEverythingIsNotBehind() {
        SagaAdmission.Backlog backlog = new SagaAdmission.Backlog(stream);
        stream.at(10, 10);
        assertThat(backlog.lag(0)).isZero();
        stream.at(50, 50);
        assertThat(backlog.lag(5 * SECOND)).isZero();
    }

    @Test
    void theLagIsHowLongAgoTheStreamEndedWhereTheProcessorReadsNow() {
        SagaAdmission.Backlog backlog = new SagaAdmission.Backlog(stream);
        stream.at(10, 10);
        backlog.lag(0);
        stream.at(20, 10);
        backlog.lag(SECOND);
        stream.at(30, 12);
        // The processor has read past where the stream ended at 0 s, not yet where it ended at 1 s.
        assertThat(backlog.lag(3 * SECOND)).isEqualTo(Duration.ofSeconds(3));
        stream.at(40, 20);
        assertThat(backlog.lag(4 * SECOND)).isEqualTo(Duration.ofSeconds(3));
        stream.at(40, 40);
        assertThat(backlog.lag(5 * SECOND)).isZero();
    }

    @Test
    void newSagasAreRefusedWhileTheProcessorIsBehindAndAdmittedOnceItHasCaughtUp() throws InterruptedException {
        SagaAdmission admission = admission(new SagaAdmission.Limits(true, Duration.ofMillis(10), 100L, null));
        stream.at(10, 10);
        admission.sample();
        stream.at(20, 10);
        admission.sample();
        Thread.sleep(50);
        admission.sample();
        assertThatThrownBy(() -> admission.admit("order"))
                .isInstanceOfSatisfying(SagaAdmission.Overloaded.class,
                                        refused -> assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1)))
                .hasMessageContaining("order sagas are");
        stream.at(20, 20);
        admission.sample();
        assertThatCode(() -> admission.admit("order")).doesNotThrowAnyException();
    }

    @Test
    void newSagasAreRefusedWhileTooManyRun() {
        SagaAdmission admission = admission(new SagaAdmission.Limits(true, null, 100L, null));
        stream.at(10, 10);
        running = 100;
        admission.sample();
        assertThatThrownBy(() -> admission.admit("order")).isInstanceOf(SagaAdmission.Overloaded.class)
                                                          .hasMessageContaining("100 order sagas are running");
        running = 99;
        admission.sample();
        assertThatCode(() -> admission.admit("order")).doesNotThrowAnyException();
    }

    @Test
    void disabledAdmissionAdmitsEverything() {
        SagaAdmission admission = admission(new SagaAdmission.Limits(false, Duration.ZERO, 0L, null));
        running = 1_000;
        admission.sample();
        assertThatCode(() -> admission.admit("order")).doesNotThrowAnyException();
    }

    @Test
    void aTypeNotYetSampledOrUnknownIsAdmitted() {
        SagaAdmission admission = admission(new SagaAdmission.Limits(true, Duration.ZERO, 0L, null));
        assertThatCode(() -> admission.admit("order")).doesNotThrowAnyException();
        assertThatCode(() -> admission.admit("return")).doesNotThrowAnyException();
    }

    private SagaAdmission admission(SagaAdmission.Limits limits) {
        return new SagaAdmission(limits, Map.of("order", stream), type -> OptionalLong.of(running));
    }
}
