package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The invariants under crashes. While clients place and cancel orders, each service in turn is killed with SIGKILL
 * at a random moment, and the launcher's supervisor must notice and start it again with no one asking; then the
 * PostgreSQL server is stopped as in a crash ({@code pg_ctl -m immediate}) and started again under the running
 * services. PostgreSQL runs with the durable settings the launcher uses. Afterwards every order that was acknowledged
 * must exist, every order must reach a terminal state within a bounded time, and stock, money and outcomes must agree
 * (invariants 1 to 4).
 */
@Order(1)
@ExtendWith(TestData.class)
class FaultInjectionTest {

    static final int MIN_ORDERS = 300;
    static final int CLIENTS = 8;
    static final int PRODUCTS = 8;
    static final int PRODUCT_STOCK = 90;
    static final int ACCOUNTS = 12;
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DRAIN_LIMIT = Duration.ofMinutes(4);

    final long seed = Long.getLong("sagaengine.faults.seed", System.nanoTime());
    final Random random = new Random(seed);
    final Set<String> accepted = ConcurrentHashMap.newKeySet();
    final AtomicInteger failedRequests = new AtomicInteger();
    final AtomicInteger cancellations = new AtomicInteger();
    final AtomicBoolean faultsDone = new AtomicBoolean();
    final List<String> faultLog = Collections.synchronizedList(new ArrayList<>());

