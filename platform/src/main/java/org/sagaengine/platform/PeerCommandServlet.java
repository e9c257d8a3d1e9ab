package org.sagaengine.platform;

import java.io.IOException;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.axonframework.extensions.springcloud.commandhandling.SpringHttpCommandBusConnector;
import org.axonframework.extensions.springcloud.commandhandling.SpringHttpDispatchMessage;
import org.axonframework.serialization.SerializationException;
import org.sagaengine.platform.web.PeerAuthentication;
import org.sagaengine.platform.web.ProblemResponses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * Receives the peers' commands at the command bus connector's own path, as a plain servlet: the message is read,
 * handed to the connector as its Spring MVC endpoint would hand it, and the reply written, in one pass on the
 * request's thread. Through Spring MVC each command took a handler lookup, argument and return value resolution, and
 * a second, asynchronous dispatch through every filter for the reply (the connector answers with a future, complete
 * by then: the local command bus handles a command on the caller's thread). That machinery cost more CPU in
 * inventory-service and payment-service than the commands themselves.
 * <p>
 * The wire format is the connector's, read and written with the service's {@link ObjectMapper} as Spring MVC did. The
 * servlet asks for the nodes' secret first; any other spelling of the path goes to Spring MVC, to the connector's
 * endpoint there, which asks for it too ({@link PeerAuthentication}). A body that is not a command message (its
 * payload and metadata included), or names a type that is not one of the system's messages, is refused with 400 and
 * a problem document.
 */
final class PeerCommandServlet extends HttpServlet {

    static final String PATH = "/spring-command-bus-connector/command";

    private static final Logger log = LoggerFactory.getLogger(PeerCommandServlet.class);

    private final transient SpringHttpCommandBusConnector connector;
    private final transient PeerAuthentication authentication;
    private final transient ObjectMapper json;

    PeerCommandServlet(SpringHttpCommandBusConnector connector, PeerAuthentication authentication,
                       ObjectMapper json) {
        this.connector = connector;
        this.authentication = authentication;
        this.json = json;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!authentication.admits(request)) {
            PeerAuthentication.refuse(response);
            return;
        }
        SpringHttpDispatchMessage<?> message;
        try {
            message = json.readValue(request.getInputStream(), SpringHttpDispatchMessage.class);
        } catch (JacksonException unreadable) {
            message = null;
        }
        if (message == null || !isComplete(message)) {
            notACommandMessage(response);
            return;
        }
        Object reply;
        try {
            reply = connector.receiveCommand(message).join();
        } catch (SerializationException unreadable) {
            // The payload or the metadata inside the message: the command is read before it is dispatched.
            notACommandMessage(response);
            return;
        } catch (IllegalArgumentException refused) {
            ProblemResponses.write(response, HttpStatus.BAD_REQUEST, "Invalid request", refused.getMessage(), null);
            return;
        } catch (RuntimeException failed) {
            log.error("A peer's command could not be received", failed);
            ProblemResponses.write(response, HttpStatus.INTERNAL_SERVER_ERROR, "Internal Server Error",
                                   "The command could not be received.", null);
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        if (reply instanceof String text) {
            // A command sent without expecting a reply: the connector answers with an empty text.
            response.setContentType(MediaType.TEXT_PLAIN_VALUE);
            response.setCharacterEncoding("UTF-8");
            response.getWriter().write(text);
        } else {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            json.writeValue(response.getOutputStream(), reply);
        }
    }

    /** Whether the message names everything a command is made of; its payload's type is checked when it is read. */
    private static boolean isComplete(SpringHttpDispatchMessage<?> message) {
        return message.getCommandIdentifier() != null && message.getCommandName() != null
                && message.getPayloadType() != null && message.getSerializedPayload() != null
                && message.getSerializedMetaData() != null;
    }

    private static void notACommandMessage(HttpServletResponse response) throws IOException {
        ProblemResponses.write(response, HttpStatus.BAD_REQUEST, "Bad Request",
                               "The request body is not a command message.", null);
    }
}
