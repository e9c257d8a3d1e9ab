package org.sagaengine.order.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sagaengine.engine.SagaSpecification.refusal;
import static org.sagaengine.engine.SagaSpecification.unreachable;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sagaengine.engine.SagaEndRequested;
import org.sagaengine.engine.SagaSpecification;
import org.sagaengine.engine.SagaTimeouts;
import org.sagaengine.inventory.api.CancelStockReturn;
import org.sagaengine.inventory.api.RestockReturn;
import org.sagaengine.inventory.api.ReturnRestocked;
import org.sagaengine.inventory.api.ReturnStock;
import org.sagaengine.inventory.api.StockReturnCancelled;
import org.sagaengine.inventory.api.StockReturnRejected;
import org.sagaengine.inventory.api.StockReturned;
import org.sagaengine.order.api.CompleteReturn;
import org.sagaengine.order.api.OrderLine;
import org.sagaengine.order.api.RejectReturn;
import org.sagaengine.order.api.ReturnCompleted;
import org.sagaengine.order.api.ReturnRejected;
import org.sagaengine.order.api.ReturnRequested;
import org.sagaengine.payment.api.RefundReturn;
import org.sagaengine.payment.api.ReturnRefundRefused;
import org.sagaengine.payment.api.ReturnRefunded;

/** The return saga, step by step, specified with the engine's kit. */
class ReturnSagaTest {

    static final String ORDER = "order-1";
    static final String RETURN = "return-1";
    static final String ACCOUNT = "alice";
    static final String ESPRESSO = "espresso";
    static final String GRINDER = "grinder";
    static final ReturnRequested REQUESTED = new ReturnRequested(
            ORDER, RETURN, ACCOUNT, "EUR", List.of(new OrderLine(ESPRESSO, 1, 1_250), new OrderLine(GRINDER, 1, 8_900)),
            10_150);
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(10);

    final SagaSpecification<ReturnSaga> fixture =
            SagaSpecification.of(ReturnSaga.DEFINITION, new SagaTimeouts(STEP_TIMEOUT, RETRY_INTERVAL, null));

    private SagaSpecification<ReturnSaga> refunding() {
        return fixture.given(REQUESTED, new StockReturned(ESPRESSO, ORDER, RETURN, 1),
                             new StockReturned(GRINDER, ORDER, RETURN, 1));
    }

    @Test
    void takesBackEveryLineThenRefundsThenRestocksThenCompletes() {
        fixture.when(REQUESTED)
               .expectCommands(new ReturnStock(ESPRESSO, ORDER, RETURN, 1), new ReturnStock(GRINDER, ORDER, RETURN, 1))
               .expectScheduledDeadline("stock-return-deadline")
               .expectStep(RETURN, "RECEIVING_STOCK");
        fixture.when(new StockReturned(ESPRESSO, ORDER, RETURN, 1), new StockReturned(GRINDER, ORDER, RETURN, 1))
               .expectCommands(new RefundReturn(ACCOUNT, ORDER, RETURN, 10_150))
               .expectNoScheduledDeadline("stock-return-deadline")
               .expectStep(RETURN, "REFUNDING");
        fixture.when(new ReturnRefunded(ACCOUNT, ORDER, RETURN, 10_150))
               .expectCommands(new RestockReturn(ESPRESSO, ORDER, RETURN), new RestockReturn(GRINDER, ORDER, RETURN))
               .expectStep(RETURN, "RESTOCKING");
        fixture.when(new ReturnRestocked(ESPRESSO, ORDER, RETURN, 1), new ReturnRestocked(GRINDER, ORDER, RETURN, 1))
               .expectCommands(new CompleteReturn(ORDER, RETURN));
        fixture.when(new ReturnCompleted(ORDER, RETURN))
               .expectEnded(RETURN, "COMPLETED", null)
               .expectNoScheduledDeadlines();
    }

