package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * At-least-once delivery, exactly-once effect (invariants 1 to 5 of docs/architecture.md): commands delivered a second time and events delivered
 * again from the start of the stream change no stock, no money, no order and start no saga.
 */
@ExtendWith(RunningSystem.class)
class DuplicateDeliveryTest {

    final EmbeddedSystem system = RunningSystem.system();
    final URI orders = system.uri(ORDER_SAGA);
    final URI inventory = system.uri(INVENTORY);
    final URI payments = system.uri(PAYMENT);
    final String run = "d" + Long.toString(System.nanoTime(), 36);
    final String product = run + "-beans";
    final String account = run + "-alice";

    @Test
    void commandsDeliveredTwiceAndEventsDeliveredAgainHaveNoSecondEffect() throws Exception {
        Shop shop = new Shop(system);
        shop.product(product, 5);
        shop.account(account, 1_000);
        String confirmed = shop.place(account, product, 2, 100);
        assertThat(shop.awaitEnd(confirmed)).isEqualTo("CONFIRMED");
        String outOfStock = shop.place(account, product, 4, 100);
        assertThat(shop.awaitEnd(outOfStock)).isEqualTo("REJECTED");
        String declined = shop.place(account, product, 1, 5_000);
        assertThat(shop.awaitEnd(declined)).isEqualTo("REJECTED");
        List<String> orderIds = List.of(confirmed, outOfStock, declined);
        await().atMost(Duration.ofSeconds(30)).until(() -> Api.get(payments, "/payments?orderId=" + declined)
                                                              .body().size() == 1);
        Map<String, Object> before = state(orderIds);

        // Every participant command of the three sagas, delivered again.
        for (String orderId : orderIds) {
            PeerCommands.deliver(inventory, "org.sagaengine.inventory.api.ReserveStock",
                                 Map.of("productId", product, "orderId", orderId, "quantity", 2));
        }
        PeerCommands.deliver(inventory, "org.sagaengine.inventory.api.CommitStock",
                             Map.of("productId", product, "orderId", confirmed));
        PeerCommands.deliver(inventory, "org.sagaengine.inventory.api.ReleaseStock",
                             Map.of("productId", product, "orderId", declined));
        PeerCommands.deliver(payments, "org.sagaengine.payment.api.ChargePayment",
                             Map.of("accountId", account, "orderId", confirmed, "amount", 200, "currency", "EUR"));
        PeerCommands.deliver(payments, "org.sagaengine.payment.api.ChargePayment",
                             Map.of("accountId", account, "orderId", declined, "amount", 5_000, "currency", "EUR"));
        PeerCommands.deliver(orders, "org.sagaengine.order.api.ConfirmOrder", Map.of("orderId", confirmed));
        PeerCommands.deliver(orders, "org.sagaengine.order.api.RejectOrder",
                             Map.of("orderId", declined, "reason", "payment declined: again"));
        assertThat(PeerCommands.deliver(orders, "org.sagaengine.order.api.PlaceOrder", Map.of(
                "orderId", confirmed, "accountId", account, "currency", "EUR",
                "lines", List.of(Map.of("productId", product, "quantity", 2, "unitPrice", 100)))))
                .as("placing an existing order again is refused").isNotEqualTo("empty");
        Thread.sleep(2_000);
        assertThat(state(orderIds)).as("after commands delivered twice").isEqualTo(before);

        // Every event delivered again: each processor forgets its position and reads the stream from the start.
        redeliverFromTheStart(Map.of(INVENTORY, new Processors("inventory", List.of("stock-projection")),
                                     PAYMENT, new Processors("payments", List.of("account-projection")),
                                     ORDER_SAGA, new Processors("orders", List.of("order-projection",
                                                                                  "OrderSagaProcessor"))));
        Thread.sleep(2_000);
        assertThat(state(orderIds)).as("after every event was delivered again").isEqualTo(before);
    }

    /** A service's database and the processors in it that are to read the stream again. */
    private record Processors(String database, List<String> names) {
    }

