package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Delivers a command to a service the way a peer does, through the distributed command bus's HTTP endpoint, so that a
 * test can deliver a command a second time as at-least-once delivery may.
 */
final class PeerCommands {

    static final String SECRET_HEADER = "X-Sagaengine-Node-Secret";

    private PeerCommands() {
    }

    /** Delivers the command and returns the reply's exception type, {@code "empty"} when the handler succeeded. */
    static String deliver(URI service, String commandType, Map<String, Object> payload) {
        Api.Response reply = send(service, commandType, json(payload));
        assertThat(reply.status()).as("delivery of %s", commandType).isEqualTo(200);
        return reply.body().path("exceptionType").asText();
    }

    /** Sends a command message of the given type with the nodes' secret, as a peer would. */
    static Api.Response send(URI service, String commandType, String payloadJson) {
        Map<String, Object> message = new HashMap<>();
        message.put("commandIdentifier", UUID.randomUUID().toString());
        message.put("serializedMetaData", "{}".getBytes(StandardCharsets.UTF_8));
        message.put("payloadType", commandType);
        message.put("payloadRevision", null);
        message.put("serializedPayload", payloadJson.getBytes(StandardCharsets.UTF_8));
        message.put("commandName", commandType);
        message.put("expectReply", true);
        return Api.post(service, "/spring-command-bus-connector/command",
                        Map.of(SECRET_HEADER, RunningSystem.system().nodeSecret()), json(message));
    }

    private static String json(Object value) {
        try {
            return Api.JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
