package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nobody outside the system gets in. The command bus's endpoints answer only the peers, however the path is
 * spelled; a peer's message names only the system's own message types; admin logins are throttled; health shows its
 * details to the admin only; PostgreSQL asks everyone for a password.
 * <p>
 * Requests are written to the socket byte for byte, so that no HTTP client normalises the path on the way.
 */
@ExtendWith(RunningSystem.class)
class PeerEndpointSecurityTest {

    final EmbeddedSystem system = RunningSystem.system();
    final URI payments = system.uri(PAYMENT);

    /** Every spelling of the command endpoint that a router might decode, normalise or match to it. */
    static final List<String> COMMAND_PATHS = List.of(
            "/spring-command-bus-connector/command",
            "/%73pring-command-bus-connector/command",
            "/spring-command-bus-connector/%63ommand",
            "/%2573pring-command-bus-connector/command",
            "/spring%2Dcommand%2Dbus%2Dconnector/command",
            "/Spring-Command-Bus-Connector/command",
            "/SPRING-COMMAND-BUS-CONNECTOR/COMMAND",
            "/spring-command-bus-connector/command/",
            "/spring-command-bus-connector//command",
            "//spring-command-bus-connector/command",
            "/spring-command-bus-connector;x=1/command",
            "/spring-command-bus-connector/command;jsessionid=1",
            "/spring-command-bus-connector/command;",
            "/x/../spring-command-bus-connector/command",
            "/./spring-command-bus-connector/command",
            "/spring-command-bus-connector/./command",
            "/x/%2e%2e/spring-command-bus-connector/command",
            "/x/%2E%2E/spring-command-bus-connector/command",
            "/x%2f..%2fspring-command-bus-connector/command",
            "/spring-command-bus-connector/x/..;/command",
            "/spring-command-bus-connector%2fcommand",
            "/spring-command-bus-connector/command?secret=1",
            "/spring-command-bus-connector/command.json",
            "/spring-command-bus-connector/command%00");

    static final List<String> CAPABILITY_PATHS = List.of(
            "/member-capabilities",
            "/%6dember-capabilities",
            "/%256dember-capabilities",
            "/Member-Capabilities",
            "/member-capabilities/",
            "//member-capabilities",
            "/member-capabilities;x=1",
            "/x/../member-capabilities",
            "/./member-capabilities",
            "/x/%2e%2e/member-capabilities",
            "/member-capabilities.json",
            "/member-capabilities%00");

    @Test
    void noSpellingOfTheCommandEndpointRunsACommandWithoutTheSecret() throws Exception {
        String account = "peer-" + Long.toString(System.nanoTime(), 36);
        new Shop(system).account(account, 100);
        for (URI service : List.of(system.uri(ORDER_SAGA), system.uri(INVENTORY), payments)) {
            for (String path : COMMAND_PATHS) {
                Raw reply = Raw.send(service, "POST", path, Map.of("Content-Type", "application/json"),
                                     deposit(account, 6_555));
                assertThat(reply.status()).as("POST %s%s without the secret", service, path).isBetween(400, 499);
                assertThat(reply.body()).as("what %s%s tells a stranger", service, path)
                                        .doesNotContain("org.axonframework", "Exception", "at org.");
                Raw guessed = Raw.send(service, "POST", path, Map.of("Content-Type", "application/json",
                                                                     PeerCommands.SECRET_HEADER, "guessed"),
                                       deposit(account, 6_555));
                assertThat(guessed.status()).as("POST %s%s with a wrong secret", service, path).isBetween(400, 499);
            }
        }
        Thread.sleep(1_000);
        assertThat(Api.get(payments, "/accounts/" + account).body().get("balance").asLong())
                .as("no forged deposit reached the account").isEqualTo(100);
    }

    @Test
    void noSpellingOfTheCapabilitiesEndpointAnswersWithoutTheSecret() throws Exception {
        for (URI service : List.of(system.uri(ORDER_SAGA), system.uri(INVENTORY), payments)) {
            for (String path : CAPABILITY_PATHS) {
                Raw reply = Raw.send(service, "GET", path, Map.of(), null);
                assertThat(reply.status()).as("GET %s%s without the secret", service, path).isBetween(400, 499);
                assertThat(reply.body()).as("GET %s%s", service, path).doesNotContain("loadFactor", "commandFilter");
            }
        }
    }

