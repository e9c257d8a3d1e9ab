package org.sagaengine.inventory.domain;

import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sagaengine.inventory.api.CancelStockReturn;
import org.sagaengine.inventory.api.CommitStock;
import org.sagaengine.inventory.api.ProductRegistered;
import org.sagaengine.inventory.api.ProductRestocked;
import org.sagaengine.inventory.api.RegisterProduct;
import org.sagaengine.inventory.api.ReleaseStock;
import org.sagaengine.inventory.api.ReserveStock;
import org.sagaengine.inventory.api.RestockProduct;
import org.sagaengine.inventory.api.RestockReturn;
import org.sagaengine.inventory.api.ReturnRestocked;
import org.sagaengine.inventory.api.ReturnStock;
import org.sagaengine.inventory.api.StockCommitted;
import org.sagaengine.inventory.api.StockReleased;
import org.sagaengine.inventory.api.StockReservationRejected;
import org.sagaengine.inventory.api.StockReserved;
import org.sagaengine.inventory.api.StockReturnCancelled;
import org.sagaengine.inventory.api.StockReturnRejected;
import org.sagaengine.inventory.api.StockReturned;

class ProductStockTest {

    static final String PRODUCT = "espresso";
    static final String ORDER = "order-1";

    AggregateTestFixture<ProductStock> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(ProductStock.class);
    }

    @Test
    void registersAProductWithItsInitialStock() {
        fixture.givenNoPriorActivity()
               .when(new RegisterProduct(PRODUCT, "Espresso beans", 10))
               .expectEvents(new ProductRegistered(PRODUCT, "Espresso beans", 10));
    }

    @Test
    void refusesANegativeInitialQuantity() {
        fixture.givenNoPriorActivity()
               .when(new RegisterProduct(PRODUCT, "Espresso beans", -1))
               .expectException(IllegalArgumentException.class)
               .expectNoEvents();
    }

    @Test
    void refusesARestockOfNothing() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10))
               .when(new RestockProduct(PRODUCT, 0))
               .expectException(IllegalArgumentException.class);
    }

    @Test
    void reservesWhatIsAvailable() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10))
               .when(new ReserveStock(PRODUCT, ORDER, 10))
               .expectEvents(new StockReserved(PRODUCT, ORDER, 10));
    }

    @Test
    void rejectsReservationBeyondAvailableStock() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10),
                      new StockReserved(PRODUCT, "other-order", 8))
               .when(new ReserveStock(PRODUCT, ORDER, 3))
               .expectEvents(new StockReservationRejected(PRODUCT, ORDER, 3, 2, ProductStock.INSUFFICIENT_STOCK));
    }

    @Test
    void restockedUnitsCanBeReserved() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 1), new ProductRestocked(PRODUCT, 4))
               .when(new ReserveStock(PRODUCT, ORDER, 5))
               .expectEvents(new StockReserved(PRODUCT, ORDER, 5));
    }

    @Test
    void aRepeatedReservationHasNoSecondEffect() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10), new StockReserved(PRODUCT, ORDER, 4))
               .when(new ReserveStock(PRODUCT, ORDER, 4))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void releasingGivesTheReservedUnitsBack() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10), new StockReserved(PRODUCT, ORDER, 4))
               .when(new ReleaseStock(PRODUCT, ORDER))
               .expectEvents(new StockReleased(PRODUCT, ORDER, 4));
    }

    @Test
    void releasedUnitsCanBeReservedByAnotherOrder() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 4), new StockReserved(PRODUCT, ORDER, 4),
                      new StockReleased(PRODUCT, ORDER, 4))
               .when(new ReserveStock(PRODUCT, "order-2", 4))
               .expectEvents(new StockReserved(PRODUCT, "order-2", 4));
    }

    @Test
    void aRepeatedReleaseHasNoSecondEffect() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10), new StockReserved(PRODUCT, ORDER, 4),
                      new StockReleased(PRODUCT, ORDER, 4))
               .when(new ReleaseStock(PRODUCT, ORDER))
               .expectNoEvents();
    }

    @Test
    void aReleaseThatOvertakesItsReservationClosesTheProductToThatOrder() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10))
               .when(new ReleaseStock(PRODUCT, ORDER))
               .expectEvents(new StockReleased(PRODUCT, ORDER, 0));
    }

    @Test
    void aReservationArrivingAfterItsReleaseReservesNothing() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10), new StockReleased(PRODUCT, ORDER, 0))
               .when(new ReserveStock(PRODUCT, ORDER, 4))
               .expectSuccessfulHandlerExecution()
               .expectNoEvents();
    }

    @Test
    void commitsAReservation() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10), new StockReserved(PRODUCT, ORDER, 4))
               .when(new CommitStock(PRODUCT, ORDER))
               .expectEvents(new StockCommitted(PRODUCT, ORDER, 4));
    }

    @Test
    void aRepeatedCommitHasNoSecondEffect() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10), new StockReserved(PRODUCT, ORDER, 4),
                      new StockCommitted(PRODUCT, ORDER, 4))
               .when(new CommitStock(PRODUCT, ORDER))
               .expectNoEvents();
    }

    @Test
    void cannotCommitWithoutAReservation() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10))
               .when(new CommitStock(PRODUCT, ORDER))
               .expectException(IllegalStateException.class);
    }

    @Test
    void cannotReleaseCommittedStock() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10), new StockReserved(PRODUCT, ORDER, 4),
                      new StockCommitted(PRODUCT, ORDER, 4))
               .when(new ReleaseStock(PRODUCT, ORDER))
               .expectException(IllegalStateException.class);
    }

    /**
     * Ids share one namespace. Loaded by the id of an account, ProductStock finds none of its own events: the framework refuses
     * the command before a handler runs, and nothing is appended. The services answer that as for an unknown id.
     */
    record AnotherKindOpened(String id) {
    }

    @Test
    void refusesAReservationForTheIdOfAnotherKindWithoutAnEvent() {
        fixture.given(new AnotherKindOpened("alice"))
               .when(new ReserveStock("alice", ORDER, 1))
               .expectException(IncompatibleAggregateException.class)
               .expectNoEvents();
    }

    @Test
    void refusesAReleaseOrRestockForTheIdOfAnotherKindWithoutAnEvent() {
        fixture.given(new AnotherKindOpened("alice"))
               .when(new ReleaseStock("alice", ORDER))
               .expectException(IncompatibleAggregateException.class)
               .expectNoEvents();
        fixture.given(new AnotherKindOpened("alice"))
               .when(new RestockProduct("alice", 5))
               .expectException(IncompatibleAggregateException.class)
               .expectNoEvents();
    }

    // ---- returns ----

    static final String RETURN = "return-1";

    private Object[] sold(int quantity) {
        return new Object[] {new ProductRegistered(PRODUCT, "Espresso beans", 10),
                             new StockReserved(PRODUCT, ORDER, quantity), new StockCommitted(PRODUCT, ORDER, quantity)};
    }

    @Test
    void takesBackWhatTheOrderBoughtAndHoldsItUnderTheReturn() {
        fixture.given(sold(3))
               .when(new ReturnStock(PRODUCT, ORDER, RETURN, 2))
               .expectEvents(new StockReturned(PRODUCT, ORDER, RETURN, 2));
    }

    @Test
    void aReturnDeliveredTwiceTakesBackOnce() {
        fixture.given(sold(3)).andGiven(new StockReturned(PRODUCT, ORDER, RETURN, 2))
               .when(new ReturnStock(PRODUCT, ORDER, RETURN, 2))
               .expectNoEvents();
    }

    @Test
    void takesBackNoMoreThanTheOrderBoughtCountingItsOtherReturns() {
        fixture.given(sold(3)).andGiven(new StockReturned(PRODUCT, ORDER, "return-0", 2))
               .when(new ReturnStock(PRODUCT, ORDER, RETURN, 2))
               .expectEvents(new StockReturnRejected(PRODUCT, ORDER, RETURN, 2, "order order-1 has 1 to return"));
    }

    @Test
    void aCancelledReturnCountsNoLongerAgainstWhatCanBeReturned() {
        fixture.given(sold(3))
               .andGiven(new StockReturned(PRODUCT, ORDER, "return-0", 3),
                         new StockReturnCancelled(PRODUCT, ORDER, "return-0", 3))
               .when(new ReturnStock(PRODUCT, ORDER, RETURN, 3))
               .expectEvents(new StockReturned(PRODUCT, ORDER, RETURN, 3));
    }

    @Test
    void anOrderThatBoughtNothingHasNothingToReturn() {
        fixture.given(new ProductRegistered(PRODUCT, "Espresso beans", 10), new StockReserved(PRODUCT, ORDER, 3))
               .when(new ReturnStock(PRODUCT, ORDER, RETURN, 1))
               .expectEvents(new StockReturnRejected(PRODUCT, ORDER, RETURN, 1, "order order-1 has 0 to return"));
    }

    @Test
    void refusesAReturnOfNothing() {
        fixture.given(sold(3))
               .when(new ReturnStock(PRODUCT, ORDER, RETURN, 0))
               .expectException(IllegalArgumentException.class);
    }

    @Test
    void restockingMakesTheReturnedUnitsAvailableOnce() {
        fixture.given(sold(10)).andGiven(new StockReturned(PRODUCT, ORDER, RETURN, 4))
               .when(new RestockReturn(PRODUCT, ORDER, RETURN))
               .expectEvents(new ReturnRestocked(PRODUCT, ORDER, RETURN, 4));
        fixture.given(sold(10))
               .andGiven(new StockReturned(PRODUCT, ORDER, RETURN, 4), new ReturnRestocked(PRODUCT, ORDER, RETURN, 4))
               .when(new RestockReturn(PRODUCT, ORDER, RETURN))
               .expectNoEvents();
    }

    @Test
    void restockedUnitsCanBeReservedAgain() {
        fixture.given(sold(10))
               .andGiven(new StockReturned(PRODUCT, ORDER, RETURN, 4), new ReturnRestocked(PRODUCT, ORDER, RETURN, 4))
               .when(new ReserveStock(PRODUCT, "order-2", 4))
               .expectEvents(new StockReserved(PRODUCT, "order-2", 4));
    }

    @Test
    void aReturnThatHoldsNothingCannotBeRestocked() {
        fixture.given(sold(3)).andGiven(new StockReturnCancelled(PRODUCT, ORDER, RETURN, 0))
               .when(new RestockReturn(PRODUCT, ORDER, RETURN))
               .expectException(IllegalStateException.class);
    }

    @Test
    void cancellingGivesTheUnitsBackToTheOrder() {
        fixture.given(sold(3)).andGiven(new StockReturned(PRODUCT, ORDER, RETURN, 2))
               .when(new CancelStockReturn(PRODUCT, ORDER, RETURN))
               .expectEvents(new StockReturnCancelled(PRODUCT, ORDER, RETURN, 2));
    }

    @Test
    void aCancellationThatOvertakesItsReturnClosesTheProductToIt() {
        fixture.given(sold(3))
               .when(new CancelStockReturn(PRODUCT, ORDER, RETURN))
               .expectEvents(new StockReturnCancelled(PRODUCT, ORDER, RETURN, 0));
        fixture.given(sold(3)).andGiven(new StockReturnCancelled(PRODUCT, ORDER, RETURN, 0))
               .when(new ReturnStock(PRODUCT, ORDER, RETURN, 2))
               .expectNoEvents();
    }

    @Test
    void aRestockedReturnCannotBeCancelled() {
        fixture.given(sold(3))
               .andGiven(new StockReturned(PRODUCT, ORDER, RETURN, 2), new ReturnRestocked(PRODUCT, ORDER, RETURN, 2))
               .when(new CancelStockReturn(PRODUCT, ORDER, RETURN))
               .expectException(IllegalStateException.class);
    }
}
