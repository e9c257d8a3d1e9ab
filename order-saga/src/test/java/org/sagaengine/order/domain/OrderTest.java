package org.sagaengine.order.domain;

import java.util.List;

import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sagaengine.order.api.CancelOrder;
import org.sagaengine.order.api.ConfirmOrder;
import org.sagaengine.order.api.OrderCancellationRequested;
import org.sagaengine.order.api.OrderConfirmed;
import org.sagaengine.order.api.OrderLine;
import org.sagaengine.order.api.OrderPlaced;
import org.sagaengine.order.api.OrderRejected;
import org.sagaengine.order.api.PlaceOrder;
import org.sagaengine.order.api.RejectOrder;
import org.sagaengine.order.api.CompleteReturn;
import org.sagaengine.order.api.RejectReturn;
import org.sagaengine.order.api.RequestReturn;
import org.sagaengine.order.api.ReturnCompleted;
import org.sagaengine.order.api.ReturnLine;
import org.sagaengine.order.api.ReturnRejected;
import org.sagaengine.order.api.ReturnRequested;

class OrderTest {

    static final String ORDER = "order-1";
    static final List<OrderLine> LINES = List.of(new OrderLine("espresso", 2, 1_250), new OrderLine("grinder", 1, 8_900));
    static final OrderPlaced PLACED = new OrderPlaced(ORDER, "alice", "EUR", LINES, 11_400);