    @Test
    void thePeersThemselvesStillGetIn() {
        String account = "peer-ok-" + Long.toString(System.nanoTime(), 36);
        new Shop(system).account(account, 100);
        assertThat(PeerCommands.deliver(payments, "org.sagaengine.payment.api.DepositMoney",
                                        Map.of("accountId", account, "amount", 1)))
                .as("a deposit delivered with the secret").isIn("", "empty");
    }

    /**
     * The peers' own calls pass Spring Security's filters by, and the nodes' secret alone guards them (the tests
     * above). It shows in the headers those filters write for browsers: the API's answers carry them, the peers' not.
     */
    @Test
    void thePeersOwnCallsSkipTheFiltersWrittenForBrowsers() throws Exception {
        String account = "peer-lean-" + Long.toString(System.nanoTime(), 36);
        new Shop(system).account(account, 100);
        Map<String, String> secret = Map.of(PeerCommands.SECRET_HEADER, system.nodeSecret());
        Map<String, String> json = Map.of("Content-Type", "application/json",
                                          PeerCommands.SECRET_HEADER, system.nodeSecret());
        Raw command = Raw.send(payments, "POST", "/spring-command-bus-connector/command", json, deposit(account, 1));
        Raw capabilities = Raw.send(payments, "GET", "/member-capabilities", secret, null);
        Raw api = Raw.send(payments, "GET", "/accounts/" + account, Map.of(), null);

        assertThat(command.status()).as("a command with the secret").isEqualTo(200);
        assertThat(capabilities.status()).as("capabilities with the secret").isEqualTo(200);
        assertThat(api.status()).isEqualTo(200);
        assertThat(api.headers()).as("the API's answer").containsIgnoringCase("X-Frame-Options: DENY");
        assertThat(command.headers()).as("a command's answer").doesNotContainIgnoringCase("X-Frame-Options");
        assertThat(capabilities.headers()).as("capabilities' answer").doesNotContainIgnoringCase("X-Frame-Options");
    }

    @Test
    void aPeerBodyThatIsNoCommandMessageIsRefusedWithAProblem() throws Exception {
        Map<String, String> peer = Map.of("Content-Type", "application/json", PeerCommands.SECRET_HEADER,
                                          system.nodeSecret());
        String withoutPayloadType = deposit("any", 1)
                .replace("\"payloadType\":\"org.sagaengine.payment.api.DepositMoney\",", "");
        assertThat(withoutPayloadType).doesNotContain("payloadType");
        String notJson = Base64.getEncoder().encodeToString("not json".getBytes(StandardCharsets.UTF_8));
        String unreadablePayload = deposit("any", 1).replaceFirst("\"serializedPayload\":\"[^\"]*\"",
                                                                  "\"serializedPayload\":\"" + notJson + "\"");
        String unreadableMetaData = deposit("any", 1).replace("\"serializedMetaData\":\"e30=\"",
                                                              "\"serializedMetaData\":\"" + notJson + "\"");
        assertThat(List.of(unreadablePayload, unreadableMetaData)).allMatch(body -> body.contains(notJson));
        for (String body : List.of("{", "[1, 2]", "{\"expectReply\": \"perhaps\"}", "", "null", "{}",
                                   withoutPayloadType, unreadablePayload, unreadableMetaData)) {
            Raw reply = Raw.send(payments, "POST", "/spring-command-bus-connector/command", peer, body);
            assertThat(reply.status()).as("a peer's body %s", body).isEqualTo(400);
            assertThat(reply.headers()).containsIgnoringCase("Content-Type: application/problem+json");
            assertThat(reply.body()).contains("The request body is not a command message.")
                                    .doesNotContain("Exception", "at org.", "com.fasterxml");
        }
    }

    @Test
    void aPeerMessageMayNameOnlyTheSystemsOwnMessageTypes() {
        for (String type : List.of("java.util.HashMap", "java.net.URL", "org.springframework.context.support"
                + ".ClassPathXmlApplicationContext", "org.sagaengine.payment.domain.Account",
                                   "org.sagaengine.payment.api.NoSuchCommand")) {
            Api.Response reply = PeerCommands.send(payments, type, "{}");
            assertThat(reply.status()).as("a command of type %s", type).isEqualTo(400);
            assertThat(reply.body().toString()).doesNotContain("Exception");
        }
    }

