package org.sagaengine.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sagaengine.launcher.EmbeddedSystem;
import org.sagaengine.launcher.SystemSettings;

/**
 * The real system, started as the launcher starts it (three service processes, durable PostgreSQL, the same JVM
 * options), but with the payment service's database on a PostgreSQL server of its own, so that it can stop alone;
 * driven over its REST API like any client. An order counts when it has ended: a poller lists the pending
 * orders every {@value #POLL_MILLIS} ms and reads each order that has left the list, so an outcome is seen up to
 * that much after it happened.
 */
final class SagaApproach implements Approach {

    static final long POLL_MILLIS = 50;

    private final EmbeddedSystem system;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final URI orders;
    private final URI inventory;
    private final URI payments;
    private final Map<String, CompletableFuture<String>> outstanding = new ConcurrentHashMap<>();
    private final Thread poller;
    private volatile boolean closed;

    SagaApproach(Path directory, Path services, Consumer<String> progress) throws Exception {
        SystemSettings settings = new SystemSettings(directory.resolve("saga"), services, freePort(), null,
                                                     freePort(), freePort(), freePort(), "127.0.0.1", true, false,
                                                     List.of("-Xmx512m", "-XX:+UseSerialGC"), List.of(),
                                                     Duration.ofMinutes(4), null);
        EmbeddedSystem starting = new EmbeddedSystem(settings, progress)
                .withOwnDatabaseServer(EmbeddedSystem.PAYMENT, freePort());
        // A lab stopped half way (Ctrl-C) leaves no service or server running behind it.
        Runtime.getRuntime().addShutdownHook(new Thread(starting::close));
        this.system = starting.start();
        this.orders = system.uri(EmbeddedSystem.ORDER_SAGA);
        this.inventory = system.uri(EmbeddedSystem.INVENTORY);
        this.payments = system.uri(EmbeddedSystem.PAYMENT);
        this.poller = new Thread(this::poll, "saga-outcomes");
        poller.setDaemon(true);
        poller.start();
    }

    @Override
    public String name() {
        return "saga";
    }

    @Override
    public void seed(Mix mix, String run) throws Exception {
        Semaphore parallel = new Semaphore(8);
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (String product : mix.productIds(run)) {
            calls.add(limited(parallel, () -> post(inventory, "/products", Map.of(
                    "productId", product, "name", product, "initialQuantity", Mix.STOCK), 201)));
        }
        for (String account : mix.accountIds(run)) {
            calls.add(limited(parallel, () -> post(payments, "/accounts", Map.of(
                    "accountId", account, "owner", account, "currency", "EUR"), 201)
                    .thenCompose(opened -> post(payments, "/accounts/" + account + "/deposits",
                                                Map.of("amount", Mix.BALANCE), 202))));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        // The read models show the new rows a moment later; an order placed before would still go through.
        Thread.sleep(2_000);
    }

    private CompletableFuture<?> limited(Semaphore parallel, java.util.function.Supplier<CompletableFuture<?>> call) {
        parallel.acquireUninterruptibly();
        return call.get().whenComplete((result, failure) -> parallel.release());
    }

    private CompletableFuture<JsonNode> post(URI base, String path, Object body, int expected) {
        try {
            HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                                             .header("Content-Type", "application/json")
                                             .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
                                             .timeout(Duration.ofSeconds(30))
                                             .build();
            return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
                if (response.statusCode() != expected) {
                    throw new IllegalStateException("POST " + path + " answered " + response.statusCode());
                }
                try {
                    return json.readTree(response.body());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<String> place(Order order) {
        List<Map<String, Object>> lines = order.lines().stream()
                                               .map(line -> Map.<String, Object>of("productId", line.productId(),
                                                                                   "quantity", line.quantity(),
                                                                                   "unitPrice", line.unitPrice()))
                                               .toList();
        CompletableFuture<String> outcome = new CompletableFuture<>();
        post(orders, "/orders", Map.of("accountId", order.accountId(), "currency", "EUR", "lines", lines), 202)
                .whenComplete((accepted, failure) -> {
                    if (failure != null) {
                        outcome.completeExceptionally(failure);
                    } else {
                        outstanding.put(accepted.get("orderId").asText(), outcome);
                    }
                });
        return outcome;
    }

    /** Completes each outstanding order once it has ended: its status final and its saga at the same step. */
    private void poll() {
        while (!closed) {
            try {
                Thread.sleep(POLL_MILLIS);
                if (outstanding.isEmpty()) {
                    continue;
                }
                Set<String> pending = pendingOrders();
                for (String orderId : List.copyOf(outstanding.keySet())) {
                    if (pending.contains(orderId)) {
                        continue;
                    }
                    JsonNode order = get(orders, "/orders/" + orderId);
                    String status = order == null ? "" : order.path("status").asText();
                    if ((status.equals("CONFIRMED") || status.equals("REJECTED"))
                            && order.path("sagaStep").asText().equals(status)) {
                        outstanding.remove(orderId).complete(status);
                    }
                }
            } catch (InterruptedException stopping) {
                return;
            } catch (RuntimeException unreachable) {
                // order-saga did not answer this time; the next poll asks again.
            }
        }
    }

    private Set<String> pendingOrders() throws InterruptedException {
        Set<String> pending = new HashSet<>();
        for (int offset = 0; ; offset += 1000) {
            JsonNode page = get(orders, "/orders?status=PENDING&limit=1000&offset=" + offset);
            if (page == null) {
                return pending;
            }
            page.forEach(order -> pending.add(order.path("orderId").asText()));
            if (page.size() < 1000) {
                return pending;
            }
        }
    }

    private JsonNode get(URI base, String path) throws InterruptedException {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(base.resolve(path))
                                                                 .timeout(Duration.ofSeconds(10)).build(),
                                                      HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 ? json.readTree(response.body()) : null;
        } catch (IOException unreachable) {
            return null;
        }
    }

    @Override
    public String paymentsSide() {
        return "the payment service's process is killed (SIGKILL) and its database's own server stopped; then both "
                + "started again";
    }

    @Override
    public void stopPayments() throws Exception {
        system.kill(EmbeddedSystem.PAYMENT);
        system.stopDatabaseOf(EmbeddedSystem.PAYMENT);
    }

    @Override
    public void startPayments() throws Exception {
        system.startDatabaseOf(EmbeddedSystem.PAYMENT);
        system.restart(EmbeddedSystem.PAYMENT);
    }

    @Override
    public long inDoubt() {
        return outstanding.size();
    }

    @Override
    public String inDoubtMeaning() {
        return "orders accepted and not yet ended: their stock is reserved, no lock is held";
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
        system.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
