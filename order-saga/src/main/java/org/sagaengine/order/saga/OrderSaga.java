package org.sagaengine.order.saga;

import java.util.ArrayList;
import java.util.List;

import org.sagaengine.engine.SagaDefinition;
import org.sagaengine.engine.SagaInstance;
import org.sagaengine.engine.Step;
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
 * Carries one order across inventory and payment: reserve every line, charge the account, commit every line, confirm.
 * Until the payment is charged, a refusal, a timeout or a cancellation releases every line asked for and refunds the
 * charge asked for, and the order is rejected once each is acknowledged. Once charged, it only goes forward.
 */
public class OrderSaga extends SagaInstance {

    String orderId;
    String accountId;
    String currency;
    long totalAmount;
    List<OrderLine> lines = new ArrayList<>();

    public static final SagaDefinition<OrderSaga> DEFINITION =
            SagaDefinition.of("order", OrderSaga.class, OrderSaga::new)
                          .associatedBy("orderId")
                          .startedBy(OrderPlaced.class, OrderSaga::placed)
                          .step(Step.<OrderSaga, OrderLine>forEach("RESERVING_STOCK", saga -> saga.lines,
                                                                   OrderLine::productId)
                                    .send((saga, line) -> new ReserveStock(line.productId(), saga.orderId,
                                                                           line.quantity()))
                                    .doneOn(StockReserved.class, StockReserved::productId)
                                    .refusedOn(StockReservationRejected.class, StockReservationRejected::productId,
                                               rejected -> "out of stock: " + rejected.productId())
                                    .compensateWith((saga, line) -> new ReleaseStock(line.productId(), saga.orderId))
                                    .compensatedOn(StockReleased.class, StockReleased::productId)
                                    .deadline("stock-reservation-deadline")
                                    .sentTo("product")
                                    .describedBy(OrderSaga::lineCount))
                          .pivot(Step.<OrderSaga>once("CHARGING_PAYMENT", saga -> saga.accountId)
                                     .send(saga -> new ChargePayment(saga.accountId, saga.orderId, saga.totalAmount,
                                                                     saga.currency))
                                     .doneOn(PaymentCharged.class)
                                     .refusedOn(PaymentDeclined.class,
                                                declined -> "payment declined: " + declined.reason())
                                     .compensateWith(saga -> new RefundPayment(saga.accountId, saga.orderId))
                                     .compensatedOn(PaymentRefunded.class)
                                     .deadline("payment-deadline")
                                     .sentTo("account")
                                     .describedBy(saga -> saga.totalAmount + " " + saga.currency))
                          .step(Step.<OrderSaga, OrderLine>forEach("COMMITTING_STOCK", saga -> saga.lines,
                                                                   OrderLine::productId)
                                    .send((saga, line) -> new CommitStock(line.productId(), saga.orderId))
                                    .doneOn(StockCommitted.class, StockCommitted::productId)
                                    .sentTo("product")
                                    .describedBy(OrderSaga::lineCount))
                          .cancelledBy(OrderCancellationRequested.class, "cancelled")
                          .succeedWith(Step.<OrderSaga>once("CONFIRMING_ORDER", saga -> saga.orderId)
                                           .send(saga -> new ConfirmOrder(saga.orderId))
                                           .doneOn(OrderConfirmed.class)
                                           .sentTo("order"), "CONFIRMED")
                          .failWith(Step.<OrderSaga>once("REJECTING_ORDER", saga -> saga.orderId)
                                        .send(saga -> new RejectOrder(saga.orderId, saga.failureReason()))
                                        .doneOn(OrderRejected.class)
                                        .sentTo("order"), "REJECTED")
                          .build();

    private static String lineCount(OrderSaga saga) {
        return saga.lines.size() + " line(s)";
    }

    private static void placed(OrderSaga saga, OrderPlaced placed) {
        saga.orderId = placed.orderId();
        saga.accountId = placed.accountId();
        saga.currency = placed.currency();
        saga.totalAmount = placed.totalAmount();
        saga.lines = new ArrayList<>(placed.lines());
    }
}
