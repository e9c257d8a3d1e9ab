package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Events a handler cannot process become dead letters in the service's database without holding up other sequences,
 * and an operator lists, retries and evicts them over the authenticated admin endpoints. Handlers are made to fail
 * for real: a database trigger refuses the write for one product, or for one saga step.
 */
@ExtendWith(RunningSystem.class)
class DeadLetterTest {

    final EmbeddedSystem system = RunningSystem.system();
    final URI orders = system.uri(ORDER_SAGA);
    final URI inventory = system.uri(INVENTORY);
    final URI payments = system.uri(PAYMENT);
    final String run = "l" + Long.toString(System.nanoTime(), 36);
    final Shop shop = new Shop(system);

    @Test
    void aProjectionEventThatFailsWaitsWithItsProductsLaterEventsAndIsRetriedOrEvicted() throws Exception {
        String poisoned = run + "-poisoned";
        String healthy = run + "-healthy";
        shop.product(poisoned, 10);
        shop.product(healthy, 10);
        refuseUpdatesOf(poisoned);

        restock(poisoned, 5);
        restock(healthy, 7);
        restock(poisoned, 11);
        await().atMost(Duration.ofSeconds(20)).until(() -> received(healthy) == 17);
        JsonNode sequence = awaitSequence(inventory, "stock-projection", poisoned, 2);
        assertThat(sequence.get("letters").get(0).get("eventType").asText()).isEqualTo("ProductRestocked");
        assertThat(sequence.get("letters").get(0).get("causeMessage").asText()).contains("refused by the test");
        assertThat(received(poisoned)).as("the poisoned product's view waits").isEqualTo(10);

        JsonNode stillFailing = admin("POST", inventory, "/admin/dead-letters/stock-projection/" + poisoned + "/retry");
        assertThat(stillFailing.get("handled").asBoolean()).isFalse();
        assertThat(stillFailing.get("remaining").asLong()).isEqualTo(2);

        sql("inventory", "delete from test_refused_product where product_id = '" + poisoned + "'");
        JsonNode retried = admin("POST", inventory, "/admin/dead-letters/stock-projection/" + poisoned + "/retry");
        assertThat(retried.get("handled").asBoolean()).isTrue();
        assertThat(retried.get("remaining").asLong()).isZero();
        assertThat(received(poisoned)).as("both restocks applied, in order").isEqualTo(26);

        sql("inventory", "insert into test_refused_product values ('" + poisoned + "')");
        restock(poisoned, 13);
        awaitSequence(inventory, "stock-projection", poisoned, 1);
        Api.Response evicted = Api.admin("DELETE", inventory, "/admin/dead-letters/stock-projection/" + poisoned,
                                         system.adminPassword());
        assertThat(evicted.status()).isEqualTo(204);
        assertThat(sequences(inventory)).noneMatch(s -> s.get("sequenceIdentifier").asText().equals(poisoned));
        sql("inventory", "delete from test_refused_product where product_id = '" + poisoned + "'");
    }

    /**
     * Processors handle up to 50 waiting events in one transaction. A failing event in the middle of such a batch
     * becomes a dead letter alone: the events before and after it in the batch are applied once, and the token moves
     * past all of them. The projection is held at its token (a row lock) while the events pile up into one batch.
     */
    @Test
    void aFailingEventInTheMiddleOfABatchWaitsAloneAndTheRestOfTheBatchIsApplied() throws Exception {
        String poisoned = run + "-batch-poisoned";
        String healthy = run + "-batch-healthy";
        shop.product(poisoned, 10);
        shop.product(healthy, 10);
        await().atMost(Duration.ofSeconds(20)).until(() -> received(healthy) == 10 && received(poisoned) == 10);
        refuseUpdatesOf(poisoned);
        try (Connection held = system.connect("inventory"); Statement sql = held.createStatement()) {
            held.setAutoCommit(false);
            sql.execute("select * from tokenentry where processorname = 'stock-projection' for update");
            restock(healthy, 1);
            restock(healthy, 2);
            restock(poisoned, 5);
            restock(healthy, 4);
            Thread.sleep(1_000);
            assertThat(received(healthy)).as("the projection waits for its token: the events pile up").isEqualTo(10);
            held.commit();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> received(healthy) == 17);
        JsonNode sequence = awaitSequence(inventory, "stock-projection", poisoned, 1);
        assertThat(sequence.get("letters").get(0).get("eventType").asText()).isEqualTo("ProductRestocked");
        assertThat(received(poisoned)).as("the failed event changed nothing").isEqualTo(10);
        restock(healthy, 8);
        await().atMost(Duration.ofSeconds(20)).until(() -> received(healthy) == 25);

        sql("inventory", "delete from test_refused_product where product_id = '" + poisoned + "'");
        JsonNode retried = admin("POST", inventory, "/admin/dead-letters/stock-projection/" + poisoned + "/retry");
        assertThat(retried.get("handled").asBoolean()).isTrue();
        assertThat(received(poisoned)).isEqualTo(15);
        assertThat(received(healthy)).as("applied once each").isEqualTo(25);
    }

