package org.sagaengine.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class SagaAdmissionTest {

    private static final long SECOND = 1_000_000_000L;
    /** How old the running count may be: admitted sagas that recent count as not yet started. */
    private static final Duration SAMPLED = Duration.ofSeconds(1);
    /** The fewest sagas in flight these tests' limits allow: fewer than the default, to keep the counts short. */
    private static final long LEAST = 8;

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
        SagaAdmission admission = admission(
                new SagaAdmission.Limits(true, Duration.ofMillis(10), 100L, null, null, null, LEAST));
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
        SagaAdmission admission = admission(new SagaAdmission.Limits(true, null, 100L, null, null, null, LEAST));
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
        SagaAdmission admission = admission(
                new SagaAdmission.Limits(false, Duration.ZERO, 0L, null, null, null, LEAST));
        running = 1_000;
        admission.sample();
        assertThatCode(() -> admission.admit("order")).doesNotThrowAnyException();
    }

    @Test
    void aTypeNotYetSampledOrUnknownIsAdmitted() {
        SagaAdmission admission = admission(
                new SagaAdmission.Limits(true, Duration.ZERO, 0L, null, null, null, LEAST));
        assertThatCode(() -> admission.admit("order")).doesNotThrowAnyException();
        assertThatCode(() -> admission.admit("return")).doesNotThrowAnyException();
    }

    @Test
    void withATargetLatencyAsManyMayBeInFlightAsEndWithinItAtTheRateTheyEnd() {
        SagaAdmission.Flight flight = new SagaAdmission.Flight();
        Duration target = Duration.ofSeconds(2);
        assertThat(flight.limit(0, OptionalLong.of(40), target, LEAST, 2_000)).as("no rate yet").isEqualTo(LEAST);
        assertThat(flight.limit(5 * SECOND, OptionalLong.of(90), target, LEAST, 2_000))
                .as("10 a second, for 2 s").isEqualTo(20);
        assertThat(flight.limit(10 * SECOND, OptionalLong.of(240), target, LEAST, 2_000))
                .as("20 a second").isEqualTo(40);
        assertThat(flight.limit(15 * SECOND, OptionalLong.of(240), target, LEAST, 2_000))
                .as("15 a second over 10 s").isEqualTo(30);
        assertThat(flight.limit(30 * SECOND, OptionalLong.of(240), target, LEAST, 2_000))
                .as("none ended for 10 s").isEqualTo(LEAST);
        SagaAdmission.Flight capped = new SagaAdmission.Flight();
        capped.limit(0, OptionalLong.of(0), target, LEAST, 25);
        assertThat(capped.limit(10 * SECOND, OptionalLong.of(200), target, LEAST, 25))
                .as("at most max-running").isEqualTo(25);
        assertThat(new SagaAdmission.Flight().limit(0, OptionalLong.empty(), target, LEAST, 2_000))
                .as("where the sagas that end are not counted").isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void sagasAdmittedButNotYetStartedCountAsInFlightWhileTheProcessorMayNotHaveReadThem() {
        SagaAdmission.Flight flight = new SagaAdmission.Flight();
        Duration target = Duration.ofSeconds(2);
        SagaAdmission.Load behind = new SagaAdmission.Load(Duration.ofSeconds(3), 15, 20);
        for (int i = 0; i < 5; i++) {
            flight.admit(i * SECOND / 10, behind, SAMPLED, target, "order");
        }
        assertThatThrownBy(() -> flight.admit(SECOND, behind, SAMPLED, target, "order"))
                .isInstanceOf(SagaAdmission.Overloaded.class)
                .hasMessageContaining("20 order sagas are in flight");
        // The five were admitted less than the lag and a second ago: their start may still be unread.
        assertThatThrownBy(() -> flight.admit(4 * SECOND, behind, SAMPLED, target, "order"))
                .isInstanceOf(SagaAdmission.Overloaded.class);
        // Once that is past, the running count has them, and only it counts.
        assertThatCode(() -> flight.admit(5 * SECOND, behind, SAMPLED, target, "order")).doesNotThrowAnyException();
    }

    @Test
    void aTargetLatencyRefusesThroughAdmissionOnceEnoughAreInFlight() {
        SagaAdmission admission = new SagaAdmission(
                new SagaAdmission.Limits(true, null, null, null, Duration.ofSeconds(2), Duration.ZERO, LEAST),
                Map.of("order", stream),
                type -> OptionalLong.of(running), type -> OptionalLong.of(0));
        stream.at(10, 10);
        running = LEAST - 2;
        admission.sample();
        assertThatCode(() -> admission.admit("order")).doesNotThrowAnyException();
        assertThatCode(() -> admission.admit("order")).doesNotThrowAnyException();
        assertThatThrownBy(() -> admission.admit("order")).isInstanceOf(SagaAdmission.Overloaded.class)
                                                          .hasMessageContaining("8 order sagas are in flight");

        Logger logger = (Logger) LoggerFactory.getLogger(SagaAdmission.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            admission.sample();
            assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "order sagas are at their limit of 8 in flight: 1 new ones refused since the last report");
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void atTheInFlightLimitANewSagaWaitsForRoomAndIsAdmittedOnceASagaEnds() throws Exception {
        SagaAdmission admission = targetLatency(Duration.ofSeconds(10));
        stream.at(10, 10);
        running = LEAST;
        admission.sample();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> admission.admit("order"));
        Thread.sleep(500);
        assertThat(waiting).as("waiting while as many are in flight as allowed").isNotDone();
        admission.sample();
        Thread.sleep(200);
        assertThat(waiting).as("a sample that shows no room changes nothing").isNotDone();

        running = LEAST - 1;
        admission.sample();
        assertThatCode(() -> waiting.get(5, TimeUnit.SECONDS)).as("admitted once one ended")
                                                             .doesNotThrowAnyException();
    }

    @Test
    void aNewSagaThatFindsNoRoomWithinTheQueueWaitIsRefused() {
        SagaAdmission admission = targetLatency(Duration.ofMillis(400));
        stream.at(10, 10);
        running = LEAST;
        admission.sample();
        long from = System.nanoTime();
        assertThatThrownBy(() -> admission.admit("order")).isInstanceOf(SagaAdmission.Overloaded.class)
                                                          .hasMessageContaining("8 order sagas are in flight");
        assertThat(Duration.ofNanos(System.nanoTime() - from)).as("refused after waiting")
                                                              .isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    private SagaAdmission targetLatency(Duration queueWait) {
        return new SagaAdmission(new SagaAdmission.Limits(true, null, null, null, Duration.ofSeconds(2), queueWait,
                                                          LEAST),
                                 Map.of("order", stream), type -> OptionalLong.of(running),
                                 type -> OptionalLong.of(0));
    }

    @Test
    void theLimitsBindFromTheSettingsTheDocsName() {
        Binder settings = new Binder(new MapConfigurationPropertySource(Map.of(
                "sagaengine.admission.max-running", "30", "sagaengine.admission.target-latency", "2s")));
        SagaAdmission.Limits limits = settings.bind("sagaengine.admission", SagaAdmission.Limits.class).get();
        assertThat(limits.maxRunning()).isEqualTo(30);
        assertThat(limits.targetLatency()).isEqualTo(Duration.ofSeconds(2));
        assertThat(limits.maxLag()).as("the default").isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.bind("sagaengine.admission", SagaAdmission.Limits.class).get().queueWait())
                .as("the default").isEqualTo(Duration.ofSeconds(1));
        assertThat(new Binder(new MapConfigurationPropertySource(Map.of("sagaengine.admission.queue-wait", "250ms")))
                           .bind("sagaengine.admission", SagaAdmission.Limits.class).get().queueWait())
                .isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void theInFlightLimitIsOnByDefaultAndZeroSwitchesItOff() {
        SagaAdmission.Limits defaults = new SagaAdmission.Limits(null, null, null, null, null, null, null);
        assertThat(defaults.targetLatency()).isEqualTo(Duration.ofSeconds(2));
        assertThat(defaults.minInFlight()).isEqualTo(32);
        assertThat(defaults.limitsInFlight()).isTrue();
        SagaAdmission.Limits off = new Binder(new MapConfigurationPropertySource(Map.of(
                "sagaengine.admission.target-latency", "0s", "sagaengine.admission.min-in-flight", "64")))
                .bind("sagaengine.admission", SagaAdmission.Limits.class).get();
        assertThat(off.limitsInFlight()).isFalse();
        assertThat(off.minInFlight()).isEqualTo(64);
        assertThatThrownBy(() -> new SagaAdmission.Limits(null, null, null, null, Duration.ofSeconds(-1), null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target-latency");
        assertThatThrownBy(() -> new SagaAdmission.Limits(null, null, null, null, null, null, 0L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min-in-flight");
    }

    @Test
    void withTheDefaultsAnIdleSystemTakesABurstOfTheFewestInFlightAndQueuesTheNext() throws Exception {
        SagaAdmission admission = new SagaAdmission(new SagaAdmission.Limits(null, null, null, null, null, null, null),
                                                    Map.of("order", stream), type -> OptionalLong.of(running),
                                                    type -> OptionalLong.of(0));
        stream.at(10, 10);
        admission.sample();
        for (int i = 0; i < 32; i++) {
            assertThatCode(() -> admission.admit("order")).as("the burst on an idle system")
                                                          .doesNotThrowAnyException();
        }
        running = 32;
        admission.sample();
        CompletableFuture<Void> next = CompletableFuture.runAsync(() -> admission.admit("order"));
        Thread.sleep(300);
        assertThat(next).as("the 33rd waits: all 32 run and none has ended, so the rate says nothing").isNotDone();
        assertThatThrownBy(() -> next.get(5, TimeUnit.SECONDS)).as("refused once the queue wait is over")
                .hasCauseInstanceOf(SagaAdmission.Overloaded.class)
                .hasMessageContaining("32 order sagas are in flight");
    }

    @Test
    void withTargetLatencyOffNothingButTheLagAndTheRunningCountRefuses() {
        SagaAdmission admission = new SagaAdmission(
                new SagaAdmission.Limits(null, null, null, null, Duration.ZERO, Duration.ZERO, 1L),
                Map.of("order", stream), type -> OptionalLong.of(running), type -> OptionalLong.of(0));
        stream.at(10, 10);
        running = 500;
        admission.sample();
        for (int i = 0; i < 100; i++) {
            assertThatCode(() -> admission.admit("order")).doesNotThrowAnyException();
        }
    }

    private SagaAdmission admission(SagaAdmission.Limits limits) {
        return new SagaAdmission(limits, Map.of("order", stream), type -> OptionalLong.of(running),
                                 type -> OptionalLong.empty());
    }
}