    @Test
    void aRefusedRefundGivesTheUnitsBackToTheOrderAndRejectsTheReturnWithTheReason() {
        refunding().when(new ReturnRefundRefused(ACCOUNT, ORDER, RETURN, 10_150, "account closed"))
                   .expectCommands(new CancelStockReturn(ESPRESSO, ORDER, RETURN),
                                   new CancelStockReturn(GRINDER, ORDER, RETURN))
                   .expectStep(RETURN, "COMPENSATING");
        fixture.when(new StockReturnCancelled(ESPRESSO, ORDER, RETURN, 1),
                     new StockReturnCancelled(GRINDER, ORDER, RETURN, 1))
               .expectCommands(new RejectReturn(ORDER, RETURN, "refund refused: account closed"));
        fixture.when(new ReturnRejected(ORDER, RETURN, "refund refused: account closed"))
               .expectEnded(RETURN, "REJECTED", "refund refused: account closed")
               .expectNoScheduledDeadlines();
    }

    @Test
    void aLineTheOrderDidNotBuyRejectsTheReturnAfterGivingBackTheOthers() {
        fixture.given(REQUESTED, new StockReturned(ESPRESSO, ORDER, RETURN, 1))
               .when(new StockReturnRejected(GRINDER, ORDER, RETURN, 1, "order order-1 has 0 to return"))
               .expectCommands(new CancelStockReturn(ESPRESSO, ORDER, RETURN));
        fixture.when(new StockReturnCancelled(ESPRESSO, ORDER, RETURN, 1))
               .expectCommands(new RejectReturn(ORDER, RETURN, "not returnable: order order-1 has 0 to return"));
    }

    @Test
    void stockThatIsNotBackInTimeRejectsTheReturn() {
        fixture.given(REQUESTED, new StockReturned(ESPRESSO, ORDER, RETURN, 1))
               .whenTimeElapses(STEP_TIMEOUT)
               .expectCommands(new CancelStockReturn(ESPRESSO, ORDER, RETURN),
                               new CancelStockReturn(GRINDER, ORDER, RETURN));
    }

    @Test
    void theRefundIsNeverTimedOutButSentAgainUntilTheAccountAnswers() {
        refunding().whenFails(RefundReturn.class, unreachable())
                   .expectNoCommands();
        fixture.whenTimeElapses(STEP_TIMEOUT.multipliedBy(3))
               .expectStep(RETURN, "REFUNDING");
        assertThat(fixture.commandsSent()).contains(new RefundReturn(ACCOUNT, ORDER, RETURN, 10_150))
                                          .doesNotHaveAnyElementsOfTypes(CancelStockReturn.class);
        fixture.when(new SagaEndRequested("return", RETURN, "ops"))
               .expectNoCommands();
        fixture.when(new ReturnRefunded(ACCOUNT, ORDER, RETURN, 10_150))
               .expectCommands(new RestockReturn(ESPRESSO, ORDER, RETURN), new RestockReturn(GRINDER, ORDER, RETURN));
    }

    @Test
    void aRefundRefusedByTheCommandBusRejectsTheReturnToo() {
        refunding().whenFails(RefundReturn.class, refusal("no account alice"))
                   .expectCommands(new CancelStockReturn(ESPRESSO, ORDER, RETURN),
                                   new CancelStockReturn(GRINDER, ORDER, RETURN));
    }

    @Test
    void restockingIsSentAgainUntilEveryLineIsOnSale() {
        refunding().given(new ReturnRefunded(ACCOUNT, ORDER, RETURN, 10_150),
                          new ReturnRestocked(ESPRESSO, ORDER, RETURN, 1))
                   .whenTimeElapses(RETRY_INTERVAL)
                   .expectCommands(new RestockReturn(GRINDER, ORDER, RETURN));
    }

    @Test
    void anOperatorCanEndAReturnOnlyBeforeItsRefund() {
        assertThat(ReturnSaga.DEFINITION.onlyGoesForwardAt("RECEIVING_STOCK")).isFalse();
        assertThat(ReturnSaga.DEFINITION.onlyGoesForwardAt("REFUNDING")).isTrue();
        assertThat(ReturnSaga.DEFINITION.onlyGoesForwardAt("RESTOCKING")).isTrue();
        fixture.given(REQUESTED)
               .when(new SagaEndRequested("return", RETURN, "ops"))
               .expectCommands(new CancelStockReturn(ESPRESSO, ORDER, RETURN),
                               new CancelStockReturn(GRINDER, ORDER, RETURN));
    }

    @Test
    void anOrderSagaEventWithTheSameKeyIsNotTheReturnSagas() {
        fixture.given(REQUESTED)
               .when(new SagaEndRequested("order", RETURN, "ops"))
               .expectNoCommands();
    }
}
