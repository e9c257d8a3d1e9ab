package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An operator's way out for a saga that does not end by itself. A database trigger makes one product's release fail
 * for real, so that its order's saga keeps compensating; the operator asks it to end; once the release can be
 * written again the saga finishes compensating and rejects the order with reason {@code ended by operator}. The
 * request shows in the saga's timeline and in the order's audit trail. Only the admin may ask, and only for a saga
 * that has not ended and is not past the payment.
 */
@ExtendWith(RunningSystem.class)
class OperatorEndsSagaTest {

    final EmbeddedSystem system = RunningSystem.system();
    final URI orders = system.uri(ORDER_SAGA);
    final Shop shop = new Shop(system);
    final String run = "op" + Long.toString(System.nanoTime(), 36);

    @Test
    void aSagaStuckCompensatingIsEndedByTheOperatorAndRejectedWithTheirReason() throws Exception {
        String product = run + "-kettle";
        String account = run + "-poor";
        shop.product(product, 3);
        shop.account(account, 50);
        refuseReleasesOf(product);
        try {
            String orderId = shop.place(account, product, 2, 100);
            await().atMost(Duration.ofSeconds(60)).until(() -> timelineNames(orderId).contains("ParticipantCommandFailed"));
            assertThat(Api.get(orders, "/orders/" + orderId).body().get("status").asText()).isEqualTo("PENDING");
            assertThat(Api.get(system.uri(INVENTORY), "/products/" + product).body().get("reservedQuantity").asInt())
                    .as("the release could not be written").isEqualTo(2);

            assertThat(Api.send("POST", orders, "/admin/sagas/" + orderId + "/end").status())
                    .as("without credentials").isEqualTo(401);
            Api.Response ended = Api.admin("POST", orders, "/admin/sagas/" + orderId + "/end", system.adminPassword());
            assertThat(ended.status()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> timelineNames(orderId).contains("SagaEndRequested"));

            allowReleases();
            await().atMost(Duration.ofSeconds(60)).until(() -> Invariants.isTerminal(
                    Api.get(orders, "/orders/" + orderId).body()));
            JsonNode order = Api.get(orders, "/orders/" + orderId).body();
            assertThat(order.get("status").asText()).isEqualTo("REJECTED");
            assertThat(order.get("reason").asText()).isEqualTo("ended by operator");
            assertThat(Api.get(system.uri(INVENTORY), "/products/" + product).body().get("availableQuantity").asInt())
                    .as("the units are back").isEqualTo(3);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    Api.get(orders, "/audit/orders/" + orderId).body().findValuesAsText("eventType"))
                    .contains("SagaEndRequested", "OrderRejected"));

            assertThat(Api.admin("POST", orders, "/admin/sagas/" + orderId + "/end", system.adminPassword()).status())
                    .as("a saga that has ended").isEqualTo(409);
        } finally {
            allowReleases();
        }
        assertThat(Api.admin("POST", orders, "/admin/sagas/" + run + "-none/end", system.adminPassword()).status())
                .as("no such saga").isEqualTo(404);
    }

    private java.util.List<String> timelineNames(String orderId) {
        return Api.get(orders, "/sagas/order/" + orderId).body().path("timeline").findValuesAsText("name");
    }

    private void refuseReleasesOf(String product) throws SQLException {
        sql("""
            create or replace function test_refuse_release() returns trigger language plpgsql as $$
            begin
              if new.aggregateidentifier = '%s' and new.payloadtype like '%%StockReleased' then
                raise exception 'release refused by the test';
              end if;
              return new;
            end $$;
            create or replace trigger test_refuse_release before insert on domainevententry
              for each row execute function test_refuse_release();
            """.formatted(product));
    }

    private void allowReleases() throws SQLException {
        sql("drop trigger if exists test_refuse_release on domainevententry");
    }

    private void sql(String statements) throws SQLException {
        try (Connection connection = system.connect("events"); Statement statement = connection.createStatement()) {
            statement.execute(statements);
        }
    }
}
