package org.sagaengine.order.api;

import java.util.List;

/**
 * A return the return saga carries out: {@code lines} are the returned units at the price the order paid, and
 * {@code amount}, in minor units of {@code currency}, is what the account gets back.
 */
public record ReturnRequested(String orderId, String returnId, String accountId, String currency,
                              List<OrderLine> lines, long amount) {
}