    @Test
    void everySagaEndsAndNothingIsLostWhenServicesAndTheDatabaseCrashMidFlight() throws Exception {
        System.out.println("[faults] seed " + seed + " (rerun with -Dsagaengine.faults.seed=" + seed + ")");
        SystemSettings settings = RunningSystem.durable(RunningSystem.testSettings("faults", List.of(
                "--sagaengine.saga.step-timeout=" + STEP_TIMEOUT.toSeconds() + "s",
                "--sagaengine.saga.retry-interval=3s")));
        try (EmbeddedSystem system = new EmbeddedSystem(settings, line -> System.out.println("[faults] " + line))) {
            system.start();
            URI orders = system.uri(ORDER_SAGA);
            List<String> products = registerProducts(system.uri(INVENTORY));
            List<String> accounts = openAccounts(system.uri(PAYMENT));

            Instant started = Instant.now();
            ExecutorService threads = Executors.newFixedThreadPool(CLIENTS + 1);
            try {
                Future<?> faults = threads.submit(() -> injectFaults(system));
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    long clientSeed = random.nextLong();
                    clients.add(threads.submit(() -> placeOrders(orders, products, accounts, new Random(clientSeed))));
                }
                faults.get();
                for (Future<?> client : clients) {
                    client.get();
                }
            } finally {
                threads.shutdownNow();
            }
            Duration placing = Duration.between(started, Instant.now());

            // Orders whose POST failed in flight may exist too: the list of all orders is what must end.
            Invariants invariants = new Invariants(system);
            await().atMost(DRAIN_LIMIT).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() ->
                    allOrders(orders).stream().allMatch(Invariants::isTerminal));
            Duration draining = Duration.between(started, Instant.now());
            List<JsonNode> all = allOrders(orders);
            assertThat(all.stream().map(o -> o.get("orderId").asText()).toList())
                    .as("every acknowledged order exists").containsAll(accepted);
            for (String service : List.of(ORDER_SAGA, INVENTORY, PAYMENT)) {
                assertThat(system.restarts(service)).as("restarts of %s by the supervisor", service).isEqualTo(1);
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                   .untilAsserted(() -> invariants.assertHold(products, accounts, allOrders(orders)));

            Map<String, Long> outcomes = new java.util.TreeMap<>();
            all.forEach(o -> outcomes.merge(o.get("status").asText().equals("CONFIRMED") ? "confirmed"
                    : o.get("reason").asText().replaceAll("(?s)( for |:).*", ""), 1L, Long::sum));
            System.out.printf("[faults] %d orders (%d accepted, %d requests failed during faults, %d cancels), "
                              + "faults: %s; placing took %d s, all terminal %d s after the start; outcomes %s%n",
                              all.size(), accepted.size(), failedRequests.get(), cancellations.get(), faultLog,
                              placing.toSeconds(), draining.toSeconds(), outcomes);
            assertThat(accepted).hasSizeGreaterThanOrEqualTo(MIN_ORDERS);
            assertThat(outcomes.get("confirmed")).as("confirmed orders").isPositive();
        }
    }

    /**
     * Each service killed once at a random moment, in random order, and brought back by the supervisor; then the
     * database crashed and restarted.
     */
    private void injectFaults(EmbeddedSystem system) {
        try {
            List<String> services = new ArrayList<>(List.of(ORDER_SAGA, INVENTORY, PAYMENT));
            Collections.shuffle(services, random);
            for (String service : services) {
                Thread.sleep(3_000 + random.nextInt(5_000));
                Instant crashed = Instant.now();
                system.crash(service);
                await().atMost(Duration.ofSeconds(30)).until(() -> system.restarts(service) == 1);
                system.awaitHealthy(List.of(service));
                faultLog.add(service + " killed, restarted by the supervisor, healthy after "
                             + Duration.between(crashed, Instant.now()).toSeconds() + " s");
            }
            Thread.sleep(3_000 + random.nextInt(5_000));
            Instant stopping = Instant.now();
            system.restartPostgres(Duration.ofSeconds(2), true);
            system.awaitHealthy(List.of(ORDER_SAGA, INVENTORY, PAYMENT));
            faultLog.add("PostgreSQL stopped immediately and restarted, all healthy in " + Duration.between(stopping, Instant.now()).toSeconds()
                         + " s");
        } catch (Exception e) {
            throw new IllegalStateException("fault injection failed", e);
        } finally {
            faultsDone.set(true);
        }
    }

    /** One client: an order every two seconds or so until the faults are over and enough orders were accepted. */
    private void placeOrders(URI orders, List<String> products, List<String> accounts, Random client) {
        while (!faultsDone.get() || accepted.size() < MIN_ORDERS) {
            List<String> chosen = new ArrayList<>(products);
            Collections.shuffle(chosen, client);
            List<Map<String, Object>> lines = new ArrayList<>();
            for (String productId : chosen.subList(0, 1 + client.nextInt(2))) {
                lines.add(Map.of("productId", productId, "quantity", 1 + client.nextInt(2),
                                 "unitPrice", 100 + client.nextInt(400)));
            }
            try {
                Api.Response response = Api.post(orders, "/orders", Map.of(
                        "accountId", accounts.get(client.nextInt(accounts.size())), "currency", "EUR",
                        "lines", lines));
                if (response.status() == 202) {
                    String orderId = response.body().get("orderId").asText();
                    accepted.add(orderId);
                    if (client.nextInt(20) == 0) {
                        cancel(orders, orderId);
                    }
                } else {
                    assertThat(response.status()).as("refusal of a well-formed order during a fault").isIn(500, 503);
                    failedRequests.incrementAndGet();
                }
            } catch (java.io.UncheckedIOException unreachable) {
                failedRequests.incrementAndGet();
            }
            sleep(faultsDone.get() ? 100 : 1_500 + client.nextInt(2_000));
        }
    }

    private void cancel(URI orders, String orderId) {
        try {
            if (Api.post(orders, "/orders/" + orderId + "/cancel", "").status() == 202) {
                cancellations.incrementAndGet();
            }
        } catch (java.io.UncheckedIOException unreachable) {
            failedRequests.incrementAndGet();
        }
    }

    private List<String> registerProducts(URI inventory) {
        List<String> products = new ArrayList<>();
        for (int p = 0; p < PRODUCTS; p++) {
            String productId = "product-" + p;
            assertThat(Api.post(inventory, "/products", Map.of("productId", productId, "name", "Product " + p,
                                                               "initialQuantity", PRODUCT_STOCK)).status())
                    .isEqualTo(201);
            products.add(productId);
        }
        return products;
    }

    private List<String> openAccounts(URI payments) {
        List<String> accounts = new ArrayList<>();
        for (int a = 0; a < ACCOUNTS; a++) {
            String accountId = "account-" + a;
            assertThat(Api.post(payments, "/accounts", Map.of("accountId", accountId, "owner", "Customer " + a,
                                                              "currency", "EUR")).status()).isEqualTo(201);
            long deposit = a % 3 == 0 ? 2_000 : 1_000_000;
            assertThat(Api.post(payments, "/accounts/" + accountId + "/deposits", Map.of("amount", deposit))
                          .status()).isEqualTo(202);
            accounts.add(accountId);
        }
        return accounts;
    }

    private static List<JsonNode> allOrders(URI orders) {
        List<JsonNode> all = new ArrayList<>();
        for (int offset = 0; ; offset += 1000) {
            JsonNode page = Api.get(orders, "/orders?limit=1000&offset=" + offset).body();
            page.forEach(all::add);
            if (page.size() < 1000) {
                return all;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
