package org.sagaengine.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A small HTTP client for the services' REST APIs, as any outside client would use them. */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Response(int status, String contentType, String location, String retryAfter, JsonNode body) {
    }

    private Api() {
    }

    static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Response post(URI base, String path, Object body) {
        String json;
        try {
            json = body instanceof String raw ? raw : JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return send(HttpRequest.newBuilder(base.resolve(path))
                               .header("Content-Type", "application/json")
                               .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static Response post(URI base, String path, Map<String, String> headers, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                                                 .header("Content-Type", "application/json")
                                                 .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return send(request);
    }

    static Response post(URI base, String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path))
                               .header("Content-Type", contentType)
                               .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static Response get(URI base, String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    /** A request with HTTP Basic credentials, as an operator calls the admin endpoints. */
    static Response admin(String method, URI base, String path, String password) {
        String credentials = Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(base.resolve(path))
                               .header("Authorization", "Basic " + credentials)
                               .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    static Response send(String method, URI base, String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private static Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                                                      HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            return new Response(response.statusCode(),
                                response.headers().firstValue("Content-Type").orElse(""),
                                response.headers().firstValue("Location").orElse(null),
                                response.headers().firstValue("Retry-After").orElse(null),
                                body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
