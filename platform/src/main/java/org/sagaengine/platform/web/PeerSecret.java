package org.sagaengine.platform.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets only the peers use the command bus's endpoints: a request to them must carry the nodes' shared secret in
 * {@value #HEADER}, which this node's own calls to its peers add. Anyone else gets 403 and reaches no handler.
 */
public class PeerSecret extends OncePerRequestFilter {

    public static final String HEADER = "X-Sagaengine-Node-Secret";

    private final byte[] secret;

    public PeerSecret(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public static boolean isPeerEndpoint(String path) {
        return path.startsWith("/spring-command-bus-connector/") || path.startsWith("/member-capabilities");
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !isPeerEndpoint(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = request.getHeader(HEADER);
        if (presented == null || !MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8))) {
            ProblemResponses.write(response, HttpStatus.FORBIDDEN, "Forbidden",
                                   "This endpoint is for the other services of the system.", null);
            return;
        }
        chain.doFilter(request, response);
    }
}
