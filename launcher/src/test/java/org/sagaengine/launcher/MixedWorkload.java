package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A concurrent mixed workload driven only over HTTP against the three services running as separate processes, and
 * the invariants 1 to 4 of docs/architecture.md checked after it. Stock and balances are sized so that orders are
 * confirmed, rejected for stock and rejected for payment; some are cancelled while pending. Confirmed orders are
 * partly returned while the other orders still run, so that returned units go back on sale while orders reserve the
 * same products; one account is closed at the end and a return of its order is rejected. The 16 clients place orders
 * as fast as they are answered, faster than the system ends them, so admission may refuse some; they come back after
 * Retry-After, as a client should. Run against either topology.
 */
final class MixedWorkload {

    static final int ORDERS = 240;
    static final int PRODUCTS = 6;
    /**
     * Fewer units (216 in all) than the accounts that can pay for every order they place ask for (256 with this
     * seed), so that some orders are rejected for stock however the orders interleave: one at a time, as admission
     * may let them in, as well as all at once.
     */
    static final int PRODUCT_STOCK = 36;
    static final int ACCOUNTS = 10;
    static final int CANCELLATIONS = 12;
    static final int RETURNS = 12;

    final URI orders;
    final URI inventory;
    final URI payments;
    final Invariants invariants;
    final String label;
    final Random random = new Random(20261122);
    /** How often an order was refused with 503 and its client came back after Retry-After. */
    final AtomicInteger refusals = new AtomicInteger();

    /** @param label how the figures line it prints is marked, {@code workload} for the embedded topology */
    MixedWorkload(EmbeddedSystem system, String label) {
        this.orders = system.uri(ORDER_SAGA);
        this.inventory = system.uri(INVENTORY);
        this.payments = system.uri(PAYMENT);
        this.invariants = new Invariants(system);
        this.label = label;
    }

