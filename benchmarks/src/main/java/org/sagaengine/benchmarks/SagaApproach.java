package org.sagaengine.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sagaengine.launcher.EmbeddedSystem;
import org.sagaengine.launcher.SystemSettings;

/**
 * The real system, started as the launcher starts it (three service processes, PostgreSQL, the same JVM options),
 * driven over its REST API like any client. For the trade-off lab the payment service's database has a PostgreSQL
 * server of its own, so that it can stop alone.
 * <p>
 * An order counts when its saga has ended. An observer reads that from order-saga's database every
 * {@value #POLL_MILLIS} ms, with the system's own timestamps: when the order was placed (its {@code OrderPlaced}
 * event, in the event store) and when its saga ended. The observer is not a client: it reads instead of asking the
 * service under load.
 */
final class SagaApproach implements Approach {

    static final long POLL_MILLIS = 20;

    /** How an order ended: its status, the reason if rejected, and place to terminal by the saga's own clock. */
    record Outcome(String status, String reason, Duration placeToTerminal) {
    }

    /** order-saga answered 503: it refused the order at admission, and said when to try again. */
    static final class Refused extends IllegalStateException {
        Refused(String retryAfter) {
            super("refused at admission, retry after " + retryAfter + " s");
        }
    }

    /** Whether an order failed because order-saga refused it ({@link Refused}): nothing was stored for it. */
    static boolean isRefusal(Throwable failure) {
        return failure instanceof Refused || failure != null && failure.getCause() instanceof Refused;
    }

    private final EmbeddedSystem system;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final URI orders;
    private final URI inventory;
    private final URI payments;
    private final Map<String, CompletableFuture<Outcome>> outstanding = new ConcurrentHashMap<>();
    private final Thread poller;
    private final boolean onAxonServer;
    private volatile boolean closed;

    /** The trade-off lab's system: durable databases, payments on a server of its own. */
    SagaApproach(Path directory, Path services, Consumer<String> progress) throws Exception {
        this(directory, services, progress, true, true, List.of(), null, Map.of());
    }

    /**
     * @param durable             fsync and synchronous commit on
     * @param paymentsOwnServer   the payment service's database on a PostgreSQL server of its own
     * @param serviceArguments    extra arguments to every service ({@code --name=value} settings)
     * @param axonServer          the Axon Server the services connect to ({@code host:port}); null for the embedded
     *                            topology
     * @param postgresSettings    settings of the embedded PostgreSQL server beyond the launcher's own
     */
    SagaApproach(Path directory, Path services, Consumer<String> progress, boolean durable, boolean paymentsOwnServer,
                 List<String> serviceArguments, String axonServer, Map<String, String> postgresSettings)
            throws Exception {
        SystemSettings settings = new SystemSettings(directory.resolve("saga"), services, freePort(), null,
                                                     freePort(), freePort(), freePort(), "127.0.0.1", durable, false,
                                                     List.of("-Xmx512m", "-XX:+UseSerialGC"), serviceArguments,
                                                     Duration.ofMinutes(4), axonServer);
        EmbeddedSystem starting = new EmbeddedSystem(settings, progress);
        postgresSettings.forEach(starting::withPostgresSetting);
        if (paymentsOwnServer) {
            starting.withOwnDatabaseServer(EmbeddedSystem.PAYMENT, freePort());
        }
        // A lab stopped half way (Ctrl-C) leaves no service or server running behind it.
        Runtime.getRuntime().addShutdownHook(new Thread(starting::close));
        this.system = starting.start();
        this.onAxonServer = axonServer != null;
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
                if (response.statusCode() == 503 && response.headers().firstValue("Retry-After").isPresent()) {
                    throw new Refused(response.headers().firstValue("Retry-After").get());
                }
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

    EmbeddedSystem system() {
        return system;
    }

    @Override
    public CompletableFuture<String> place(Order order) {
        return placeObserved(order).thenApply(Outcome::status);
    }

    /** Places an order; completes with how it ended, or fails with what the client saw ({@link Refused} for 503). */
    CompletableFuture<Outcome> placeObserved(Order order) {
        List<Map<String, Object>> lines = order.lines().stream()
                                               .map(line -> Map.<String, Object>of("productId", line.productId(),
                                                                                   "quantity", line.quantity(),
                                                                                   "unitPrice", line.unitPrice()))
                                               .toList();
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
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

    /**
     * Completes each outstanding order once its saga has ended, with how long it took from the order's
     * {@code OrderPlaced} event to the saga's end. It reads the saga's own record and the event store, not the
     * order's read model, so a projection that lags does not delay what it sees.
     */
    private void poll() {
        Connection orders = null;
        Connection events = null;
        while (!closed) {
            try {
                Thread.sleep(POLL_MILLIS);
                if (outstanding.isEmpty()) {
                    continue;
                }
                if (orders == null) {
                    orders = system.connect("orders");
                    events = onAxonServer ? orders : system.connect("events");
                }
                Map<String, Ended> ended = new java.util.HashMap<>();
                try (PreparedStatement sagas = orders.prepareStatement("""
                        select saga_key, state, detail, updated_at from saga_step
                         where saga_type = 'order' and saga_key = any(?) and state in ('CONFIRMED', 'REJECTED')
                        """)) {
                    sagas.setArray(1, orders.createArrayOf("varchar", outstanding.keySet().toArray()));
                    try (ResultSet rows = sagas.executeQuery()) {
                        while (rows.next()) {
                            ended.put(rows.getString(1), new Ended(rows.getString(2), rows.getString(3),
                                                                   rows.getTimestamp(4).toInstant()));
                        }
                    }
                }
                if (ended.isEmpty()) {
                    continue;
                }
                // Axon Server keeps the events: when the order was placed is then its read model's copy of the
                // OrderPlaced event's timestamp.
                try (PreparedStatement placed = events.prepareStatement(onAxonServer ? """
                        select order_id, to_char(placed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
                          from customer_order where order_id = any(?)
                        """ : """
                        select aggregateidentifier, timestamp from domainevententry
                         where aggregateidentifier = any(?) and sequencenumber = 0
                        """)) {
                    placed.setArray(1, events.createArrayOf("varchar", ended.keySet().toArray()));
                    try (ResultSet rows = placed.executeQuery()) {
                        while (rows.next()) {
                            Ended end = ended.get(rows.getString(1));
                            CompletableFuture<Outcome> waiting = outstanding.remove(rows.getString(1));
                            if (waiting != null) {
                                waiting.complete(new Outcome(end.state(), end.detail(), Duration.between(
                                        Instant.parse(rows.getString(2)), end.at())));
                            }
                        }
                    }
                }
            } catch (InterruptedException stopping) {
                break;
            } catch (SQLException | RuntimeException unreachable) {
                // A database did not answer this time (it may be restarting); connect again next time.
                closeQuietly(orders);
                if (events != orders) {
                    closeQuietly(events);
                }
                orders = null;
                events = null;
            }
        }
        closeQuietly(orders);
        if (events != orders) {
            closeQuietly(events);
        }
    }

    private record Ended(String state, String detail, Instant at) {
    }

    private static void closeQuietly(Connection connection) {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // Closing a broken connection: nothing left to do.
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
