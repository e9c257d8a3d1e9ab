package org.sagaengine.platform.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import jakarta.servlet.http.HttpServletRequest;
import org.axonframework.axonserver.connector.ErrorCode;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.common.AxonException;
import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.sagaengine.platform.CommandGatewayConfiguration;
import org.sagaengine.platform.CommandRefusal;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.validation.method.ParameterErrors;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error a client can cause is answered with an RFC 9457 problem body. Spring MVC's own exceptions (malformed
 * JSON, wrong media type, unknown route) are handled by the base class; this adds validation details and maps what
 * the aggregates answer to HTTP.
 */
@RestControllerAdvice
public class ApiProblems extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid.");
        problem.setTitle("Invalid request");
        List<Map<String, Object>> errors = ex.getBindingResult().getFieldErrors().stream()
                                             .map(ApiProblems::describe)
                                             .toList();
        problem.setProperty("errors", errors);
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    /**
     * Constraints on a path or query parameter are checked by Spring MVC's method validation, and with them the body of
     * the same method: each error names its parameter, or the field of the body.
     */
    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
                                                                            HttpHeaders headers,
                                                                            HttpStatusCode status,
                                                                            WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request is not valid.");
        problem.setTitle("Invalid request");
        List<Map<String, Object>> errors = new ArrayList<>();
        for (ParameterValidationResult result : ex.getParameterValidationResults()) {
            if (result instanceof ParameterErrors body) {
                body.getFieldErrors().forEach(error -> errors.add(describe(error)));
                body.getGlobalErrors().forEach(error -> errors.add(describe(result, error)));
            } else {
                result.getResolvableErrors().forEach(error -> errors.add(describe(result, error)));
            }
        }
        problem.setProperty("errors", errors);
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    /** A parameter of the path or query, or a body as a whole: named for the parameter. */
    private static Map<String, Object> describe(ParameterValidationResult result, MessageSourceResolvable error) {
        return Map.of("field", String.valueOf(result.getMethodParameter().getParameterName()),
                      "message", String.valueOf(error.getDefaultMessage()));
    }

    private static Map<String, Object> describe(FieldError error) {
        return Map.of("field", error.getField(), "message", String.valueOf(error.getDefaultMessage()));
    }

    @ExceptionHandler(NotFound.class)
    ProblemDetail notFound(NotFound ex) {
        return problem(HttpStatus.NOT_FOUND, "Not found", ex.getMessage());
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badArgument(IllegalArgumentException ex) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", ex.getMessage());
    }

    @ExceptionHandler(PayloadTooLarge.class)
    ProblemDetail payloadTooLarge(PayloadTooLarge ex) {
        return problem(HttpStatus.PAYLOAD_TOO_LARGE, "Payload too large", ex.getMessage());
    }

    /** What a command handler answered, unwrapped from the futures and wrappers around it. */
    @ExceptionHandler({AxonException.class, CompletionException.class, ExecutionException.class,
            IllegalStateException.class})
    ProblemDetail commandFailed(Exception ex, HttpServletRequest request) {
        CommandRefusal refusal = CommandGatewayConfiguration.refusal(ex);
        if (refusal != null) {
            return switch (refusal.kind()) {
                case UNKNOWN_TARGET -> problem(HttpStatus.NOT_FOUND, "Not found",
                                               "Nothing is known by the id in " + request.getRequestURI() + ".");
                case CONFLICT -> problem(HttpStatus.CONFLICT, "Conflict", refusal.reason());
                case INVALID -> problem(HttpStatus.BAD_REQUEST, "Invalid request", refusal.reason());
            };
        }
        Throwable cause = rootOfInterest(ex);
        if (cause instanceof AggregateNotFoundException || cause instanceof IncompatibleAggregateException) {
            return problem(HttpStatus.NOT_FOUND, "Not found",
                           "Nothing is known by the id in " + request.getRequestURI() + ".");
        }
        if (cause instanceof AggregateStreamCreationException) {
            return problem(HttpStatus.CONFLICT, "Conflict", "That id is already in use.");
        }
        if (cause instanceof ConcurrencyException) {
            return problem(HttpStatus.CONFLICT, "Conflict",
                           "It was changed at the same time by another request; try again.");
        }
        String sequenceConflict = axonServerSequenceConflict(ex);
        if (sequenceConflict != null) {
            // The handler's events were refused by Axon Server when its unit of work committed, after the handler had
            // returned: the sender gets only the message, which names Axon Server's error code.
            return sequenceConflict.contains("sequence number 0 ")
                   ? problem(HttpStatus.CONFLICT, "Conflict", "That id is already in use.")
                   : problem(HttpStatus.CONFLICT, "Conflict",
                             "It was changed at the same time by another request; try again.");
        }
        if (cause instanceof IllegalStateException || cause instanceof IllegalArgumentException) {
            HttpStatus status = cause instanceof IllegalStateException ? HttpStatus.CONFLICT : HttpStatus.BAD_REQUEST;
            return problem(status, status == HttpStatus.CONFLICT ? "Conflict" : "Invalid request", cause.getMessage());
        }
        log.error("Command failed", ex);
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "Command failed",
                       "The command could not be handled now; try again later.");
    }

    /** The message of Axon Server's refusal of an event's sequence number, when that is what failed; else null. */
    private static String axonServerSequenceConflict(Throwable failure) {
        String code = "[" + ErrorCode.INVALID_EVENT_SEQUENCE.errorCode() + "]";
        for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains(code)) {
                return cause.getMessage();
            }
        }
        return null;
    }

    private static Throwable rootOfInterest(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CommandExecutionException || current instanceof CompletionException
                || current instanceof ExecutionException) && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }

    /** Thrown by a query endpoint that knows no such resource. */
    public static final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message);
        }
    }

    /** Thrown when a request body is larger than the service accepts. */
    public static final class PayloadTooLarge extends RuntimeException {
        public PayloadTooLarge(String message) {
            super(message);
        }
    }
}