    /** Places the orders, waits until every one has ended, and asserts the invariants and the mix of outcomes. */
    void run() throws Exception {
        String run = "w" + Long.toString(System.nanoTime(), 36);
        List<String> products = new ArrayList<>();
        for (int p = 0; p < PRODUCTS; p++) {
            String productId = run + "-product-" + p;
            assertThat(Api.post(inventory, "/products", Map.of(
                    "productId", productId, "name", "Product " + p, "initialQuantity", PRODUCT_STOCK)).status())
                    .isEqualTo(201);
            products.add(productId);
        }
        List<String> accounts = new ArrayList<>();
        for (int a = 0; a < ACCOUNTS; a++) {
            String accountId = run + "-account-" + a;
            assertThat(Api.post(payments, "/accounts", Map.of(
                    "accountId", accountId, "owner", "Customer " + a, "currency", "EUR")).status()).isEqualTo(201);
            // Half the accounts can pay for one or two orders, the other half for all they will place.
            long deposit = a % 2 == 0 ? 1_500 : 1_000_000;
            assertThat(Api.post(payments, "/accounts/" + accountId + "/deposits", Map.of("amount", deposit)).status())
                    .isEqualTo(202);
            accounts.add(accountId);
        }

        Instant placingStarted = Instant.now();
        List<String> orderIds = placeConcurrently(products, accounts);
        Duration placing = Duration.between(placingStarted, Instant.now());
        String closing = accounts.get(1);
        List<String[]> returns = returnAsTheyConfirm(orderIds, closing);

        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() ->
                invariants.orderViews(orderIds).stream().allMatch(Invariants::isTerminal));
        Duration draining = Duration.between(placingStarted, Instant.now());
        String[] refused = returnFromClosedAccount(orderIds, closing);
        List<String[]> allReturns = new ArrayList<>(returns);
        if (refused != null) {
            allReturns.add(refused);
        }
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> allReturns.stream().allMatch(
                r -> Invariants.isTerminalReturn(Api.get(orders, "/orders/" + r[0] + "/returns/" + r[1]).body())));

        // The participants' read models follow their events a moment later; a broken invariant never converges.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            invariants.assertHold(products, accounts, invariants.orderViews(orderIds));
        });

        List<JsonNode> finished = invariants.orderViews(orderIds);
        long confirmed = finished.stream().filter(o -> o.get("status").asText().equals("CONFIRMED")).count();
        long outOfStock = countReason(finished, "out of stock");
        long declined = countReason(finished, "payment declined");
        long cancelled = countReason(finished, "cancelled");
        // A correct outcome too, on a machine slow enough for a step to outlast its deadline.
        long timedOut = countReason(finished, "timeout");
        assertThat(confirmed).as("confirmed").isPositive();
        assertThat(outOfStock).as("rejected for stock").isPositive();
        assertThat(declined).as("rejected for payment").isPositive();
        assertThat(confirmed + outOfStock + declined + cancelled + timedOut).as("orders with a known outcome")
                                                                       .isEqualTo(ORDERS);
        long returnsCompleted = returns.stream().filter(r -> Api.get(orders, "/orders/" + r[0] + "/returns/" + r[1])
                                                               .body().get("status").asText().equals("COMPLETED"))
                                       .count();
        assertThat(returnsCompleted).as("returns completed").isPositive();
        if (refused != null) {
            JsonNode rejected = Api.get(orders, "/orders/" + refused[0] + "/returns/" + refused[1]).body();
            assertThat(rejected.get("status").asText()).isEqualTo("REJECTED");
            assertThat(rejected.get("reason").asText()).isEqualTo("refund refused: account closed");
        }

        System.out.printf("[" + label + "] %d orders placed in %d ms (%d times refused with 503 and sent again), all "
                          + "terminal after %d ms: %d confirmed, %d out of stock, %d payment declined, %d cancelled, %d "
                          + "timed out; placed-to-terminal median %d ms, p95 %d ms; %d returns while orders ran, %d "
                          + "completed, %d from a closed account rejected%n",
                          ORDERS, placing.toMillis(), refusals.get(), draining.toMillis(), confirmed, outOfStock,
                          declined, cancelled, timedOut, percentile(finished, 50), percentile(finished, 95),
                          returns.size(), returnsCompleted, refused == null ? 0 : 1);
    }

    /**
     * Returns one unit of the first line of each order as it is confirmed, up to {@link #RETURNS}, while the others
     * still run; none of the account that will be closed. Gives each return as its order id and return id.
     */
    private List<String[]> returnAsTheyConfirm(List<String> orderIds, String closing) throws InterruptedException {
        List<String[]> returns = new ArrayList<>();
        Set<String> ours = new HashSet<>(orderIds);
        Set<String> asked = new HashSet<>();
        Instant until = Instant.now().plus(Duration.ofMinutes(4));
        while (returns.size() < RETURNS && Instant.now().isBefore(until)) {
            // One request for the confirmed orders, not one per order: the workload is what is being measured.
            JsonNode confirmed = Api.get(orders, "/orders?status=CONFIRMED&limit=1000").body();
            for (JsonNode order : confirmed) {
                String orderId = order.get("orderId").asText();
                if (returns.size() < RETURNS && ours.contains(orderId)
                        && !order.get("accountId").asText().equals(closing) && asked.add(orderId)) {
                    returns.add(new String[] {orderId, requestReturn(order)});
                }
            }
            boolean stillPending = false;
            for (JsonNode order : Api.get(orders, "/orders?status=PENDING&limit=1000").body()) {
                stillPending |= ours.contains(order.get("orderId").asText());
            }
            if (!stillPending) {
                break;
            }
            Thread.sleep(250);
        }
        return returns;
    }

    /** Closes the account and returns a unit of one of its confirmed orders, if it has one. */
    private String[] returnFromClosedAccount(List<String> orderIds, String closing) {
        assertThat(Api.post(payments, "/accounts/" + closing + "/close", Map.of()).status()).isEqualTo(202);
        return invariants.orderViews(orderIds).stream()
                         .filter(order -> order.get("accountId").asText().equals(closing))
                         .filter(order -> order.get("status").asText().equals("CONFIRMED"))
                         .findFirst()
                         .map(order -> new String[] {order.get("orderId").asText(), requestReturn(order)})
                         .orElse(null);
    }

    private String requestReturn(JsonNode order) {
        JsonNode line = order.get("lines").get(0);
        Api.Response response = Api.post(orders, "/orders/" + order.get("orderId").asText() + "/returns", Map.of(
                "lines", List.of(Map.of("productId", line.get("productId").asText(), "quantity", 1))));
        assertThat(response.status()).as("returning a unit of %s", order.get("orderId").asText()).isEqualTo(202);
        return response.body().get("returnId").asText();
    }

    private List<String> placeConcurrently(List<String> products, List<String> accounts) throws Exception {
        List<Map<String, Object>> requests = new ArrayList<>();
        for (int i = 0; i < ORDERS; i++) {
            List<String> chosen = new ArrayList<>(products);
            Collections.shuffle(chosen, random);
            List<Map<String, Object>> lines = new ArrayList<>();
            for (String productId : chosen.subList(0, 1 + random.nextInt(2))) {
                lines.add(Map.of("productId", productId, "quantity", 1 + random.nextInt(2),
                                 "unitPrice", 100 + random.nextInt(400)));
            }
            requests.add(Map.of("accountId", accounts.get(random.nextInt(accounts.size())), "currency", "EUR",
                                "lines", lines));
        }
        ExecutorService clients = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> placed = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                Map<String, Object> request = requests.get(i);
                boolean cancelled = i >= requests.size() - CANCELLATIONS;
                placed.add(clients.submit(() -> {
                    Api.Response response = placeAsAClientShould(request);
                    assertThat(response.status()).isEqualTo(202);
                    assertThat(response.location()).startsWith("/orders/");
                    String orderId = response.body().get("orderId").asText();
                    if (cancelled) {
                        cancel(orderId);
                    }
                    return orderId;
                }));
            }
            List<String> orderIds = new ArrayList<>();
            for (Future<String> future : placed) {
                orderIds.add(future.get());
            }
            return orderIds;
        } finally {
            clients.shutdown();
        }
    }

    /**
     * Places an order as a client should: refused with 503 (at admission, when the system holds as much as it can
     * finish soon, or at the service's limit of requests at once), it waits as {@code Retry-After} says and sends the
     * order again. A refused order left nothing, so sending it again places it once. Gives the last answer, a 503
     * only after two minutes of refusals.
     */
    private Api.Response placeAsAClientShould(Map<String, Object> request) throws InterruptedException {
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(2));
        while (true) {
            Api.Response response = Api.post(orders, "/orders", request);
            if (response.status() != 503 || Instant.now().isAfter(giveUp)) {
                return response;
            }
            assertThat(response.retryAfter()).as("a refusal says when to come back").matches("[1-9][0-9]*");
            refusals.incrementAndGet();
            TimeUnit.SECONDS.sleep(Long.parseLong(response.retryAfter()));
        }
    }

    /**
     * Cancels an order the moment it is accepted, while its saga has barely started: a cancellation is accepted while
     * the order is pending, and refused with 409 once it has ended.
     */
    private void cancel(String orderId) {
        Api.Response response = Api.post(orders, "/orders/" + orderId + "/cancel", "");
        assertThat(response.status()).isIn(202, 409);
    }

    private static long countReason(List<JsonNode> orders, String reasonPrefix) {
        return orders.stream()
                     .filter(o -> o.get("status").asText().equals("REJECTED"))
                     .filter(o -> o.get("reason").asText().startsWith(reasonPrefix))
                     .count();
    }

    private static long percentile(List<JsonNode> orders, int percent) {
        List<Long> millis = orders.stream()
                                  .map(o -> Duration.between(OffsetDateTime.parse(o.get("placedAt").asText()),
                                                             OffsetDateTime.parse(o.get("updatedAt").asText()))
                                                    .toMillis())
                                  .sorted()
                                  .toList();
        return millis.get(Math.min(millis.size() - 1, millis.size() * percent / 100));
    }
}
