package org.sagaengine.order.api;

import java.util.List;

/** {@code totalAmount} is in minor units of {@code currency}. */
public record OrderPlaced(String orderId, String accountId, String currency, List<OrderLine> lines,
                          long totalAmount) {
}
