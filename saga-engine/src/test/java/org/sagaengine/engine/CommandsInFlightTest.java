package org.sagaengine.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandsInFlightTest {

    private final CommandsInFlight inFlight = new CommandsInFlight();

    @Test
    void aCommandOnItsWayIsNotStartedTwiceAndCanBeSentAgainOnceAnswered() {
        assertThat(inFlight.start("order", "o1", "RESERVING_STOCK", "tea", "ReserveStock")).isTrue();
        assertThat(inFlight.start("order", "o1", "RESERVING_STOCK", "tea", "ReserveStock")).isFalse();
        assertThat(inFlight.start("order", "o1", "RESERVING_STOCK", "cake", "ReserveStock")).isTrue();
        assertThat(inFlight.start("order", "o2", "RESERVING_STOCK", "tea", "ReserveStock")).isTrue();
        inFlight.end("order", "o1", "RESERVING_STOCK", "tea", "ReserveStock");
        assertThat(inFlight.start("order", "o1", "RESERVING_STOCK", "tea", "ReserveStock")).isTrue();
    }

    @Test
    void aStepIsStillSendingWhileAnyOfItsCommandsIsOnItsWay() {
        inFlight.start("order", "o1", "RESERVING_STOCK", "tea", "ReserveStock");
        inFlight.start("order", "o1", "RESERVING_STOCK", "cake", "ReserveStock");
        assertThat(inFlight.any("order", "o1", "RESERVING_STOCK")).isTrue();
        assertThat(inFlight.any("order", "o1", "CHARGING_PAYMENT")).isFalse();
        assertThat(inFlight.any("order", "o10", "RESERVING_STOCK")).as("another saga whose key starts alike")
                                                                  .isFalse();
        inFlight.end("order", "o1", "RESERVING_STOCK", "tea", "ReserveStock");
        assertThat(inFlight.any("order", "o1", "RESERVING_STOCK")).isTrue();
        inFlight.end("order", "o1", "RESERVING_STOCK", "cake", "ReserveStock");
        assertThat(inFlight.any("order", "o1", "RESERVING_STOCK")).isFalse();
    }

    @Test
    void untrackedDeliveryNeverHoldsAnythingBack() {
        CommandsInFlight untracked = CommandsInFlight.UNTRACKED;
        assertThat(untracked.start("order", "o1", "RESERVING_STOCK", "tea", "ReserveStock")).isTrue();
        assertThat(untracked.start("order", "o1", "RESERVING_STOCK", "tea", "ReserveStock")).isTrue();
        assertThat(untracked.any("order", "o1", "RESERVING_STOCK")).isFalse();
    }
}
