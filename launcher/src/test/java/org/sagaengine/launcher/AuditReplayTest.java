package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit trail holds every event of every service about an order, in order, with what caused it; rebuilding it by
 * replaying the whole event stream gives the same trail and has no side effects (invariant 5): no event is appended,
 * no stock or money moves.
 */
@ExtendWith(RunningSystem.class)
class AuditReplayTest {

    final EmbeddedSystem system = RunningSystem.system();
    final URI orders = system.uri(ORDER_SAGA);
    final URI inventory = system.uri(INVENTORY);
    final URI payments = system.uri(PAYMENT);
    final String run = "a" + Long.toString(System.nanoTime(), 36);
    final Shop shop = new Shop(system);

    @Test
    void aReplayRebuildsTheSameTrailAndMovesNoStockAndNoMoney() throws Exception {
        String product = run + "-kettle";
        String account = run + "-frank";
        shop.product(product, 3);
        shop.account(account, 5_000);
        String confirmed = shop.place(account, product, 2, 1_000);
        String declined = shop.place(account, product, 1, 9_000);
        assertThat(shop.awaitEnd(confirmed)).isEqualTo("CONFIRMED");
        assertThat(shop.awaitEnd(declined)).isEqualTo("REJECTED");

        JsonNode trail = awaitTrail(confirmed, 5);
        assertThat(types(trail)).containsExactly("OrderPlaced", "StockReserved", "PaymentCharged", "StockCommitted",
                                                 "OrderConfirmed");
        assertThat(trail.get(1).get("aggregateType").asText()).isEqualTo("ProductStock");
        assertThat(trail.get(2).get("aggregateType").asText()).isEqualTo("Account");
        String traceId = trail.get(0).get("traceId").asText();
        trail.forEach(entry -> assertThat(entry.get("traceId").asText()).as("one trace for the order")
                                                                       .isEqualTo(traceId));
        assertThat(trail.get(1).get("correlationId").asText()).as("caused by a command, not the order's event")
                                                             .isNotEqualTo(traceId);
        assertPositionsAreTheEventStoresOrder(trail);
        JsonNode declinedTrail = awaitTrail(declined, 5);
        assertPositionsAreTheEventStoresOrder(declinedTrail);
        assertThat(types(declinedTrail)).containsExactly("OrderPlaced", "StockReserved", "PaymentDeclined",
                                                         "StockReleased", "OrderRejected");

        Map<String, Object> before = effects(product, account);
        assertThat(Api.send("POST", orders, "/admin/audit/replay").status()).as("without credentials").isEqualTo(401);
        Api.Response started = Api.admin("POST", orders, "/admin/audit/replay", system.adminPassword());
        assertThat(started.status()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonNode status = Api.get(orders, "/audit/replay").body();
            return !status.get("replaying").asBoolean() && status.get("position").asLong() >= status.get("head")
                                                                                                   .asLong();
        });
        assertThat(Api.get(orders, "/audit/orders/" + confirmed).body()).isEqualTo(trail);
        assertThat(Api.get(orders, "/audit/orders/" + declined).body()).isEqualTo(declinedTrail);
        assertThat(effects(product, account)).as("stock, money and the event stream after the replay")
                                             .isEqualTo(before);
    }

    private JsonNode awaitTrail(String orderId, int events) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> Api.get(orders, "/audit/orders/" + orderId).body(),
                                                            trail -> trail.isArray() && trail.size() == events);
    }

    /** Each entry's position is its event's global index in the event store. */
    private void assertPositionsAreTheEventStoresOrder(JsonNode trail) throws Exception {
        try (Connection events = system.connect("events");
             var query = events.prepareStatement("select globalindex from domainevententry where eventidentifier = ?")) {
            for (JsonNode entry : trail) {
                query.setString(1, entry.get("eventId").asText());
                try (ResultSet row = query.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    assertThat(entry.get("position").asLong()).as("position of %s", entry.get("eventType"))
                                                              .isEqualTo(row.getLong(1));
                }
            }
        }
    }

    private static List<String> types(JsonNode trail) {
        List<String> types = new ArrayList<>();
        trail.forEach(entry -> types.add(entry.get("eventType").asText()));
        return types;
    }

    private Map<String, Object> effects(String product, String account) throws Exception {
        try (Connection events = system.connect("events");
             ResultSet head = events.createStatement().executeQuery("select max(globalindex) from domainevententry")) {
            head.next();
            return Map.of("product", Api.get(inventory, "/products/" + product).body(),
                          "account", Api.get(payments, "/accounts/" + account).body(),
                          "last event", head.getLong(1));
        }
    }
}
