package org.sagaengine.platform.web;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds how many API requests a service works on at once. A request that finds every slot taken waits briefly and
 * is then refused with 503 and {@code Retry-After}, before anything is read or written: a burst beyond capacity gets
 * a quick, clean refusal instead of a queue that grows until clients time out. Health and the peers' command
 * endpoints are not limited: the first must answer under load, the second carries work the system already accepted.
 */
public class ConcurrencyLimit extends OncePerRequestFilter {

    private final Semaphore slots;
    private final long waitNanos;

    public ConcurrencyLimit(int maxConcurrentRequests, Duration wait) {
        this.slots = new Semaphore(maxConcurrentRequests);
        this.waitNanos = wait.toNanos();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return path.startsWith("/actuator/health") || PeerAuthentication.isPeerPath(path);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean admitted;
        try {
            admitted = slots.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
            ProblemResponses.write(response, HttpStatus.SERVICE_UNAVAILABLE, "Service Unavailable",
                                   "The service is at capacity; nothing was done. Try again shortly.",
                                   request.getRequestURI());
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            slots.release();
        }
    }
}
