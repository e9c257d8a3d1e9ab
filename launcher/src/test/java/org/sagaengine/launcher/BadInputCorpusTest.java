package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Bad input changes nothing, on every endpoint. The corpus is generated from each service's own OpenAPI description:
 * every operation it lists gets bad path parameters, bad query parameters by their declared type, and for a JSON body,
 * malformed documents and every leaf property replaced by a wrong value for its type. Each case must be answered with
 * a 4xx problem document that shows no internals, and for every operation that may write, the fingerprint of all four
 * databases, taken once the system is quiet, must be the same after its cases as before them. An operation the description lists and this
 * test has no valid body for fails the test, so a new endpoint cannot go unguarded.
 */
@ExtendWith(RunningSystem.class)
class BadInputCorpusTest {

    static final String PRODUCT = "corpus-product";
    static final String ACCOUNT = "corpus-account";
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");
    static final List<String> BAD_IDS = List.of(
            "a\"b", "a'b", "ü-☕", "😀", "x".repeat(2_000), "x".repeat(10_000), "..", "a b", "-", "<script>", "%00");
    static final List<String> LEAKS = List.of(
            "Exception", "org.axonframework", "org.springframework", "java.", "SQL", "\tat ", "jdbc:", "postgres");

    final EmbeddedSystem system = RunningSystem.system();
    final Map<String, Integer> casesByOperation = new TreeMap<>();
    final Map<String, Integer> casesByKind = new TreeMap<>();

