package org.sagaengine.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The orders of a run: 1-2 lines of different products, one unit each at 100, against one account. Uncontended, they
 * spread over many products and accounts, so that two orders rarely touch the same row; contended, every order
 * touches a few hot rows.
 */
public record Mix(String name, int products, int accounts) {

    public static final Mix UNCONTENDED = new Mix("uncontended", 500, 500);
    public static final Mix CONTENDED = new Mix("contended", 4, 4);

    /** Enough stock and money that no order is refused for want of either: the work is the same for every order. */
    public static final int STOCK = 10_000_000;
    public static final long BALANCE = 1_000_000_000_000L;

    public List<String> productIds(String run) {
        List<String> ids = new ArrayList<>();
        for (int p = 0; p < products; p++) {
            ids.add(run + "-p" + p);
        }
        return ids;
    }

    public List<String> accountIds(String run) {
        List<String> ids = new ArrayList<>();
        for (int a = 0; a < accounts; a++) {
            ids.add(run + "-a" + a);
        }
        return ids;
    }

    /** Order {@code i} of the run; the same {@code i} and seed give the same order. */
    public Order order(String run, long i, Random random) {
        int lines = products > 1 ? 1 + random.nextInt(2) : 1;
        int first = random.nextInt(products);
        List<Order.Line> chosen = new ArrayList<>();
        chosen.add(new Order.Line(run + "-p" + first, 1, 100));
        if (lines == 2) {
            chosen.add(new Order.Line(run + "-p" + ((first + 1 + random.nextInt(products - 1)) % products), 1, 100));
        }
        return new Order(run + "-o" + i, run + "-a" + random.nextInt(accounts), List.copyOf(chosen));
    }
}
