package org.sagaengine.order.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sagaengine.order.saga.OrderSaga.COMMIT_RETRY;
import static org.sagaengine.order.saga.OrderSaga.COMPENSATION_RETRY;
import static org.sagaengine.order.saga.OrderSaga.PAYMENT_DEADLINE;
import static org.sagaengine.order.saga.OrderSaga.STOCK_RESERVATION_DEADLINE;

import java.time.Duration;
import java.util.List;

import org.axonframework.test.saga.SagaTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sagaengine.inventory.api.CommitStock;
import org.sagaengine.inventory.api.ReleaseStock;
import org.sagaengine.inventory.api.ReserveStock;
import org.sagaengine.inventory.api.StockCommitted;
import org.sagaengine.inventory.api.StockReleased;
import org.sagaengine.inventory.api.StockReservationRejected;
import org.sagaengine.inventory.api.StockReserved;
import org.sagaengine.order.api.ConfirmOrder;
import org.sagaengine.order.api.OrderCancellationRequested;
import org.sagaengine.order.api.OrderConfirmed;
import org.sagaengine.order.api.OrderLine;
import org.sagaengine.order.api.OrderPlaced;
import org.sagaengine.order.api.OrderRejected;
import org.sagaengine.order.api.RejectOrder;
import org.sagaengine.payment.api.ChargePayment;
import org.sagaengine.payment.api.PaymentCharged;
import org.sagaengine.payment.api.PaymentDeclined;
import org.sagaengine.payment.api.PaymentRefunded;
import org.sagaengine.payment.api.RefundPayment;

/** The order saga, step by step: each test is one branch of the process in docs/architecture.md. */
class OrderSagaTest {

    static final String ORDER = "order-1";
    static final String ACCOUNT = "alice";
    static final String ESPRESSO = "espresso";
    static final String GRINDER = "grinder";
    static final long TOTAL = 11_400;
    static final OrderPlaced PLACED = new OrderPlaced(
            ORDER, ACCOUNT, "EUR", List.of(new OrderLine(ESPRESSO, 2, 1_250), new OrderLine(GRINDER, 1, 8_900)), TOTAL);
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(10);

    SagaTestFixture<OrderSaga> fixture;
    RecordedProgress progress;

    @BeforeEach
    void setUp() {
        fixture = new SagaTestFixture<>(OrderSaga.class);
        progress = new RecordedProgress();
        fixture.registerResource(progress);
        fixture.registerResource(new SagaTimeouts(STEP_TIMEOUT, RETRY_INTERVAL, null));
    }

    // ---- the happy path ----

    @Test
    void aPlacedOrderReservesEveryLineAgainstADeadline() {
        fixture.givenNoPriorActivity()
               .whenPublishingA(PLACED)
               .expectActiveSagas(1)
               .expectDispatchedCommands(new ReserveStock(ESPRESSO, ORDER, 2), new ReserveStock(GRINDER, ORDER, 1))
               .expectScheduledDeadlineWithName(STEP_TIMEOUT, STOCK_RESERVATION_DEADLINE);
        assertThat(progress.current()).isEqualTo(SagaStep.RESERVING_STOCK);
    }

    @Test
    void oneReservedLineOfTwoWaitsForTheOther() {
        fixture.givenAPublished(PLACED)
               .whenPublishingA(new StockReserved(ESPRESSO, ORDER, 2))
               .expectNoDispatchedCommands();
    }