    @Test
    void everyOperationOfEveryServiceAnswersBadInputWith4xxAndChangesNothing() throws Exception {
        Api.post(system.uri(INVENTORY), "/products", Map.of("productId", PRODUCT, "name", "Corpus",
                                                            "initialQuantity", 5));
        Api.post(system.uri(PAYMENT), "/accounts", Map.of("accountId", ACCOUNT, "owner", "Corpus", "currency", "EUR"));
        for (String serviceName : List.of(ORDER_SAGA, INVENTORY, PAYMENT)) {
            URI service = system.uri(serviceName);
            JsonNode description = Api.get(service, "/v3/api-docs").body();
            for (Iterator<Map.Entry<String, JsonNode>> paths = description.path("paths").fields(); paths.hasNext(); ) {
                Map.Entry<String, JsonNode> path = paths.next();
                for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                    Map.Entry<String, JsonNode> operation = ops.next();
                    String method = operation.getKey().toUpperCase();
                    String name = serviceName + " " + method + " " + path.getKey();
                    // A GET runs queries only; its answers are checked, the databases compared for the rest.
                    boolean writes = !method.equals("GET");
                    String before = writes ? BadInputTest.quietFingerprint() : null;
                    for (Case bad : cases(description, path.getKey(), method, operation.getValue())) {
                        send(service, name, bad);
                    }
                    if (writes) {
                        assertThat(BadInputTest.fingerprintAfter()).as("the databases after the cases of %s", name)
                                                                   .isEqualTo(before);
                    }
                }
            }
        }
        int total = casesByOperation.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("[corpus] %d cases over %d operations; by kind %s; by operation %s%n", total,
                          casesByOperation.size(), casesByKind, casesByOperation);
        assertThat(casesByOperation).as("operations covered").hasSizeGreaterThanOrEqualTo(15);
    }

    /** One bad request: its kind (for the tally), the path with its query, and the body if any. */
    record Case(String kind, String path, String contentType, String body) {
    }

    private List<Case> cases(JsonNode description, String template, String method, JsonNode operation) {
        List<Case> cases = new ArrayList<>();
        String validPath = fill(template, Map.of());
        JsonNode body = operation.path("requestBody").path("content").path("application/json").path("schema");
        String validBody = body.isMissingNode() ? null : validBody(method, template);
        String contentType = body.isMissingNode() ? null : "application/json";
        Matcher parameters = PATH_PARAMETER.matcher(template);
        while (parameters.find()) {
            for (String bad : BAD_IDS) {
                cases.add(new Case("path parameter", fill(template, Map.of(parameters.group(1), bad)), contentType,
                                   validBody));
            }
        }
        for (JsonNode parameter : operation.path("parameters")) {
            if (!parameter.path("in").asText().equals("query")) {
                continue;
            }
            String name = parameter.path("name").asText();
            JsonNode schema = parameter.path("schema");
            List<String> values = new ArrayList<>();
            if (schema.path("type").asText().equals("integer")) {
                values.addAll(List.of("-1", "abc", "1.5", "99999999999", "a\"b", String.valueOf(
                        schema.path("maximum").asLong(1_000_000) + 1)));
                if (schema.path("minimum").asLong(0) >= 1) {
                    values.add("0");
                }
            } else if (schema.has("pattern")) {
                // Only what the declared pattern refuses: a prefix search, say, takes any text of its alphabet.
                Pattern declared = Pattern.compile(schema.path("pattern").asText());
                List.of("FOO", "a\"b", "😀", "x".repeat(5_000), "<script>")
                    .stream().filter(value -> !declared.matcher(value).matches()).forEach(values::add);
            }
            if (parameter.path("required").asBoolean()) {
                values.add("");
            }
            for (String value : values) {
                String assignment = name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
                String path = validPath.contains(name + "=")
                        ? validPath.replaceAll(name + "=[^&]*", Matcher.quoteReplacement(assignment))
                        : validPath + (validPath.contains("?") ? "&" : "?") + assignment;
                cases.add(new Case("query parameter", path, contentType, validBody));
            }
            if (parameter.path("required").asBoolean() && validPath.contains(name + "=")) {
                cases.add(new Case("query parameter", validPath.replaceAll("[?&]" + name + "=[^&]*", ""),
                                   contentType, validBody));
            }
        }
        if (validBody != null) {
            for (String malformed : List.of("", "{", "{\"a\":", "[]", "null", "42", "\"text\"",
                                            validBody + " {}", validBody + "x", validBody.replace("{", "{{"),
                                            duplicateFirstKey(validBody), withUnknownField(validBody))) {
                cases.add(new Case("malformed body", validPath, "application/json", malformed));
            }
            cases.add(new Case("media type", validPath, "text/plain", validBody));
            cases.add(new Case("oversized body", validPath, "application/json",
                               validBody.replaceFirst("\\{", "{\"padding\":\"" + "x".repeat(200_000) + "\",")));
            ObjectNode document = (ObjectNode) Api.readTree(validBody);
            for (String pointer : leaves(document, "")) {
                for (JsonNode wrong : wrongValues(document.at(pointer))) {
                    ObjectNode mutated = document.deepCopy();
                    replace(mutated, pointer, wrong);
                    cases.add(new Case("body property", validPath, "application/json", mutated.toString()));
                }
            }
        } else if (method.equals("POST") && !operation.path("requestBody").isMissingNode()) {
            throw new AssertionError("No valid body known for " + method + " " + template + ": add one to the corpus");
        }
        return cases;
    }

    /** A request that would succeed, so that each case differs from it in one thing only. */
    private String validBody(String method, String template) {
        String fresh = "corpus-" + Long.toString(System.nanoTime(), 36);
        return switch (method + " " + template) {
            case "POST /products" -> "{\"productId\":\"" + fresh + "\",\"name\":\"Mug\",\"initialQuantity\":3}";
            case "POST /products/{productId}/restock" -> "{\"quantity\":2}";
            case "POST /accounts" -> "{\"accountId\":\"" + fresh + "\",\"owner\":\"Ann\",\"currency\":\"EUR\"}";
            case "POST /accounts/{accountId}/deposits" -> "{\"amount\":500}";
            case "POST /orders" -> "{\"accountId\":\"" + ACCOUNT + "\",\"currency\":\"EUR\",\"lines\":[{\"productId\":\""
                    + PRODUCT + "\",\"quantity\":1,\"unitPrice\":100}]}";
            case "POST /orders/{orderId}/returns" -> "{\"lines\":[{\"productId\":\"" + PRODUCT + "\",\"quantity\":1}]}";
            default -> throw new AssertionError("No valid body known for " + method + " " + template
                    + ": add one to the corpus");
        };
    }

    private static String fill(String template, Map<String, String> overrides) {
        Map<String, String> known = new LinkedHashMap<>(Map.of(
                "productId", PRODUCT, "accountId", ACCOUNT, "orderId", "corpus-order",
                "group", "order-projection", "sequence", "x"));
        known.putAll(overrides);
        Matcher parameters = PATH_PARAMETER.matcher(template);
        StringBuilder path = new StringBuilder();
        while (parameters.find()) {
            String value = known.getOrDefault(parameters.group(1), "x");
            parameters.appendReplacement(path, Matcher.quoteReplacement(
                    URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20")));
        }
        parameters.appendTail(path);
        String filled = path.toString();
        // The endpoints that name an order in their query must name one to be a valid request.
        return List.of("/stock-holds", "/stock-returns", "/payments", "/return-refunds").contains(filled)
               ? filled + "?orderId=corpus-order" : filled;
    }

    private static List<String> leaves(JsonNode node, String pointer) {
        List<String> leaves = new ArrayList<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> leaves.addAll(leaves(field.getValue(), pointer + "/" + field.getKey())));
        } else if (node.isArray()) {
            leaves.add(pointer);
            for (int i = 0; i < node.size(); i++) {
                leaves.addAll(leaves(node.get(i), pointer + "/" + i));
            }
        } else {
            leaves.add(pointer);
        }
        return leaves;
    }

    /** Values of the wrong type or out of range for what stands there now. */
    private static List<JsonNode> wrongValues(JsonNode valid) {
        List<JsonNode> wrong = new ArrayList<>(List.of(NODES.nullNode(), NODES.booleanNode(true), NODES.objectNode()));
        if (valid.isIntegralNumber()) {
            wrong.addAll(List.of(NODES.numberNode(1.5), NODES.textNode("1"), NODES.numberNode(-1),
                                 NODES.numberNode(new java.math.BigInteger("100000000000000000000")),
                                 NODES.numberNode(1e20), NODES.arrayNode()));
        } else if (valid.isTextual()) {
            wrong.addAll(List.of(NODES.numberNode(12), NODES.numberNode(1.5), NODES.textNode(""),
                                 NODES.textNode("a\u0000b"), NODES.textNode("\u001b[31mred"),
                                 NODES.textNode("evil\u202Etxt.exe"), NODES.textNode("x".repeat(10_000)),
                                 NODES.arrayNode()));
        } else if (valid.isArray()) {
            wrong.addAll(List.of(NODES.arrayNode(), NODES.textNode("lines"), NODES.arrayNode().add(NODES.nullNode())));
        }
        return wrong;
    }

    private static void replace(ObjectNode document, String pointer, JsonNode value) {
        int last = pointer.lastIndexOf('/');
        JsonNode parent = document.at(pointer.substring(0, last));
        String key = pointer.substring(last + 1);
        if (parent instanceof ArrayNode array) {
            array.set(Integer.parseInt(key), value);
        } else {
            ((ObjectNode) parent).set(key, value);
        }
    }

    private static String duplicateFirstKey(String json) {
        ObjectNode document = (ObjectNode) Api.readTree(json);
        Map.Entry<String, JsonNode> first = document.fields().next();
        return "{\"" + first.getKey() + "\":" + first.getValue() + "," + json.substring(1);
    }

    private static String withUnknownField(String json) {
        return "{\"discount\":50," + json.substring(1);
    }

    private void send(URI service, String operation, Case bad) throws Exception {
        String method = operation.split(" ")[1];
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service + bad.path()))
                                                 .timeout(Duration.ofSeconds(30));
        if (bad.body() != null) {
            request.header("Content-Type", bad.contentType())
                   .method(method, HttpRequest.BodyPublishers.ofString(bad.body(), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String shown = bad.path().length() > 120 ? bad.path().substring(0, 120) + "..." : bad.path();
        String what = operation + " with " + bad.kind() + " " + shown + " "
                + (bad.body() == null ? "" : bad.body().substring(0, Math.min(200, bad.body().length())));
        assertThat(response.statusCode()).as("status of %s", what).isBetween(400, 499);
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as("content type of %s", what).startsWith("application/problem+json");
        assertThat(response.body()).as("what %s shows", what).doesNotContain(LEAKS);
        casesByOperation.merge(operation, 1, Integer::sum);
        casesByKind.merge(bad.kind(), 1, Integer::sum);
    }
}
