package org.sagaengine.order.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sagaengine.engine.SagaSpecification.refusal;
import static org.sagaengine.engine.SagaSpecification.unknownTarget;
import static org.sagaengine.engine.SagaSpecification.unreachable;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sagaengine.engine.SagaEndRequested;
import org.sagaengine.engine.SagaProgress;
import org.sagaengine.engine.SagaSpecification;
import org.sagaengine.engine.SagaTimeouts;
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

/**
 * The order saga, step by step: each test is one branch of the process in docs/architecture.md, specified with the
 * engine's kit on Axon's own saga manager.
 */
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

    static final String STOCK_RESERVATION_DEADLINE = "stock-reservation-deadline";
    static final String PAYMENT_DEADLINE = "payment-deadline";
    static final String FORWARD_RETRY = "forward-retry";
    static final String COMPENSATION_RETRY = "compensation-retry";

    final SagaSpecification<OrderSaga> fixture =
            SagaSpecification.of(OrderSaga.DEFINITION, new SagaTimeouts(STEP_TIMEOUT, RETRY_INTERVAL, null));

    // ---- the happy path ----

    @Test
    void aPlacedOrderReservesEveryLineAgainstADeadline() {
        fixture.when(PLACED)
               .expectCommands(new ReserveStock(ESPRESSO, ORDER, 2), new ReserveStock(GRINDER, ORDER, 1))
               .expectScheduledDeadline(STOCK_RESERVATION_DEADLINE)
               .expectStep(ORDER, "RESERVING_STOCK");
    }

    @Test
    void oneReservedLineOfTwoWaitsForTheOther() {
        fixture.given(PLACED)
               .when(new StockReserved(ESPRESSO, ORDER, 2))
               .expectNoCommands();
    }

    @Test
    void everyLineReservedChargesThePaymentAgainstANewDeadline() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .when(new StockReserved(GRINDER, ORDER, 1))
               .expectCommands(new ChargePayment(ACCOUNT, ORDER, TOTAL, "EUR"))
               .expectNoScheduledDeadline(STOCK_RESERVATION_DEADLINE)
               .expectScheduledDeadline(PAYMENT_DEADLINE)
               .expectStep(ORDER, "CHARGING_PAYMENT");
    }

    @Test
    void aChargedPaymentCommitsEveryLine() {
        givenEveryLineReserved()
               .when(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .expectCommands(new CommitStock(ESPRESSO, ORDER), new CommitStock(GRINDER, ORDER))
               .expectNoScheduledDeadline(PAYMENT_DEADLINE)
               .expectScheduledDeadline(FORWARD_RETRY);
    }

    @Test
    void everyLineCommittedConfirmsTheOrder() {
        givenEveryLineReserved()
               .given(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .given(new StockCommitted(ESPRESSO, ORDER, 2))
               .when(new StockCommitted(GRINDER, ORDER, 1))
               .expectCommands(new ConfirmOrder(ORDER));
    }

    @Test
    void aConfirmedOrderEndsTheSagaWithNoDeadlineLeft() {
        givenEveryLineReserved()
               .given(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .given(new StockCommitted(ESPRESSO, ORDER, 2))
               .given(new StockCommitted(GRINDER, ORDER, 1))
               .when(new OrderConfirmed(ORDER))
               .expectEnded(ORDER, "CONFIRMED", null)
               .expectNoScheduledDeadlines();
        assertThat(fixture.timeline(ORDER)).filteredOn(entry -> entry.kind() == SagaProgress.Entry.STEP)
                                           .extracting(SagaSpecification.Noted::name)
                                           .containsExactly("RESERVING_STOCK", "CHARGING_PAYMENT", "COMMITTING_STOCK",
                                                            "CONFIRMING_ORDER", "CONFIRMED");
    }

    // ---- compensations ----

    @Test
    void aLineOutOfStockReleasesOnlyTheLinesThatCouldBeHeld() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .when(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .expectCommands(new ReleaseStock(ESPRESSO, ORDER))
               .expectNoScheduledDeadline(STOCK_RESERVATION_DEADLINE)
               .expectScheduledDeadline(COMPENSATION_RETRY)
               .expectStep(ORDER, "COMPENSATING");
    }

    @Test
    void theOrderIsRejectedOnceEveryReleaseIsAcknowledged() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .given(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .when(new StockReleased(ESPRESSO, ORDER, 2))
               .expectCommands(new RejectOrder(ORDER, "out of stock: " + GRINDER));
    }

    @Test
    void everyLineOutOfStockRejectsAtOnce() {
        OrderPlaced oneLine = new OrderPlaced(ORDER, ACCOUNT, "EUR", List.of(new OrderLine(GRINDER, 1, 100)), 100);
        fixture.given(oneLine)
               .when(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .expectCommands(new RejectOrder(ORDER, "out of stock: " + GRINDER));
    }

    @Test
    void aDeclinedPaymentReleasesEveryLineAndRefundsNothing() {
        givenEveryLineReserved()
               .when(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .expectCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void aDeclinedPaymentRejectsTheOrderOnceTheStockIsBack() {
        givenEveryLineReserved()
               .given(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .given(new StockReleased(ESPRESSO, ORDER, 2))
               .when(new StockReleased(GRINDER, ORDER, 1))
               .expectCommands(new RejectOrder(ORDER, "payment declined: insufficient funds"));
    }

    @Test
    void aReleaseThatFailedKeepsTheOrderCompensatingAndIsSentAgain() {
        givenEveryLineReserved()
               .given(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .given(new StockReleased(ESPRESSO, ORDER, 2))
               .whenFails(new ReleaseStock(GRINDER, ORDER), unreachable())
               .whenTimeElapses(RETRY_INTERVAL.plusSeconds(1))
               .expectCommands(new ReleaseStock(GRINDER, ORDER))
               .expectStep(ORDER, "COMPENSATING");
    }

    @Test
    void anUnansweredReservationTimesOutAndReleasesEveryLineAskedFor() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .whenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .expectCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void aTimedOutOrderIsRejectedWithReasonTimeout() throws Exception {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .whenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .given(new StockReleased(ESPRESSO, ORDER, 2))
               .when(new StockReleased(GRINDER, ORDER, 0))
               .expectCommands(new RejectOrder(ORDER, "timeout"));
    }

    @Test
    void aReservationArrivingAfterCompensationBeganIsReleased() throws Exception {
        fixture.given(PLACED)
               .whenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .when(new StockReserved(GRINDER, ORDER, 1))
               .expectCommands(new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void anUnansweredChargeTimesOutAndIsRefundedWithEveryLineReleased() {
        givenEveryLineReserved()
               .whenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .expectCommands(new RefundPayment(ACCOUNT, ORDER), new ReleaseStock(ESPRESSO, ORDER),
                                         new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void aChargeArrivingAfterItsTimeoutIsCoveredByTheRefundAlreadySent() throws Exception {
        givenEveryLineReserved()
               .whenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .given(new StockReleased(ESPRESSO, ORDER, 2))
               .given(new StockReleased(GRINDER, ORDER, 1))
               .given(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .when(new PaymentRefunded(ACCOUNT, ORDER, TOTAL))
               .expectCommands(new RejectOrder(ORDER, "timeout"));
    }

    @Test
    void unacknowledgedCompensationsAreSentAgain() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .given(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .whenTimeElapses(RETRY_INTERVAL)
               .expectCommands(new ReleaseStock(ESPRESSO, ORDER))
               .expectScheduledDeadline(COMPENSATION_RETRY);
    }

    @Test
    void aCancellationWhilePendingIsCompensated() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .when(new OrderCancellationRequested(ORDER))
               .expectCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void aCancelledOrderIsRejectedWithReasonCancelled() {
        fixture.given(PLACED)
               .given(new OrderCancellationRequested(ORDER))
               .given(new StockReleased(ESPRESSO, ORDER, 0))
               .when(new StockReleased(GRINDER, ORDER, 0))
               .expectCommands(new RejectOrder(ORDER, "cancelled"));
    }

    @Test
    void aCancellationAfterThePaymentIsTooLate() {
        givenEveryLineReserved()
               .given(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .when(new OrderCancellationRequested(ORDER))
               .expectNoCommands();
    }

    @Test
    void unacknowledgedCommitsAreSentAgainInsteadOfCompensating() {
        givenEveryLineReserved()
               .given(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .given(new StockCommitted(ESPRESSO, ORDER, 2))
               .whenTimeElapses(RETRY_INTERVAL.plusSeconds(1))
               .expectCommands(new CommitStock(GRINDER, ORDER));
    }

    @Test
    void aRefusedReservationHoldsNothingToRelease() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .whenFails(new ReserveStock(GRINDER, ORDER, 1), unknownTarget())
               .expectCommands(new ReleaseStock(ESPRESSO, ORDER));
    }

    // ---- an operator ends a saga ----

    static final SagaEndRequested OPERATOR_ENDS = new SagaEndRequested("order", ORDER, "admin");

    @Test
    void anOperatorEndingARunningSagaCompensatesAndRejectsWithTheirReason() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .when(OPERATOR_ENDS)
               .expectCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER))
               .expectStep(ORDER, "COMPENSATING");
    }

    @Test
    void anOperatorEndingACompensatingSagaSendsWhatIsMissingAndRejectsOnceAcknowledged() {
        givenEveryLineReserved()
               .given(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .given(new StockReleased(ESPRESSO, ORDER, 2))
               .given(OPERATOR_ENDS)
               .when(new StockReleased(GRINDER, ORDER, 1))
               .expectCommands(new RejectOrder(ORDER, "ended by operator"));
    }

    @Test
    void anOperatorEndingACompensatingSagaSendsTheUnacknowledgedCompensationsAtOnce() {
        givenEveryLineReserved()
               .given(new PaymentDeclined(ACCOUNT, ORDER, TOTAL, "insufficient funds"))
               .given(new StockReleased(ESPRESSO, ORDER, 2))
               .when(OPERATOR_ENDS)
               .expectCommands(new ReleaseStock(GRINDER, ORDER));
    }

    @Test
    void anOperatorCannotTurnASagaBackPastThePayment() {
        givenEveryLineReserved()
               .given(new PaymentCharged(ACCOUNT, ORDER, TOTAL))
               .when(OPERATOR_ENDS)
               .expectNoCommands()
               .expectStep(ORDER, "COMMITTING_STOCK");
    }

    @Test
    void pastThePaymentAreCommittingTheStockAndConfirmingTheOrder() {
        assertThat(List.of("RESERVING_STOCK", "CHARGING_PAYMENT", "COMMITTING_STOCK", "CONFIRMING_ORDER",
                           "COMPENSATING", "REJECTING_ORDER"))
                .filteredOn(OrderSaga.DEFINITION::onlyGoesForwardAt)
                .containsExactly("COMMITTING_STOCK", "CONFIRMING_ORDER");
    }

    // ---- ids that name nothing, or something of another kind ----

    @Test
    void anUnknownProductRejectsTheOrderWithAReasonAPersonCanActOn() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .whenFails(new ReserveStock(GRINDER, ORDER, 1), unknownTarget())
               .when(new StockReleased(ESPRESSO, ORDER, 2))
               .expectCommands(new RejectOrder(ORDER, "unknown product: " + GRINDER));
    }

    @Test
    void anUnknownAccountRejectsTheOrderOnceEveryLineIsReleased() {
        givenEveryLineReserved()
               .whenFails(ChargePayment.class, unknownTarget())
               .given(new StockReleased(ESPRESSO, ORDER, 2))
               .when(new StockReleased(GRINDER, ORDER, 1))
               .expectCommands(new RejectOrder(ORDER, "unknown account: " + ACCOUNT));
    }

    @Test
    void releasingAProductThatDoesNotExistCountsAsDone() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .given(new OrderCancellationRequested(ORDER))
               .given(new StockReleased(ESPRESSO, ORDER, 2))
               .whenFails(new ReleaseStock(GRINDER, ORDER), unknownTarget())
               .expectCommands(new RejectOrder(ORDER, "cancelled"));
    }

    @Test
    void anOrderThatCannotBeMarkedRejectedStillEndsItsSaga() {
        OrderPlaced oneLine = new OrderPlaced(ORDER, ACCOUNT, "EUR", List.of(new OrderLine(GRINDER, 1, 100)), 100);
        fixture.given(oneLine)
               .given(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .whenFails(RejectOrder.class, refusal("The aggregate was not found in the event store"))
               .expectNoScheduledDeadlines()
               .expectNoCommands()
               .expectEnded(ORDER, "REJECTED", "out of stock: " + GRINDER + " (it could not be recorded: "
                                               + "The aggregate was not found in the event store)");
    }

    @Test
    void aRejectedOrderEndsTheSagaWithNoDeadlineLeft() {
        OrderPlaced oneLine = new OrderPlaced(ORDER, ACCOUNT, "EUR", List.of(new OrderLine(GRINDER, 1, 100)), 100);
        fixture.given(oneLine)
               .given(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock"))
               .when(new OrderRejected(ORDER, "out of stock: " + GRINDER))
               .expectEnded(ORDER, "REJECTED", "out of stock: " + GRINDER)
               .expectNoScheduledDeadlines();
    }

    // ---- events delivered again ----

    @Test
    void anOrderPlacedAgainWhileItsSagaRunsChangesNothing() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .when(PLACED)
                              .expectNoCommands()
               .expectScheduledDeadline(STOCK_RESERVATION_DEADLINE)
               .expectStep(ORDER, "RESERVING_STOCK");
    }

    @Test
    void anOrderPlacedAgainAfterItsSagaEndedStartsNoSecondSaga() {
        givenEveryLineReserved()
               .given(new PaymentCharged(ACCOUNT, ORDER, TOTAL), new StockCommitted(ESPRESSO, ORDER, 2),
                      new StockCommitted(GRINDER, ORDER, 1), new OrderConfirmed(ORDER))
               .when(PLACED)
               .expectNoCommands()
               .expectNoScheduledDeadlines()
               .expectEnded(ORDER, "CONFIRMED", null);
    }

    @Test
    void aReservationDeliveredTwiceChargesOnce() {
        givenEveryLineReserved()
               .when(new StockReserved(GRINDER, ORDER, 1))
               .expectNoCommands()
               .expectStep(ORDER, "CHARGING_PAYMENT");
    }

    // ---- a handler that fails has sent nothing, so its event can wait as a dead letter ----

    @Test
    void aStepThatCannotBeRecordedSendsNoCommand() {
        givenRecordingTheChargeFails();
        fixture.expectNoCommands()
               .expectStep(ORDER, "RESERVING_STOCK");
    }

    @Test
    void anEventWhoseHandlerFailedIsHandledAgainAsIfForTheFirstTime() {
        givenRecordingTheChargeFails();
        fixture.recordingWorksAgain()
               .when(new StockReserved(GRINDER, ORDER, 1))
               .expectCommands(new ChargePayment(ACCOUNT, ORDER, TOTAL, "EUR"))
               .expectStep(ORDER, "CHARGING_PAYMENT");
    }

    /**
     * A refused line makes the saga compensate: the reservation's deadline is cancelled, then recording the
     * compensation fails. The refusal waits as a dead letter and the saga is back at reserving stock: so must its
     * deadline be, or a saga whose dead letter nobody retries would never time out.
     */
    @Test
    void aHandlerThatFailsLeavesTheDeadlinesAsTheyWereSoTheSagaStillTimesOut() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .failWhenEntering("COMPENSATING");
        assertThatThrownBy(() -> fixture.when(new StockReservationRejected(GRINDER, ORDER, 1, 0, "insufficient stock")))
                .isInstanceOf(AssertionError.class);
        fixture.recordingWorksAgain()
               .expectScheduledDeadline(STOCK_RESERVATION_DEADLINE)
               .expectNoScheduledDeadline(COMPENSATION_RETRY)
               .expectStep(ORDER, "RESERVING_STOCK")
               .whenTimeElapses(STEP_TIMEOUT.plusSeconds(1))
               .expectCommands(new ReleaseStock(ESPRESSO, ORDER), new ReleaseStock(GRINDER, ORDER))
               .expectStep(ORDER, "COMPENSATING");
    }

    private void givenRecordingTheChargeFails() {
        fixture.given(PLACED)
               .given(new StockReserved(ESPRESSO, ORDER, 2))
               .failWhenEntering("CHARGING_PAYMENT");
        assertThatThrownBy(() -> fixture.when(new StockReserved(GRINDER, ORDER, 1))).isInstanceOf(AssertionError.class);
    }

    private SagaSpecification<OrderSaga> givenEveryLineReserved() {
        return fixture.given(PLACED)
                      .given(new StockReserved(ESPRESSO, ORDER, 2))
                      .given(new StockReserved(GRINDER, ORDER, 1));
    }
}
