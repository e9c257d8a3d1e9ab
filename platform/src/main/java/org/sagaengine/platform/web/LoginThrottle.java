package org.sagaengine.platform.web;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Slows down password guessing: a client (by its address) whose credentials were refused {@code maxFailures} times
 * within {@code window} is answered 429 with {@code Retry-After} for the rest of that window, before its credentials
 * are even looked at. A correct password clears its count.
 */
public class LoginThrottle extends OncePerRequestFilter {

    private static final int MAX_TRACKED_CLIENTS = 10_000;

    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    private record Failures(int count, Instant windowEnds) {
    }

    public LoginThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return request.getHeader(HttpHeaders.AUTHORIZATION) == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String client = request.getRemoteAddr();
        Instant now = clock.instant();
        Failures seen = failures.get(client);
        if (seen != null && now.isBefore(seen.windowEnds()) && seen.count() >= maxFailures) {
            long seconds = Math.max(1, Duration.between(now, seen.windowEnds()).toSeconds());
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
            ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "Too Many Requests",
                                   "Too many refused logins from this address; try again in " + seconds + " s.",
                                   null);
            return;
        }
        chain.doFilter(request, response);
        if (response.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
            failures.compute(client, (key, previous) -> previous == null || !now.isBefore(previous.windowEnds())
                    ? new Failures(1, now.plus(window))
                    : new Failures(previous.count() + 1, previous.windowEnds()));
            forgetOldClients(now);
        } else if (seen != null) {
            failures.remove(client);
        }
    }

    private void forgetOldClients(Instant now) {
        if (failures.size() > MAX_TRACKED_CLIENTS) {
            failures.values().removeIf(entry -> !now.isBefore(entry.windowEnds()));
        }
    }
}
