package org.sagaengine.platform;

import java.time.Duration;

import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.sagaengine.platform.web.ApiProblems;
import org.sagaengine.platform.web.ConcurrencyLimit;
import org.sagaengine.platform.web.RequestSizeLimit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;

@AutoConfiguration
@Import(ApiProblems.class)
public class WebConfiguration {

    @Bean
    OpenAPI apiDescription(@Value("${spring.application.name}") String service) {
        return new OpenAPI().info(new Info()
                .title(service)
                .description("REST commands and queries of " + service + ". Amounts are whole numbers of the "
                        + "currency's minor units; errors are RFC 9457 problem documents."));
    }

    /**
     * A number or a boolean is not text either: {@code "productId": 12} is refused, as {@code "quantity": "1"} is
     * (the rest of the strict reading is in the platform's defaults).
     */
    @Bean
    Jackson2ObjectMapperBuilderCustomizer strictText() {
        return builder -> builder.postConfigurer(mapper -> mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    @Bean
    FilterRegistrationBean<RequestSizeLimit> requestSizeLimit(
            @Value("${sagaengine.web.max-request-size:64KB}") DataSize maxRequestSize) {
        FilterRegistrationBean<RequestSizeLimit> registration =
                new FilterRegistrationBean<>(new RequestSizeLimit(maxRequestSize.toBytes()));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    FilterRegistrationBean<ConcurrencyLimit> concurrencyLimit(
            @Value("${sagaengine.web.max-concurrent-requests:64}") int maxConcurrentRequests,
            @Value("${sagaengine.web.overload-wait:200ms}") Duration wait) {
        FilterRegistrationBean<ConcurrencyLimit> registration =
                new FilterRegistrationBean<>(new ConcurrencyLimit(maxConcurrentRequests, wait));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }
}
