package org.sagaengine.platform.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Lets only the peers use the command bus's endpoints: a request to them must carry the nodes' shared secret in
 * {@value #HEADER}, which this node's own calls to its peers add. Anyone else gets 403 and reaches no handler.
 * <p>
 * The check sits on the handler Spring MVC has matched, not on the request's path: whatever spelling of the path
 * reached the command bus's controller (percent-encoded, with parameters, dot segments), it is that controller which
 * asks for the secret. A check on the path as written would have to decode it exactly as the router does.
 */
public class PeerAuthentication implements HandlerInterceptor {

    public static final String HEADER = "X-Sagaengine-Node-Secret";

    private final Set<Class<?>> peerHandlers;
    private final byte[] secretDigest;

    /**
     * @param peerHandlers the controllers that serve the peers
     * @param secret       the nodes' shared secret
     */
    public PeerAuthentication(Set<Class<?>> peerHandlers, String secret) {
        this.peerHandlers = Set.copyOf(peerHandlers);
        this.secretDigest = digest(secret);
    }

    /**
     * Whether a path names a peer endpoint as written: good enough to exempt the peers from the API's capacity limit,
     * never to authenticate.
     */
    public static boolean isPeerPath(String path) {
        return path.startsWith("/spring-command-bus-connector/") || path.startsWith("/member-capabilities");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
            throws Exception {
        if (!(handler instanceof HandlerMethod method) || !isPeerHandler(method.getBeanType())) {
            return true;
        }
        if (admits(request)) {
            return true;
        }
        refuse(response);
        return false;
    }

    /** Whether the request carries the nodes' secret. */
    public boolean admits(HttpServletRequest request) {
        String presented = request.getHeader(HEADER);
        // Digests of equal length, compared in constant time: neither the secret's length nor a prefix leaks.
        return presented != null && MessageDigest.isEqual(secretDigest, digest(presented));
    }

    /** Answers a request that does not carry the secret: 403, and nothing about the endpoint. */
    public static void refuse(HttpServletResponse response) throws IOException {
        ProblemResponses.write(response, HttpStatus.FORBIDDEN, "Forbidden",
                               "This endpoint is for the other services of the system.", null);
    }

    private boolean isPeerHandler(Class<?> type) {
        return peerHandlers.stream().anyMatch(peer -> peer.isAssignableFrom(type));
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
