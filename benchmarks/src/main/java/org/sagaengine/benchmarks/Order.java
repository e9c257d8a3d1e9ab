package org.sagaengine.benchmarks;

import java.util.List;

/** One order of the benchmark: 1-2 lines against one account, the same work for every approach. */
public record Order(String orderId, String accountId, List<Line> lines) {

    public record Line(String productId, int quantity, long unitPrice) {
    }

    public long amount() {
        return lines.stream().mapToLong(line -> line.quantity() * line.unitPrice()).sum();
    }
}
