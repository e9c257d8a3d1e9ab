package org.sagaengine.order.saga;

import java.util.ArrayList;
import java.util.List;

import org.sagaengine.engine.SagaDefinition;
import org.sagaengine.engine.SagaInstance;
import org.sagaengine.engine.Step;
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

/**
 * Carries one return of a confirmed order: take the returned units back into stock, held under the return; refund
 * their price to the account (the pivot); put the units back on sale; complete the return. If the refund is refused,
 * the account closed say, the units go back to the order and the return is rejected with the reason. A refund cannot
 * be taken back once paid, so the engine waits for the account's answer to it, resending it, rather than timing out.
 */
public class ReturnSaga extends SagaInstance {

    String returnId;
    String orderId;
    String accountId;
    String currency;
    long amount;
    List<OrderLine> lines = new ArrayList<>();

    public static final SagaDefinition<ReturnSaga> DEFINITION =
            SagaDefinition.of("return", ReturnSaga.class, ReturnSaga::new)
                          .associatedBy("returnId")
                          .startedBy(ReturnRequested.class, ReturnSaga::requested)
                          .step(Step.<ReturnSaga, OrderLine>forEach("RECEIVING_STOCK", saga -> saga.lines,
                                                                    OrderLine::productId)
                                    .send((saga, line) -> new ReturnStock(line.productId(), saga.orderId,
                                                                          saga.returnId, line.quantity()))
                                    .doneOn(StockReturned.class, StockReturned::productId)
                                    .refusedOn(StockReturnRejected.class, StockReturnRejected::productId,
                                               rejected -> "not returnable: " + rejected.reason())
                                    .compensateWith((saga, line) -> new CancelStockReturn(line.productId(),
                                                                                          saga.orderId, saga.returnId))
                                    .compensatedOn(StockReturnCancelled.class, StockReturnCancelled::productId)
                                    .deadline("stock-return-deadline")
                                    .sentTo("product")
                                    .describedBy(ReturnSaga::lineCount))
                          .pivot(Step.<ReturnSaga>once("REFUNDING", saga -> saga.accountId)
                                     .send(saga -> new RefundReturn(saga.accountId, saga.orderId, saga.returnId,
                                                                    saga.amount))
                                     .doneOn(ReturnRefunded.class)
                                     .refusedOn(ReturnRefundRefused.class,
                                                refused -> "refund refused: " + refused.reason())
                                     .sentTo("account")
                                     .describedBy(saga -> saga.amount + " " + saga.currency))
                          .step(Step.<ReturnSaga, OrderLine>forEach("RESTOCKING", saga -> saga.lines,
                                                                    OrderLine::productId)
                                    .send((saga, line) -> new RestockReturn(line.productId(), saga.orderId,
                                                                            saga.returnId))
                                    .doneOn(ReturnRestocked.class, ReturnRestocked::productId)
                                    .sentTo("product")
                                    .describedBy(ReturnSaga::lineCount))
                          .succeedWith(Step.<ReturnSaga>once("COMPLETING_RETURN", saga -> saga.returnId)
                                           .send(saga -> new CompleteReturn(saga.orderId, saga.returnId))
                                           .doneOn(ReturnCompleted.class)
                                           .sentTo("return"), "COMPLETED")
                          .failWith(Step.<ReturnSaga>once("REJECTING_RETURN", saga -> saga.returnId)
                                        .send(saga -> new RejectReturn(saga.orderId, saga.returnId,
                                                                       saga.failureReason()))
                                        .doneOn(ReturnRejected.class)
                                        .sentTo("return"), "REJECTED")
                          .build();

    private static String lineCount(ReturnSaga saga) {
        return saga.lines.size() + " line(s)";
    }

    private static void requested(ReturnSaga saga, ReturnRequested requested) {
        saga.returnId = requested.returnId();
        saga.orderId = requested.orderId();
        saga.accountId = requested.accountId();
        saga.currency = requested.currency();
        saga.amount = requested.amount();
        saga.lines = new ArrayList<>(requested.lines());
    }
}
