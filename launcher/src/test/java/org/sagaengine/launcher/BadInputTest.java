package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Invariant 6: bad input is answered with a 4xx problem body and leaves no trace in any database. Each test compares
 * a fingerprint of all four databases before and after.
 */
@ExtendWith(RunningSystem.class)
class BadInputTest {

    final URI orders = RunningSystem.system().uri(ORDER_SAGA);
    final URI inventory = RunningSystem.system().uri(INVENTORY);
    final URI payments = RunningSystem.system().uri(PAYMENT);

    static final String KNOWN_PRODUCT = "bad-input-product";
    static final String KNOWN_ACCOUNT = "bad-input-account";
    /** How far apart two readings of the databases' fingerprint must agree for the system to count as quiet. */
    static final long QUIET_MILLIS = 300;

    @BeforeEach
    void knownProductAndAccount() {
        Api.post(inventory, "/products", Map.of("productId", KNOWN_PRODUCT, "name", "Known", "initialQuantity", 5));
        Api.post(payments, "/accounts", Map.of("accountId", KNOWN_ACCOUNT, "owner", "Known", "currency", "EUR"));
    }

    @Test
    void aCommandFromOutsideTheSystemIsRefused() {
        String reserve = """
                {"commandIdentifier":"forged","serializedMetaData":"e30=",                "payloadType":"org.sagaengine.inventory.api.ReserveStock","payloadRevision":null,                "serializedPayload":"%s","commandName":"org.sagaengine.inventory.api.ReserveStock",                "expectReply":true}""".formatted(java.util.Base64.getEncoder().encodeToString(
                ("{\"productId\":\"" + KNOWN_PRODUCT + "\",\"orderId\":\"forged\",\"quantity\":1}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertRejectedWithoutTrace(() -> Api.post(inventory, "/spring-command-bus-connector/command", reserve), 403);
        assertRejectedWithoutTrace(() -> Api.post(inventory, "/spring-command-bus-connector/command",
                                                  Map.of("X-Sagaengine-Node-Secret", "guessed"), reserve), 403);
    }

    @Test
    void malformedJsonIsRejected() {
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", "{\"accountId\": \"a\", \"lines\": ["), 400);
    }

    @Test
    void negativeQuantityIsRejected() {
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", Map.of(
                "accountId", KNOWN_ACCOUNT, "currency", "EUR",
                "lines", List.of(Map.of("productId", KNOWN_PRODUCT, "quantity", -2, "unitPrice", 100)))), 400);
    }

    @Test
    void orderWithoutLinesIsRejected() {
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", Map.of(
                "accountId", KNOWN_ACCOUNT, "currency", "EUR", "lines", List.of())), 400);
    }

    @Test
    void sameProductOnTwoLinesIsRejected() {
        Map<String, Object> line = Map.of("productId", KNOWN_PRODUCT, "quantity", 1, "unitPrice", 100);
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", Map.of(
                "accountId", KNOWN_ACCOUNT, "currency", "EUR", "lines", List.of(line, line))), 400);
    }

    @Test
    void orderTotalBeyondAnyAmountIsRejected() {
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", Map.of(
                "accountId", KNOWN_ACCOUNT, "currency", "EUR", "lines", List.of(
                        Map.of("productId", KNOWN_PRODUCT, "quantity", 1_000_000, "unitPrice", 1_000_000_000_000L),
                        Map.of("productId", "other", "quantity", 1_000_000, "unitPrice", 1_000_000_000_000L)))), 400);
    }

    @Test
    void unknownFieldIsRejected() {
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", Map.of(
                "accountId", KNOWN_ACCOUNT, "currency", "EUR", "discount", 50,
                "lines", List.of(Map.of("productId", KNOWN_PRODUCT, "quantity", 1, "unitPrice", 100)))), 400);
    }

    @Test
    void oversizedPayloadIsRejected() {
        String huge = "{\"accountId\":\"" + "x".repeat(200_000) + "\"}";
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", huge), 413);
    }

    @Test
    void wrongMediaTypeIsRejected() {
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", "text/plain", "an order, please"), 415);
    }

    @Test
    void unknownOrderIsNotFound() {
        assertRejectedWithoutTrace(() -> Api.get(orders, "/orders/no-such-order"), 404);
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders/no-such-order/cancel", ""), 404);
    }

    @Test
    void invalidProductIsRejected() {
        assertRejectedWithoutTrace(() -> Api.post(inventory, "/products", Map.of(
                "productId", "p", "name", "Negative", "initialQuantity", -1)), 400);
        assertRejectedWithoutTrace(() -> Api.post(inventory, "/products", Map.of(
                "productId", "../etc", "name", "Path", "initialQuantity", 1)), 400);
    }

    @Test
    void registeringAKnownProductAgainIsAConflict() {
        assertRejectedWithoutTrace(() -> Api.post(inventory, "/products", Map.of(
                "productId", KNOWN_PRODUCT, "name", "Again", "initialQuantity", 1)), 409);
    }

    @Test
    void restockOfUnknownProductOrByNothingIsRejected() {
        assertRejectedWithoutTrace(() -> Api.post(inventory, "/products/no-such-product/restock",
                                                  Map.of("quantity", 3)), 404);
        assertRejectedWithoutTrace(() -> Api.post(inventory, "/products/" + KNOWN_PRODUCT + "/restock",
                                                  Map.of("quantity", 0)), 400);
    }

    @Test
    void invalidAccountOperationsAreRejected() {
        assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts", Map.of(
                "accountId", "acc", "owner", "Someone", "currency", "euro")), 400);
        assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts/no-such-account/deposits",
                                                  Map.of("amount", 100)), 404);
        assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts/" + KNOWN_ACCOUNT + "/deposits",
                                                  Map.of("amount", -5)), 400);
    }

    /** Money and quantities are whole numbers: a fraction or a number in a string is refused, never rounded. */
    @Test
    void numbersAreReadStrictly() {
        String line = "{\"productId\":\"" + KNOWN_PRODUCT + "\",\"quantity\":%s,\"unitPrice\":100}";
        String order = "{\"accountId\":\"" + KNOWN_ACCOUNT + "\",\"currency\":\"EUR\",\"lines\":[" + line + "]}";
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", order.formatted("1.5")), 400);
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders", order.formatted("\"1\"")), 400);
        assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts/" + KNOWN_ACCOUNT + "/deposits",
                                                  "{\"amount\":1.5}"), 400);
        assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts/" + KNOWN_ACCOUNT + "/deposits",
                                                  "{\"amount\":\"100\"}"), 400);
    }

    @Test
    void aKeyGivenTwiceOrAnythingAfterTheDocumentIsRefused() {
        assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts",
                "{\"accountId\":\"dup\",\"owner\":\"Dup\",\"currency\":\"EUR\",\"currency\":\"USD\"}"), 400);
        assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts/" + KNOWN_ACCOUNT + "/deposits",
                                                  "{\"amount\":100} {\"amount\":100}"), 400);
        assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts/" + KNOWN_ACCOUNT + "/deposits",
                                                  "{\"amount\":100}garbage"), 400);
    }

    @Test
    void namesWithControlCharactersOrDirectionOverridesAreRefused() {
        for (String name : List.of("nul\u0000here", "\u001b[31mred", "evil\u202Etxt.exe", "tab\tin")) {
            assertRejectedWithoutTrace(() -> Api.post(inventory, "/products", Map.of(
                    "productId", "ctl-product", "name", name, "initialQuantity", 1)), 400);
            assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts", Map.of(
                    "accountId", "ctl-account", "owner", name, "currency", "EUR")), 400);
        }
    }

    /** Queries change nothing, so these check the answer only; the corpus test compares the databases for them. */
    @Test
    void listParametersOutOfBoundsAreRefused() {
        for (String query : List.of("limit=-1", "limit=0", "limit=1000000", "offset=-1", "offset=2000000")) {
            for (var list : List.of(Map.entry(orders, "/orders"), Map.entry(orders, "/sagas"),
                                    Map.entry(inventory, "/products"), Map.entry(payments, "/accounts"))) {
                assertProblem(Api.get(list.getKey(), list.getValue() + "?" + query), 400);
            }
        }
        assertProblem(Api.get(orders, "/orders?status=FOO"), 400);
        assertProblem(Api.get(orders, "/sagas?state=bogus"), 400);
    }

    /** A problem says which field of the body, or which parameter of the path or query, is wrong, and how. */
    @Test
    void aProblemNamesWhatIsWrong() {
        assertNames(Api.post(orders, "/orders", Map.of(
                "accountId", KNOWN_ACCOUNT, "currency", "EUR",
                "lines", List.of(Map.of("productId", KNOWN_PRODUCT, "quantity", -2, "unitPrice", 100)))),
                    "lines[0].quantity");
        assertNames(Api.post(payments, "/accounts/" + KNOWN_ACCOUNT + "/deposits", Map.of("amount", -5)), "amount");
        assertNames(Api.get(payments, "/accounts?limit=0"), "limit");
        assertNames(Api.get(orders, "/orders/with%20space"), "orderId");
        assertNames(Api.get(inventory, "/stock-holds?orderId=with%20space"), "orderId");
    }

    private static void assertNames(Api.Response response, String field) {
        assertProblem(response, 400);
        assertThat(response.body().path("errors")).as("the problem's errors").isNotEmpty();
        assertThat(response.body().path("errors").findValuesAsText("field")).containsExactly(field);
        assertThat(response.body().path("errors").findValuesAsText("message")).allSatisfy(
                message -> assertThat(message).isNotBlank());
    }

    /** Ids share one namespace: the id of another kind of thing is as unknown as any other, and nothing is retried. */
    @Test
    void anIdOfAnotherKindIsNotFound() {
        assertRejectedWithoutTrace(() -> Api.post(orders, "/orders/" + KNOWN_PRODUCT + "/cancel", ""), 404);
        assertRejectedWithoutTrace(() -> Api.post(inventory, "/products/" + KNOWN_ACCOUNT + "/restock",
                                                  Map.of("quantity", 3)), 404);
        assertRejectedWithoutTrace(() -> Api.post(payments, "/accounts/" + KNOWN_PRODUCT + "/deposits",
                                                  Map.of("amount", 100)), 404);
    }

    private void assertRejectedWithoutTrace(java.util.function.Supplier<Api.Response> request, int expectedStatus) {
        String before = quietFingerprint();
        assertProblem(request.get(), expectedStatus);
        assertThat(fingerprintAfter()).isEqualTo(before);
    }

    private static void assertProblem(Api.Response response, int expectedStatus) {
        assertThat(response.status()).isEqualTo(expectedStatus);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().path("status").asInt()).isEqualTo(expectedStatus);
        assertThat(response.body().path("title").asText()).isNotBlank();
        assertThat(response.body().toString()).doesNotContain("Exception", "org.", "java.");
    }

    /**
     * The fingerprint once the services have finished with earlier work, so that only the next request could change
     * it: two readings {@value #QUIET_MILLIS} ms apart that agree, the first at once.
     */
    static String quietFingerprint() {
        return steadyFingerprint(Duration.ZERO);
    }

    /**
     * The fingerprint after a request, once whatever it set off has had time to show: as {@link #quietFingerprint()},
     * but the first reading {@value #QUIET_MILLIS} ms after the answer, so that a change that lands after the answer
     * (an event's handlers, a command a saga sends) is seen even if it takes a while.
     */
    static String fingerprintAfter() {
        return steadyFingerprint(Duration.ofMillis(QUIET_MILLIS));
    }

    private static String steadyFingerprint(Duration firstReading) {
        AtomicReference<String> last = new AtomicReference<>("");
        await().atMost(Duration.ofSeconds(30)).pollDelay(firstReading).pollInterval(Duration.ofMillis(QUIET_MILLIS))
               .until(() -> {
                   String now = fingerprint();
                   return now.equals(last.getAndSet(now));
               });
        return last.get();
    }

    private static String fingerprint() throws SQLException {
        return query("events", "select count(*), coalesce(max(globalindex), 0) from domainevententry")
               + query("orders", "select (select count(*) from customer_order), (select count(*) from sagaentry),"
                                 + " (select count(*) from saga_step)")
               + query("inventory", "select count(*), coalesce(sum(received_quantity + available_quantity), 0)"
                                    + " from product_stock")
               + query("payments", "select count(*), coalesce(sum(balance), 0) from account");
    }

    private static String query(String database, String sql) throws SQLException {
        try (Connection connection = RunningSystem.system().connect(database);
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(sql)) {
            row.next();
            StringBuilder values = new StringBuilder(database).append('=');
            for (int column = 1; column <= row.getMetaData().getColumnCount(); column++) {
                values.append(row.getString(column)).append(',');
            }
            return values.append(' ').toString();
        }
    }
}
