package org.sagaengine.order.web;

import org.sagaengine.engine.SagaAdmission;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A new saga refused at admission: 503, with when to try again, and nothing was stored. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class AdmissionProblems {

    @ExceptionHandler(SagaAdmission.Overloaded.class)
    ResponseEntity<ProblemDetail> overloaded(SagaAdmission.Overloaded refused) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE, refused.getMessage() + " Nothing was stored; try again later.");
        problem.setTitle("Too busy");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                             .header(HttpHeaders.RETRY_AFTER, Long.toString(refused.retryAfter().toSeconds()))
                             .body(problem);
    }
}
