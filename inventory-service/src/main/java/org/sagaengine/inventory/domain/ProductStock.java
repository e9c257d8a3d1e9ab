package org.sagaengine.inventory.domain;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.util.HashMap;
import java.util.Map;

import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;
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

/**
 * The stock of one product. It remembers every order that has asked for it, so that a command delivered twice has no
 * second effect, and a release that overtakes its reservation still leaves nothing held. It remembers every return
 * the same way, and takes back no more of an order than the order bought.
 */
@Aggregate(snapshotTriggerDefinition = "stockSnapshotTrigger", cache = "stockCache")
public class ProductStock {

    static final String INSUFFICIENT_STOCK = "insufficient stock";

    @AggregateIdentifier
    private String productId;
    private int availableQuantity;
    private Map<String, OrderHold> holds = new HashMap<>();
    private Map<String, ReturnHold> returns = new HashMap<>();

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

    @CommandHandler
    public void handle(ReturnStock command) {
        if (command.quantity() <= 0) {
            throw new IllegalArgumentException("A return must be of at least one unit.");
        }
        if (returns.containsKey(command.returnId())) {
            return;
        }
        OrderHold sold = holds.get(command.orderId());
        int returnable = sold == null || sold.state() != HoldState.COMMITTED
                         ? 0 : sold.quantity() - returnedBy(command.orderId());
        if (command.quantity() > returnable) {
            apply(new StockReturnRejected(productId, command.orderId(), command.returnId(), command.quantity(),
                                          "order " + command.orderId() + " has " + returnable + " to return"));
        } else {
            apply(new StockReturned(productId, command.orderId(), command.returnId(), command.quantity()));
        }
    }

    @CommandHandler
    public void handle(RestockReturn command) {
        ReturnHold hold = returns.get(command.returnId());
        if (hold != null && hold.state() == ReturnState.RESTOCKED) {
            return;
        }
        if (hold == null || hold.state() != ReturnState.RETURNED) {
            throw new IllegalStateException(
                    "Return " + command.returnId() + " holds no stock of " + productId + " to restock.");
        }
        apply(new ReturnRestocked(productId, hold.orderId(), command.returnId(), hold.quantity()));
    }

    @CommandHandler
    public void handle(CancelStockReturn command) {
        ReturnHold hold = returns.get(command.returnId());
        if (hold == null || hold.state() == ReturnState.REJECTED) {
            apply(new StockReturnCancelled(productId, command.orderId(), command.returnId(), 0));
        } else if (hold.state() == ReturnState.RETURNED) {
            apply(new StockReturnCancelled(productId, hold.orderId(), command.returnId(), hold.quantity()));
        } else if (hold.state() == ReturnState.RESTOCKED) {
            throw new IllegalStateException(
                    "Return " + command.returnId() + " has restocked " + productId + "; it cannot be cancelled.");
        }
    }

    /** What the order's returns hold or have put back on sale. */
    private int returnedBy(String orderId) {
        return returns.values().stream()
                      .filter(hold -> hold.orderId().equals(orderId))
                      .filter(hold -> hold.state() == ReturnState.RETURNED || hold.state() == ReturnState.RESTOCKED)
                      .mapToInt(ReturnHold::quantity)
                      .sum();
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

    @EventSourcingHandler
    void on(StockReturned event) {
        returns.put(event.returnId(), new ReturnHold(event.orderId(), event.quantity(), ReturnState.RETURNED));
    }

    @EventSourcingHandler
    void on(StockReturnRejected event) {
        returns.put(event.returnId(), new ReturnHold(event.orderId(), 0, ReturnState.REJECTED));
    }

    @EventSourcingHandler
    void on(ReturnRestocked event) {
        availableQuantity += event.quantity();
        returns.put(event.returnId(), new ReturnHold(event.orderId(), event.quantity(), ReturnState.RESTOCKED));
    }

    @EventSourcingHandler
    void on(StockReturnCancelled event) {
        returns.put(event.returnId(), new ReturnHold(event.orderId(), 0, ReturnState.CANCELLED));
    }

    enum HoldState { RESERVED, REJECTED, RELEASED, COMMITTED }

    enum ReturnState { RETURNED, REJECTED, RESTOCKED, CANCELLED }

    record ReturnHold(String orderId, int quantity, ReturnState state) {
    }

    record OrderHold(int quantity, HoldState state) {
    }
}