    /**
     * The same for the saga processor: while it is held at its tokens, three orders' events pile up; the one whose
     * step cannot be recorded is parked, and the two others, handled in the same batches, confirm.
     */
    @Test
    void aSagaEventThatFailsInABatchParksItsOrderAloneAndTheOthersInTheBatchConfirm() throws Exception {
        String product = run + "-batch-saga-product";
        String account = run + "-batch-saga-account";
        shop.product(product, 10);
        shop.account(account, 100_000);
        long poisonedTotal = 8_000 + System.nanoTime() % 1_000;
        refuseStep(poisonedTotal);
        String first;
        String parked;
        String last;
        try (Connection held = system.connect("orders"); Statement sql = held.createStatement()) {
            held.setAutoCommit(false);
            sql.execute("select * from tokenentry where processorname = 'OrderSagaProcessor' for update");
            first = shop.place(account, product, 1, 100);
            parked = shop.place(account, product, 1, poisonedTotal);
            last = shop.place(account, product, 1, 200);
            Thread.sleep(1_000);
            held.commit();
        }
        awaitSequence(orders, "OrderSagaProcessor", parked, 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> status(first).equals("CONFIRMED")
                && status(last).equals("CONFIRMED"));
        assertThat(status(parked)).isEqualTo("PENDING");
        assertThat(Api.get(payments, "/payments?orderId=" + parked).body()).as("nothing charged").isEmpty();
        assertThat(Api.get(payments, "/payments?orderId=" + first).body()).as("charged once").hasSize(1);
        assertThat(Api.get(payments, "/payments?orderId=" + last).body()).as("charged once").hasSize(1);

        sql("orders", "delete from test_refused_step where detail = '" + poisonedTotal + " EUR'");
        assertThat(admin("POST", orders, "/admin/dead-letters/OrderSagaProcessor/" + parked + "/retry")
                           .get("handled").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> status(parked).equals("CONFIRMED"));
        assertThat(Api.get(payments, "/payments?orderId=" + parked).body()).hasSize(1);
    }

    @Test
    void aSagaEventThatFailsParksThatOrderOnlyAndTheOrderCarriesOnWhenRetried() throws Exception {
        Parked order = parkAnOrder("saga", 7_000);
        String parked = order.orderId();
        JsonNode sequence = awaitSequence(orders, "OrderSagaProcessor", parked, 1);
        assertThat(sequence.get("letters").get(0).get("eventType").asText()).isEqualTo("StockReserved");
        String other = shop.place(order.account(), order.product(), 1, 100);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(other).equals("CONFIRMED"));
        JsonNode waiting = Api.get(orders, "/orders/" + parked).body();
        assertThat(waiting.get("status").asText()).isEqualTo("PENDING");
        assertThat(waiting.get("sagaStep").asText()).as("the failed step left nothing").isEqualTo("RESERVING_STOCK");
        assertThat(Api.get(payments, "/payments?orderId=" + parked).body()).as("nothing charged").isEmpty();

