package org.sagaengine.order.domain;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;
import org.sagaengine.order.api.CancelOrder;
import org.sagaengine.order.api.ConfirmOrder;
import org.sagaengine.order.api.OrderCancellationRequested;
import org.sagaengine.order.api.OrderConfirmed;
import org.sagaengine.order.api.OrderLine;
import org.sagaengine.order.api.OrderPlaced;
import org.sagaengine.order.api.OrderRejected;
import org.sagaengine.order.api.PlaceOrder;
import org.sagaengine.order.api.RejectOrder;

/**
 * An order from placement to its one outcome. It does not reserve or charge anything itself: the order saga reacts to
 * {@link OrderPlaced} and ends it with {@link ConfirmOrder} or {@link RejectOrder}.
 */
@Aggregate
public class Order {

    static final int MAX_LINES = 50;
    /** The largest total an order may have, in minor units: far beyond any real order, far below overflow. */
    static final long MAX_TOTAL = 1_000_000_000_000_000L;

    @AggregateIdentifier
    private String orderId;
    private OrderStatus status;
    private boolean cancellationRequested;

    protected Order() {
    }

    @CommandHandler
    public Order(PlaceOrder command) {
        List<OrderLine> lines = command.lines();
        if (command.accountId() == null || command.accountId().isBlank()) {
            throw new IllegalArgumentException("An order needs an account to pay from.");
        }
        if (command.currency() == null || !command.currency().matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("The currency must be an ISO 4217 code such as EUR.");
        }
        if (lines == null || lines.isEmpty() || lines.size() > MAX_LINES) {
            throw new IllegalArgumentException("An order has from 1 to " + MAX_LINES + " lines.");
        }
        Set<String> products = new HashSet<>();
        long total = 0;
        for (OrderLine line : lines) {
            if (line.quantity() <= 0) {
                throw new IllegalArgumentException("Each line needs a quantity of at least one.");
            }
            if (line.unitPrice() < 0) {
                throw new IllegalArgumentException("A unit price cannot be negative.");
            }
            if (!products.add(line.productId())) {
                throw new IllegalArgumentException("Product " + line.productId() + " appears on more than one line.");
            }
            try {
                total = Math.addExact(total, Math.multiplyExact(line.unitPrice(), (long) line.quantity()));
            } catch (ArithmeticException tooLarge) {
                throw new IllegalArgumentException("The order total is too large.");
            }
        }
        if (total <= 0 || total > MAX_TOTAL) {
            throw new IllegalArgumentException("The order total must be positive and at most " + MAX_TOTAL + ".");
        }
        apply(new OrderPlaced(command.orderId(), command.accountId(), command.currency(), List.copyOf(lines), total));
    }

    @CommandHandler
    public void handle(ConfirmOrder command) {
        if (status == OrderStatus.CONFIRMED) {
            return;
        }
        if (status == OrderStatus.REJECTED) {
            throw new IllegalStateException("Order " + orderId + " was rejected; it cannot be confirmed.");
        }
        apply(new OrderConfirmed(orderId));
    }

    @CommandHandler
    public void handle(RejectOrder command) {
        if (status == OrderStatus.REJECTED) {
            return;
        }
        if (status == OrderStatus.CONFIRMED) {
            throw new IllegalStateException("Order " + orderId + " was confirmed; it cannot be rejected.");
        }
        apply(new OrderRejected(orderId, command.reason()));
    }

    @CommandHandler
    public void handle(CancelOrder command) {
        if (status != OrderStatus.PENDING) {
            throw new IllegalStateException("Order " + orderId + " is " + status + "; only a pending order can be cancelled.");
        }
        if (!cancellationRequested) {
            apply(new OrderCancellationRequested(orderId));
        }
    }

    @EventSourcingHandler
    void on(OrderPlaced event) {
        orderId = event.orderId();
        status = OrderStatus.PENDING;
    }

    @EventSourcingHandler
    void on(OrderConfirmed event) {
        status = OrderStatus.CONFIRMED;
    }

    @EventSourcingHandler
    void on(OrderRejected event) {
        status = OrderStatus.REJECTED;
    }

    @EventSourcingHandler
    void on(OrderCancellationRequested event) {
        cancellationRequested = true;
    }
}