    /**
     * Kills the services, drops their processors' tokens, starts them again together and waits until every one of
     * those processors has read the whole stream.
     */
    private void redeliverFromTheStart(Map<String, Processors> byService) throws Exception {
        for (String service : byService.keySet()) {
            system.kill(service);
        }
        for (Processors processors : byService.values()) {
            try (Connection connection = system.connect(processors.database());
                 PreparedStatement drop = connection.prepareStatement(
                         "delete from tokenentry where processorname = any (?)")) {
                drop.setArray(1, connection.createArrayOf("varchar", processors.names().toArray()));
                assertThat(drop.executeUpdate()).as("token rows of %s", processors.names()).isPositive();
            }
        }
        for (String service : byService.keySet()) {
            system.restart(service);
        }
        system.awaitHealthy(List.copyOf(byService.keySet()));
        long head = single("events", "select max(globalindex) from domainevententry");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (Processors processors : byService.values()) {
                List<Long> positions = tokenPositions(processors.database(), processors.names());
                if (positions.size() < processors.names().size() || positions.stream().anyMatch(p -> p < head)) {
                    return false;
                }
            }
            return true;
        });
    }

    private List<Long> tokenPositions(String database, List<String> processors) throws SQLException {
        List<Long> positions = new ArrayList<>();
        try (Connection connection = system.connect(database);
             PreparedStatement query = connection.prepareStatement(
                     "select token from tokenentry where processorname = any (?)")) {
            query.setArray(1, connection.createArrayOf("varchar", processors.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    byte[] token = rows.getBytes(1);
                    JsonNode index = token == null ? null : Api.JSON.readTree(token).findValue("index");
                    positions.add(index == null ? -1 : index.asLong());
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return positions;
    }

    /** What a second effect would change: the views, the events per aggregate, sagas and their deadlines. */
    private Map<String, Object> state(List<String> orderIds) throws SQLException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("product", Api.get(inventory, "/products/" + product).body());
        state.put("account", Api.get(payments, "/accounts/" + account).body());
        for (String orderId : orderIds) {
            state.put("order " + orderId, Api.get(orders, "/orders/" + orderId).body());
            state.put("holds " + orderId, Api.get(inventory, "/stock-holds?orderId=" + orderId).body());
            state.put("payments " + orderId, Api.get(payments, "/payments?orderId=" + orderId).body());
        }
        List<String> aggregates = new ArrayList<>(orderIds);
        aggregates.add(product);
        aggregates.add(account);
        state.put("events", rows("events", "select aggregateidentifier, count(*) from domainevententry "
                + "where aggregateidentifier = any (?) group by aggregateidentifier order by 1", aggregates));
        state.put("saga associations", rows("orders", "select count(*) from associationvalueentry "
                + "where associationvalue = any (?)", orderIds));
        state.put("saga steps", rows("orders", "select saga_key, step, detail, updated_at from saga_step "
                + "where saga_type = 'order' and saga_key = any (?) order by 1", orderIds));
        state.put("sagas", single("orders", "select count(*) from sagaentry"));
        state.put("deadlines", single("orders", "select count(*) from scheduled_tasks"));
        return state;
    }

    private List<String> rows(String database, String sql, List<String> ids) throws SQLException {
        try (Connection connection = system.connect(database);
             PreparedStatement query = connection.prepareStatement(sql)) {
            query.setArray(1, connection.createArrayOf("varchar", ids.toArray()));
            List<String> rows = new ArrayList<>();
            try (ResultSet result = query.executeQuery()) {
                int columns = result.getMetaData().getColumnCount();
                while (result.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int c = 1; c <= columns; c++) {
                        row.append(result.getString(c)).append('|');
                    }
                    rows.add(row.toString());
                }
            }
            return rows;
        }
    }

    private long single(String database, String sql) throws SQLException {
        try (Connection connection = system.connect(database);
             ResultSet result = connection.createStatement().executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
