package org.sagaengine.inventory.domain;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.util.HashMap;
import java.util.Map;

import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;
import org.sagaengine.inventory.api.CommitStock;
import org.sagaengine.inventory.api.ProductRegistered;
import org.sagaengine.inventory.api.ProductRestocked;
import org.sagaengine.inventory.api.RegisterProduct;
import org.sagaengine.inventory.api.ReleaseStock;
import org.sagaengine.inventory.api.ReserveStock;
import org.sagaengine.inventory.api.RestockProduct;
import org.sagaengine.inventory.api.StockCommitted;
import org.sagaengine.inventory.api.StockReleased;
import org.sagaengine.inventory.api.StockReservationRejected;
import org.sagaengine.inventory.api.StockReserved;

/**
 * The stock of one product. It remembers every order that has asked for it, so that a command delivered twice has no
 * second effect, and a release that overtakes its reservation still leaves nothing held.
 */
@Aggregate(snapshotTriggerDefinition = "stockSnapshotTrigger", cache = "stockCache")
public class ProductStock {

    static final String INSUFFICIENT_STOCK = "insufficient stock";

    @AggregateIdentifier
    private String productId;
    private int availableQuantity;
    private Map<String, OrderHold> holds = new HashMap<>();

    protected ProductStock() {
    }

    @CommandHandler
    public ProductStock(RegisterProduct command) {
        if (command.name() == null || command.name().isBlank()) {
            throw new IllegalArgumentException("A product needs a name.");
        }
        if (command.initialQuantity() < 0) {
            throw new IllegalArgumentException("The initial quantity cannot be negative.");
        }
        apply(new ProductRegistered(command.productId(), command.name(), command.initialQuantity()));
    }

    @CommandHandler
    public void handle(RestockProduct command) {
        if (command.quantity() <= 0) {
            throw new IllegalArgumentException("A restock must add at least one unit.");
        }
        apply(new ProductRestocked(productId, command.quantity()));
    }

    @CommandHandler
    public void handle(ReserveStock command) {
        if (command.quantity() <= 0) {
            throw new IllegalArgumentException("A reservation must be for at least one unit.");
        }
        if (holds.containsKey(command.orderId())) {
            return;
        }
        if (command.quantity() > availableQuantity) {
            apply(new StockReservationRejected(productId, command.orderId(), command.quantity(), availableQuantity,
                                               INSUFFICIENT_STOCK));
        } else {
            apply(new StockReserved(productId, command.orderId(), command.quantity()));
        }
    }

    @CommandHandler
    public void handle(ReleaseStock command) {
        OrderHold hold = holds.get(command.orderId());
        if (hold == null || hold.state() == HoldState.REJECTED) {
            apply(new StockReleased(productId, command.orderId(), 0));
        } else if (hold.state() == HoldState.RESERVED) {
            apply(new StockReleased(productId, command.orderId(), hold.quantity()));
        } else if (hold.state() == HoldState.COMMITTED) {
            throw new IllegalStateException(
                    "Order " + command.orderId() + " has committed its stock of " + productId + "; it cannot be released.");
        }
    }

    @CommandHandler
    public void handle(CommitStock command) {
        OrderHold hold = holds.get(command.orderId());
        if (hold != null && hold.state() == HoldState.COMMITTED) {
            return;
        }
        if (hold == null || hold.state() != HoldState.RESERVED) {
            throw new IllegalStateException(
                    "Order " + command.orderId() + " holds no reservation of " + productId + " to commit.");
        }
        apply(new StockCommitted(productId, command.orderId(), hold.quantity()));
    }

    @EventSourcingHandler
    void on(ProductRegistered event) {
        productId = event.productId();
        availableQuantity = event.initialQuantity();
    }

    @EventSourcingHandler
    void on(ProductRestocked event) {
        availableQuantity += event.quantity();
    }

    @EventSourcingHandler
    void on(StockReserved event) {
        availableQuantity -= event.quantity();
        holds.put(event.orderId(), new OrderHold(event.quantity(), HoldState.RESERVED));
    }

    @EventSourcingHandler
    void on(StockReservationRejected event) {
        holds.put(event.orderId(), new OrderHold(0, HoldState.REJECTED));
    }

    @EventSourcingHandler
    void on(StockReleased event) {
        availableQuantity += event.quantity();
        holds.put(event.orderId(), new OrderHold(0, HoldState.RELEASED));
    }

    @EventSourcingHandler
    void on(StockCommitted event) {
        holds.put(event.orderId(), new OrderHold(event.quantity(), HoldState.COMMITTED));
    }

    enum HoldState { RESERVED, REJECTED, RELEASED, COMMITTED }

    record OrderHold(int quantity, HoldState state) {
    }
}