        retry(order);
        await().atMost(Duration.ofSeconds(20)).until(() -> status(parked).equals("CONFIRMED"));
        JsonNode charges = Api.get(payments, "/payments?orderId=" + parked).body();
        assertThat(charges).hasSize(1);
        assertThat(charges.get(0).get("amount").asLong()).isEqualTo(order.total());
    }

    /**
     * Only the saga's own processor holds a parked saga's later events back. The order's read model and its audit
     * trail, other processors of the same service, still record them, and the saga's queue holds each once.
     */
    @Test
    void aParkedSagasLaterEventsStillReachTheReadModelAndTheAuditTrail() throws Exception {
        Parked order = parkAnOrder("parked", 9_000);
        String parked = order.orderId();
        awaitSequence(orders, "OrderSagaProcessor", parked, 1);

        assertThat(Api.post(orders, "/orders/" + parked + "/cancel", "").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(Api.get(orders, "/orders/" + parked).body().get("cancellationRequested").asBoolean())
                    .as("the read model has the cancellation").isTrue();
            assertThat(Api.get(orders, "/audit/orders/" + parked).body().findValuesAsText("eventType"))
                    .as("the audit trail has it").contains("OrderCancellationRequested");
        });
        JsonNode held = awaitSequence(orders, "OrderSagaProcessor", parked, 2);
        assertThat(held.get("letters").get(1).get("eventType").asText()).isEqualTo("OrderCancellationRequested");
        Thread.sleep(2_000);
        assertThat(sequences(orders).stream()
                                    .filter(s -> s.get("sequenceIdentifier").asText().equals(parked))
                                    .mapToInt(s -> s.get("letters").size()).sum())
                .as("the saga's letter and the event behind it, once each, in the saga's queue only").isEqualTo(2);

        retry(order);
        assertThat(shop.awaitEnd(parked)).as("the saga went on, and ended").isIn("CONFIRMED", "REJECTED");
    }

    @Test
    void deadLettersAreForTheAdminOnly() {
        for (URI service : List.of(orders, inventory, payments)) {
            Api.Response anonymous = Api.get(service, "/admin/dead-letters");
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(anonymous.contentType()).startsWith("application/problem+json");
            Api.Response wrongPassword = Api.admin("GET", service, "/admin/dead-letters", "not-the-password");
            assertThat(wrongPassword.status()).isEqualTo(401);
        }
        Api.Response unknownGroup = Api.admin("POST", inventory, "/admin/dead-letters/no-such-group/x/retry",
                                              system.adminPassword());
        assertThat(unknownGroup.status()).isEqualTo(404);
        assertThat(unknownGroup.contentType()).startsWith("application/problem+json");
        assertThat(Api.get(inventory, "/actuator/health").status()).isEqualTo(200);
        assertThat(Api.get(inventory, "/actuator/metrics").status()).isEqualTo(401);
    }

    /** From now on the stock projection fails to apply any event of this product. */
    private void refuseUpdatesOf(String productId) throws SQLException {
        sql("inventory", """
                create table if not exists test_refused_product (product_id varchar(64) primary key);
                create or replace function test_refuse_product() returns trigger language plpgsql as $$
                begin
                  if exists (select 1 from test_refused_product where product_id = new.product_id) then
                    raise exception 'refused by the test for %%', new.product_id;
                  end if;
                  return new;
                end $$;
                create or replace trigger test_refuse_product before update on product_stock
                  for each row execute function test_refuse_product();
                insert into test_refused_product values ('%s');
                """.formatted(productId));
    }

    /** An order whose saga cannot record its payment step (see {@link #refuseStep}), so its stock reply fails. */
    private record Parked(String product, String account, String orderId, long total) {
    }

    /** Places an order of a total from {@code totalsFrom} up, whose saga will park on its first reply. */
    private Parked parkAnOrder(String name, long totalsFrom) throws SQLException {
        String product = run + "-" + name + "-product";
        String account = run + "-" + name + "-account";
        shop.product(product, 10);
        shop.account(account, 100_000);
        long total = totalsFrom + System.nanoTime() % 1_000;
        refuseStep(total);
        return new Parked(product, account, shop.place(account, product, 1, total), total);
    }

    /** Lets the parked order's saga record its step again, and retries its dead letters. */
    private void retry(Parked order) throws SQLException {
        sql("orders", "delete from test_refused_step where detail = '" + order.total() + " EUR'");
        assertThat(admin("POST", orders, "/admin/dead-letters/OrderSagaProcessor/" + order.orderId() + "/retry")
                           .get("handled").asBoolean()).isTrue();
    }

    /** From now on the order saga fails to record its payment step for an order of this total. */
    private void refuseStep(long total) throws SQLException {
        sql("orders", """
                create table if not exists test_refused_step (detail varchar(500) primary key);
                create or replace function test_refuse_step() returns trigger language plpgsql as $$
                begin
                  if new.step = 'CHARGING_PAYMENT' and exists (select 1 from test_refused_step
                                                                where detail = new.detail) then
                    raise exception 'refused by the test for %%', new.saga_key;
                  end if;
                  return new;
                end $$;
                create or replace trigger test_refuse_step before insert or update on saga_step
                  for each row execute function test_refuse_step();
                insert into test_refused_step values ('%d EUR');
                """.formatted(total));
    }

    private void restock(String productId, int quantity) {
        assertThat(Api.post(inventory, "/products/" + productId + "/restock", Map.of("quantity", quantity)).status())
                .isEqualTo(202);
    }

    private int received(String productId) {
        return Api.get(inventory, "/products/" + productId).body().path("receivedQuantity").asInt();
    }

    private String status(String orderId) {
        return Api.get(orders, "/orders/" + orderId).body().path("status").asText();
    }

    private JsonNode admin(String method, URI service, String path) {
        Api.Response response = Api.admin(method, service, path, system.adminPassword());
        assertThat(response.status()).as("%s %s", method, path).isEqualTo(200);
        return response.body();
    }

    private List<JsonNode> sequences(URI service) {
        List<JsonNode> sequences = new java.util.ArrayList<>();
        admin("GET", service, "/admin/dead-letters").forEach(sequences::add);
        return sequences;
    }

    private JsonNode awaitSequence(URI service, String group, String sequenceIdentifier, int letters) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> sequences(service).stream()
                                        .filter(s -> s.get("processingGroup").asText().equals(group))
                                        .filter(s -> s.get("sequenceIdentifier").asText().equals(sequenceIdentifier))
                                        .filter(s -> s.get("letters").size() == letters)
                                        .findFirst().orElse(null),
                java.util.Objects::nonNull);
    }

    private void sql(String database, String statements) throws SQLException {
        try (Connection connection = system.connect(database); Statement statement = connection.createStatement()) {
            statement.execute(statements);
        }
    }
}