    @Test
    void adminLoginsAreThrottledPerClient() throws Exception {
        URI inventory = system.uri(INVENTORY);
        List<Integer> statuses = new ArrayList<>();
        try {
            for (int attempt = 0; attempt < RunningSystem.MAX_FAILED_LOGINS + 1; attempt++) {
                statuses.add(Api.admin("GET", inventory, "/admin/dead-letters", "wrong-" + attempt).status());
            }
            Api.Response throttled = Api.admin("GET", inventory, "/admin/dead-letters", system.adminPassword());
            assertThat(statuses.subList(0, RunningSystem.MAX_FAILED_LOGINS)).containsOnly(401);
            assertThat(statuses.get(RunningSystem.MAX_FAILED_LOGINS)).isEqualTo(429);
            assertThat(throttled.status()).as("even the right password waits out the window").isEqualTo(429);
            assertThat(throttled.contentType()).startsWith("application/problem+json");
        } finally {
            Thread.sleep(RunningSystem.FAILED_LOGIN_WINDOW.plusMillis(500).toMillis());
        }
        assertThat(Api.admin("GET", inventory, "/admin/dead-letters", system.adminPassword()).status())
                .as("after the window").isEqualTo(200);
        assertThat(Api.admin("GET", system.uri(ORDER_SAGA), "/admin/dead-letters", "wrong").status())
                .as("another service counts on its own").isEqualTo(401);
    }

    @Test
    void healthShowsOnlyItsStatusToAnonymousCallers() {
        for (URI service : List.of(system.uri(ORDER_SAGA), system.uri(INVENTORY), payments)) {
            Api.Response anonymous = Api.get(service, "/actuator/health");
            assertThat(anonymous.status()).isEqualTo(200);
            assertThat(anonymous.body().get("status").asText()).isEqualTo("UP");
            assertThat(anonymous.body().has("components")).as("components shown to anyone").isFalse();
            assertThat(anonymous.body().toString()).doesNotContain("details", "path", "members");
            Api.Response admin = Api.admin("GET", service, "/actuator/health", system.adminPassword());
            assertThat(admin.body().path("components").path("supervision").path("details").has("restarts"))
                    .as("the restart count, for the admin").isTrue();
        }
    }

    @Test
    void postgresRefusesConnectionsWithoutThePassword() {
        for (String user : List.of("postgres", EmbeddedSystem.DB_USER)) {
            for (String password : List.of("", "sagaengine", "postgres")) {
                Properties credentials = new Properties();
                credentials.setProperty("user", user);
                credentials.setProperty("password", password);
                credentials.setProperty("connectTimeout", "5");
                assertThat(connects(system.jdbcUrl("postgres"), credentials))
                        .as("%s with password '%s'", user, password).isFalse();
            }
        }
    }

    private static boolean connects(String url, Properties credentials) {
        try (Connection connection = DriverManager.getConnection(url, credentials);
             Statement statement = connection.createStatement()) {
            statement.execute("select 1");
            return true;
        } catch (SQLException refused) {
            return false;
        }
    }

    private static String deposit(String account, long amount) {
        String payload = Base64.getEncoder().encodeToString(
                ("{\"accountId\":\"" + account + "\",\"amount\":" + amount + "}").getBytes(StandardCharsets.UTF_8));
        return """
               {"commandIdentifier":"forged","serializedMetaData":"e30=",\
               "payloadType":"org.sagaengine.payment.api.DepositMoney","payloadRevision":null,\
               "serializedPayload":"%s","commandName":"org.sagaengine.payment.api.DepositMoney",\
               "expectReply":true}""".formatted(payload);
    }

    /** One HTTP/1.1 exchange over a plain socket: the request line goes out exactly as written. */
    record Raw(int status, String headers, String body) {

        static Raw send(URI service, String method, String path, Map<String, String> headers, String body)
                throws IOException {
            try (Socket socket = new Socket(service.getHost(), service.getPort())) {
                socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
                byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
                StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n")
                        .append("Host: ").append(service.getHost()).append(':').append(service.getPort())
                        .append("\r\nConnection: close\r\nContent-Length: ").append(content.length).append("\r\n");
                headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
                OutputStream out = socket.getOutputStream();
                out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(content);
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                String statusLine = response.lines().findFirst().orElse("");
                int status = Integer.parseInt(statusLine.split(" ")[1]);
                int bodyStart = response.indexOf("\r\n\r\n");
                return bodyStart < 0 ? new Raw(status, response, "")
                       : new Raw(status, response.substring(0, bodyStart), response.substring(bodyStart + 4));
            }
        }
    }
}