    AggregateTestFixture<Order> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Order.class);
    }

    @Test
    void placesAnOrderWithItsTotal() {
        fixture.givenNoPriorActivity()
               .when(new PlaceOrder(ORDER, "alice", "EUR", LINES))
               .expectEvents(PLACED);
    }

    @Test
    void refusesAnOrderWithoutLines() {
        fixture.givenNoPriorActivity()
               .when(new PlaceOrder(ORDER, "alice", "EUR", List.of()))
               .expectException(IllegalArgumentException.class)
               .expectNoEvents();
    }

    @Test
    void refusesTheSameProductOnTwoLines() {
        fixture.givenNoPriorActivity()
               .when(new PlaceOrder(ORDER, "alice", "EUR",
                                    List.of(new OrderLine("espresso", 1, 100), new OrderLine("espresso", 2, 100))))
               .expectException(IllegalArgumentException.class);
    }

    @Test
    void refusesATotalThatWouldOverflow() {
        fixture.givenNoPriorActivity()
               .when(new PlaceOrder(ORDER, "alice", "EUR",
                                    List.of(new OrderLine("a", Integer.MAX_VALUE, Long.MAX_VALUE / 2))))
               .expectException(IllegalArgumentException.class);
    }

    @Test
    void confirmsAPendingOrderOnce() {
        fixture.given(PLACED).when(new ConfirmOrder(ORDER)).expectEvents(new OrderConfirmed(ORDER));
        fixture.given(PLACED, new OrderConfirmed(ORDER)).when(new ConfirmOrder(ORDER)).expectNoEvents();
    }

    @Test
    void rejectsAPendingOrderOnce() {
        fixture.given(PLACED).when(new RejectOrder(ORDER, "timeout")).expectEvents(new OrderRejected(ORDER, "timeout"));
        fixture.given(PLACED, new OrderRejected(ORDER, "timeout")).when(new RejectOrder(ORDER, "timeout"))
               .expectNoEvents();
    }

    @Test
    void aConfirmedOrderCannotBeRejected() {
        fixture.given(PLACED, new OrderConfirmed(ORDER))
               .when(new RejectOrder(ORDER, "timeout"))
               .expectException(IllegalStateException.class);
    }

    @Test
    void aPendingOrderCanBeCancelled() {
        fixture.given(PLACED).when(new CancelOrder(ORDER)).expectEvents(new OrderCancellationRequested(ORDER));
    }

    @Test
    void anEndedOrderCannotBeCancelled() {
        fixture.given(PLACED, new OrderConfirmed(ORDER))
               .when(new CancelOrder(ORDER))
               .expectException(IllegalStateException.class);
    }

    /**
     * Ids share one namespace. Loaded by the id of a product, Order finds none of its own events: the framework refuses
     * the command before a handler runs, and nothing is appended. The services answer that as for an unknown id.
     */
    record AnotherKindRegistered(String id) {
    }

    @Test
    void refusesACancelOrRejectionForTheIdOfAnotherKindWithoutAnEvent() {
        fixture.given(new AnotherKindRegistered("espresso"))
               .when(new CancelOrder("espresso"))
               .expectException(IncompatibleAggregateException.class)
               .expectNoEvents();
        fixture.given(new AnotherKindRegistered("espresso"))
               .when(new RejectOrder("espresso", "timeout"))
               .expectException(IncompatibleAggregateException.class)
               .expectNoEvents();
    }

    // ---- returns ----

    static final String RETURN = "return-1";
    static final OrderConfirmed CONFIRMED = new OrderConfirmed(ORDER);

    @Test
    void returnsPartOfAConfirmedOrderAtThePriceItPaid() {
        fixture.given(PLACED, CONFIRMED)
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("espresso", 1))))
               .expectEvents(new ReturnRequested(ORDER, RETURN, "alice", "EUR",
                                                 List.of(new OrderLine("espresso", 1, 1_250)), 1_250));
    }

    @Test
    void aReturnRequestedTwiceIsRequestedOnce() {
        ReturnRequested requested = new ReturnRequested(ORDER, RETURN, "alice", "EUR",
                                                        List.of(new OrderLine("espresso", 1, 1_250)), 1_250);
        fixture.given(PLACED, CONFIRMED, requested)
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("espresso", 1))))
               .expectNoEvents()
               .expectSuccessfulHandlerExecution();
        fixture.given(PLACED, CONFIRMED, requested)
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("espresso", 2))))
               .expectException(IllegalStateException.class)
               .expectNoEvents();
    }

    @Test
    void returnsNothingTwiceWhileAnEarlierReturnIsPendingOrCompleted() {
        ReturnRequested earlier = new ReturnRequested(ORDER, "return-0", "alice", "EUR",
                                                      List.of(new OrderLine("espresso", 2, 1_250)), 2_500);
        fixture.given(PLACED, CONFIRMED, earlier)
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("espresso", 1))))
               .expectException(IllegalStateException.class)
               .expectNoEvents();
        fixture.given(PLACED, CONFIRMED, earlier, new ReturnCompleted(ORDER, "return-0"))
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("espresso", 1))))
               .expectException(IllegalStateException.class);
    }

    @Test
    void aRejectedReturnLeavesItsUnitsToReturnAgain() {
        fixture.given(PLACED, CONFIRMED,
                      new ReturnRequested(ORDER, "return-0", "alice", "EUR",
                                          List.of(new OrderLine("espresso", 2, 1_250)), 2_500),
                      new ReturnRejected(ORDER, "return-0", "refund refused: account closed"))
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("espresso", 2))))
               .expectEvents(new ReturnRequested(ORDER, RETURN, "alice", "EUR",
                                                 List.of(new OrderLine("espresso", 2, 1_250)), 2_500));
    }

    @Test
    void onlyAConfirmedOrderCanBeReturned() {
        fixture.given(PLACED)
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("espresso", 1))))
               .expectException(IllegalStateException.class)
               .expectNoEvents();
    }

    @Test
    void refusesReturnLinesThatAreNotOnTheOrderOrReturnNothing() {
        fixture.given(PLACED, CONFIRMED)
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("kettle", 1))))
               .expectException(IllegalArgumentException.class);
        fixture.given(PLACED, CONFIRMED)
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("espresso", 0))))
               .expectException(IllegalArgumentException.class);
        fixture.given(PLACED, CONFIRMED)
               .when(new RequestReturn(ORDER, RETURN, List.of()))
               .expectException(IllegalArgumentException.class);
        fixture.given(PLACED, CONFIRMED)
               .when(new RequestReturn(ORDER, RETURN, List.of(new ReturnLine("espresso", 1),
                                                              new ReturnLine("espresso", 1))))
               .expectException(IllegalArgumentException.class);
    }

    @Test
    void aReturnEndsCompletedOrRejectedOnceAndNeverBoth() {
        ReturnRequested requested = new ReturnRequested(ORDER, RETURN, "alice", "EUR",
                                                        List.of(new OrderLine("grinder", 1, 8_900)), 8_900);
        fixture.given(PLACED, CONFIRMED, requested)
               .when(new CompleteReturn(ORDER, RETURN))
               .expectEvents(new ReturnCompleted(ORDER, RETURN));
        fixture.given(PLACED, CONFIRMED, requested, new ReturnCompleted(ORDER, RETURN))
               .when(new CompleteReturn(ORDER, RETURN))
               .expectNoEvents();
        fixture.given(PLACED, CONFIRMED, requested, new ReturnCompleted(ORDER, RETURN))
               .when(new RejectReturn(ORDER, RETURN, "late"))
               .expectException(IllegalStateException.class);
        fixture.given(PLACED, CONFIRMED, requested)
               .when(new RejectReturn(ORDER, RETURN, "refund refused: account closed"))
               .expectEvents(new ReturnRejected(ORDER, RETURN, "refund refused: account closed"));
        fixture.given(PLACED, CONFIRMED, requested, new ReturnRejected(ORDER, RETURN, "x"))
               .when(new CompleteReturn(ORDER, RETURN))
               .expectException(IllegalStateException.class);
    }
}