    @Test
    void everyLineReservedChargesThePaymentAgainstANewDeadline() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .whenPublishingA(new StockReserved(GRINDER, ORDER, 1))
               .expectDispatchedCommands(new ChargePayment(ACCOUNT, ORDER, TOTAL, "EUR"))
               .expectNoScheduledDeadlineWithName(STEP_TIMEOUT, STOCK_RESERVATION_DEADLINE)
               .expectScheduledDeadlineWithName(STEP_TIMEOUT, PAYMENT_DEADLINE);
        assertThat(progress.current()).isEqualTo(SagaStep.CHARGING_PAYMENT);
    }

    @Test
    void aChargedPaymentCommitsEveryLine() {
        givenEveryLineReserved()
               .whenPublishingA(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .expectDispatchedCommands(new CommitStock(ESPRESSO, ORDER), new CommitStock(GRINDER, ORDER))
               .expectNoScheduledDeadlineWithName(STEP_TIMEOUT, PAYMENT_DEADLINE)
               .expectScheduledDeadlineWithName(RETRY_INTERVAL, COMMIT_RETRY);
    }

    @Test
    void everyLineCommittedConfirmsTheOrder() {
        givenEveryLineReserved()
               .andThenAPublished(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .andThenAPublished(new StockCommitted(ESPRESSO, ORDER, 2))
               .whenPublishingA(new StockCommitted(GRINDER, ORDER, 1))
               .expectDispatchedCommands(new ConfirmOrder(ORDER));
    }

    @Test
    void aConfirmedOrderEndsTheSagaWithNoDeadlineLeft() {
        givenEveryLineReserved()
               .andThenAPublished(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .andThenAPublished(new StockCommitted(ESPRESSO, ORDER, 2))
               .andThenAPublished(new StockCommitted(GRINDER, ORDER, 1))
               .whenPublishingA(new OrderConfirmed(ORDER))
               .expectActiveSagas(0)
               .expectNoScheduledDeadlines();
        assertThat(progress.steps).containsExactly(SagaStep.RESERVING_STOCK, SagaStep.CHARGING_PAYMENT,
                                                   SagaStep.COMMITTING_STOCK, SagaStep.CONFIRMING_ORDER,
                                                   SagaStep.CONFIRMED);
    }

    // ---- compensations ----

    @Test
    void aLineOutOfStockReleasesOnlyTheLinesThatCouldBeHeld() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .whenPublishingA(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .expectDispatchedCommands(new ReleaseStock(ESPRESSO, ORDER))
               .expectNoScheduledDeadlineWithName(STEP_TIMEOUT, STOCK_RESERVATION_DEADLINE)
               .expectScheduledDeadlineWithName(RETRY_INTERVAL, COMPENSATION_RETRY);
        assertThat(progress.current()).isEqualTo(SagaStep.COMPENSATING);
    }

    @Test
    void theOrderIsRejectedOnceEveryReleaseIsAcknowledged() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .andThenAPublished(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .whenPublishingA(new StockReleased(ESPRESSO, ORDER, 2))
               .expectDispatchedCommands(new RejectOrder(ORDER, "out of stock: " + GRINDER));
    }

    @Test
    void everyLineOutOfStockRejectsAtOnce() {
        OrderPlaced oneLine = new OrderPlaced(ORDER, ACCOUNT, "EUR", List.of(new OrderLine(GRINDER, 1, 100)), 100);
        fixture.givenAPublished(oneLine)
               .whenPublishingA(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .expectDispatchedCommands(new RejectOrder(ORDER, "out of stock: " + GRINDER));
    }

    @Test
    void aDeclinedPaymentReleasesEveryLineAndRefundsNothing() {
        givenEveryLineReserved()
               .whenPublishingA(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .expectDispatchedCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void aDeclinedPaymentRejectsTheOrderOnceTheStockIsBack() {
        givenEveryLineReserved()
               .andThenAPublished(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .andThenAPublished(new StockReleased(ESPRESSO, ORDER, 2))
               .whenPublishingA(new StockReleased(GRINDER, ORDER, 1))
               .expectDispatchedCommands(new RejectOrder(ORDER, "payment declined: insufficient funds"));
    }

    @Test
    void aReleaseThatFailedKeepsTheOrderCompensatingAndIsSentAgain() {
        givenEveryLineReserved()
               .andThenAPublished(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .andThenAPublished(new StockReleased(ESPRESSO, ORDER, 2))
               .andThenAPublished(new ParticipantCommandFailed(ORDER, "ReleaseStock", GRINDER, false, false,
                                                               "JDBC commit failed"))
               .whenTimeElapses(RETRY_INTERVAL.plusSeconds(1))
               .expectTriggeredDeadlinesWithName(COMPENSATION_RETRY)
               .expectDispatchedCommands(new ReleaseStock(GRINDER, ORDER));
        assertThat(progress.current()).isEqualTo(SagaStep.COMPENSATING);
    }

    @Test
    void anUnansweredReservationTimesOutAndReleasesEveryLineAskedFor() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .whenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .expectTriggeredDeadlinesWithName(STOCK_RESERVATION_DEADLINE)
               .expectDispatchedCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void aTimedOutOrderIsRejectedWithReasonTimeout() throws Exception {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .andThenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .andThenAPublished(new StockReleased(ESPRESSO, ORDER, 2))
               .whenPublishingA(new StockReleased(GRINDER, ORDER, 0))
               .expectDispatchedCommands(new RejectOrder(ORDER, OrderSaga.REASON_TIMEOUT));
    }

    @Test
    void aReservationArrivingAfterCompensationBeganIsReleased() throws Exception {
        fixture.givenAPublished(PLACED)
               .andThenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .whenPublishingA(new StockReserved(GRINDER, ORDER, 1))
               .expectDispatchedCommands(new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void anUnansweredChargeTimesOutAndIsRefundedWithEveryLineReleased() {
        givenEveryLineReserved()
               .whenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .expectTriggeredDeadlinesWithName(PAYMENT_DEADLINE)
               .expectDispatchedCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER),
                                         new RefundPayment(ACCOUNT, ORDER));
    }

    @Test
    void aChargeArrivingAfterItsTimeoutIsCoveredByTheRefundAlreadySent() throws Exception {
        givenEveryLineReserved()
               .andThenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .andThenAPublished(new StockReleased(ESPRESSO, ORDER, 2))
               .andThenAPublished(new StockReleased(GRINDER, ORDER, 1))
               .andThenAPublished(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .whenPublishingA(new PaymentRefunded(ACCOUNT, ORDER, TOTAL))
               .expectDispatchedCommands(new RejectOrder(ORDER, OrderSaga.REASON_TIMEOUT));
    }

    @Test
    void unacknowledgedCompensationsAreSentAgain() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .andThenAPublished(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .whenTimeElapses(RETRY_INTERVAL)
               .expectTriggeredDeadlinesWithName(COMPENSATION_RETRY)
               .expectDispatchedCommands(new ReleaseStock(ESPRESSO, ORDER))
               .expectScheduledDeadlineWithName(RETRY_INTERVAL, COMPENSATION_RETRY);
    }

    @Test
    void aCancellationWhilePendingIsCompensated() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .whenPublishingA(new OrderCancellationRequested(ORDER))
               .expectDispatchedCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void aCancelledOrderIsRejectedWithReasonCancelled() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new OrderCancellationRequested(ORDER))
               .andThenAPublished(new StockReleased(ESPRESSO, ORDER, 0))
               .whenPublishingA(new StockReleased(GRINDER, ORDER, 0))
               .expectDispatchedCommands(new RejectOrder(ORDER, OrderSaga.REASON_CANCELLED));
    }

    @Test
    void aCancellationAfterThePaymentIsTooLate() {
        givenEveryLineReserved()
               .andThenAPublished(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .whenPublishingA(new OrderCancellationRequested(ORDER))
               .expectNoDispatchedCommands();
    }

    @Test
    void unacknowledgedCommitsAreSentAgainInsteadOfCompensating() {
        givenEveryLineReserved()
               .andThenAPublished(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .andThenAPublished(new StockCommitted(ESPRESSO, ORDER, 2))
               .whenTimeElapses(RETRY_INTERVAL.plusSeconds(1))
               .expectTriggeredDeadlinesWithName(COMMIT_RETRY)
               .expectDispatchedCommands(new CommitStock(GRINDER, ORDER));
    }

    @Test
    void aRefusedReservationHoldsNothingToRelease() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .whenPublishingA(new ParticipantCommandFailed(ORDER, "ReserveStock", GRINDER, true, true,
                                                                "The aggregate was not found in the event store"))
               .expectDispatchedCommands(new ReleaseStock(ESPRESSO, ORDER));
    }

    // ---- an operator ends a saga ----

    static final SagaEndRequested OPERATOR_ENDS = new SagaEndRequested(ORDER, "admin");

    @Test
    void anOperatorEndingARunningSagaCompensatesAndRejectsWithTheirReason() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .whenPublishingA(OPERATOR_ENDS)
               .expectDispatchedCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER));
        assertThat(progress.current()).isEqualTo(SagaStep.COMPENSATING);
    }

    @Test
    void anOperatorEndingACompensatingSagaSendsWhatIsMissingAndRejectsOnceAcknowledged() {
        givenEveryLineReserved()
               .andThenAPublished(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .andThenAPublished(new StockReleased(ESPRESSO, ORDER, 2))
               .andThenAPublished(OPERATOR_ENDS)
               .whenPublishingA(new StockReleased(GRINDER, ORDER, 1))
               .expectDispatchedCommands(new RejectOrder(ORDER, "ended by operator"));
    }

    @Test
    void anOperatorEndingACompensatingSagaSendsTheUnacknowledgedCompensationsAtOnce() {
        givenEveryLineReserved()
               .andThenAPublished(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .andThenAPublished(new StockReleased(ESPRESSO, ORDER, 2))
               .whenPublishingA(OPERATOR_ENDS)
               .expectDispatchedCommands(new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void anOperatorCannotTurnASagaBackPastThePayment() {
        givenEveryLineReserved()
               .andThenAPublished(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .whenPublishingA(OPERATOR_ENDS)
               .expectNoDispatchedCommands();
        assertThat(progress.current()).isEqualTo(SagaStep.COMMITTING_STOCK);
    }

    // ---- ids that name nothing, or something of another kind ----

    static ParticipantCommandFailed unknown(String command, String target) {
        return new ParticipantCommandFailed(ORDER, command, target, true, true,
                                            "The aggregate was not found in the event store");
    }

    @Test
    void anUnknownProductRejectsTheOrderWithAReasonAPersonCanActOn() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .andThenAPublished(unknown("ReserveStock", GRINDER))
               .whenPublishingA(new StockReleased(ESPRESSO, ORDER, 2))
               .expectDispatchedCommands(new RejectOrder(ORDER, "unknown product: " + GRINDER));
    }

    @Test
    void anUnknownAccountRejectsTheOrderOnceEveryLineIsReleased() {
        givenEveryLineReserved()
               .andThenAPublished(unknown("ChargePayment", ACCOUNT))
               .andThenAPublished(new StockReleased(ESPRESSO, ORDER, 2))
               .whenPublishingA(new StockReleased(GRINDER, ORDER, 1))
               .expectDispatchedCommands(new RejectOrder(ORDER, "unknown account: " + ACCOUNT));
    }

    @Test
    void releasingAProductThatDoesNotExistCountsAsDone() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .andThenAPublished(new OrderCancellationRequested(ORDER))
               .andThenAPublished(new StockReleased(ESPRESSO, ORDER, 2))
               .whenPublishingA(unknown("ReleaseStock", GRINDER))
               .expectDispatchedCommands(new RejectOrder(ORDER, "cancelled"));
    }

    @Test
    void anOrderThatCannotBeMarkedRejectedStillEndsItsSaga() {
        OrderPlaced oneLine = new OrderPlaced(ORDER, ACCOUNT, "EUR", List.of(new OrderLine(GRINDER, 1, 100)), 100);
        fixture.givenAPublished(oneLine)
               .andThenAPublished(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .whenPublishingA(unknown("RejectOrder", ORDER))
               .expectActiveSagas(0)
               .expectNoScheduledDeadlines()
               .expectNoDispatchedCommands();
        assertThat(progress.current()).isEqualTo(SagaStep.REJECTED);
    }

    @Test
    void aRejectedOrderEndsTheSagaWithNoDeadlineLeft() {
        OrderPlaced oneLine = new OrderPlaced(ORDER, ACCOUNT, "EUR", List.of(new OrderLine(GRINDER, 1, 100)), 100);
        fixture.givenAPublished(oneLine)
               .andThenAPublished(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .whenPublishingA(new OrderRejected(ORDER, "out of stock: " + GRINDER))
               .expectActiveSagas(0)
               .expectNoScheduledDeadlines();
        assertThat(progress.current()).isEqualTo(SagaStep.REJECTED);
    }

    // ---- events delivered again ----

    @Test
    void anOrderPlacedAgainWhileItsSagaRunsChangesNothing() {
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .whenPublishingA(PLACED)
               .expectActiveSagas(1)
               .expectNoDispatchedCommands()
               .expectScheduledDeadlineWithName(STEP_TIMEOUT, STOCK_RESERVATION_DEADLINE);
        assertThat(progress.current()).isEqualTo(SagaStep.RESERVING_STOCK);
    }

    @Test
    void anOrderPlacedAgainAfterItsSagaEndedStartsNoSecondSaga() {
        progress.entered(ORDER, SagaStep.CONFIRMED, null);
        fixture.givenNoPriorActivity()
               .whenPublishingA(PLACED)
               .expectActiveSagas(0)
               .expectNoDispatchedCommands()
               .expectNoScheduledDeadlines();
    }

    @Test
    void aReservationDeliveredTwiceChargesOnce() {
        givenEveryLineReserved()
               .whenPublishingA(new StockReserved(GRINDER, ORDER, 1))
               .expectNoDispatchedCommands();
        assertThat(progress.current()).isEqualTo(SagaStep.CHARGING_PAYMENT);
    }

    // ---- a handler that fails has sent nothing, so its event can wait as a dead letter ----

    @Test
    void aStepThatCannotBeRecordedSendsNoCommand() {
        progress.failWhenEntering(SagaStep.CHARGING_PAYMENT);
        fixture.registerListenerInvocationErrorHandler((failure, event, saga) -> {
        });
        fixture.givenAPublished(PLACED)
               .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
               .whenPublishingA(new StockReserved(GRINDER, ORDER, 1))
               .expectNoDispatchedCommands();
    }

    private org.axonframework.test.saga.ContinuedGivenState givenEveryLineReserved() {
        return fixture.givenAPublished(PLACED)
                      .andThenAPublished(new StockReserved(ESPRESSO, ORDER, 2))
                      .andThenAPublished(new StockReserved(GRINDER, ORDER, 1));
    }
}
