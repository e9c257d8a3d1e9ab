package org.sagaengine.platform;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts a test's small service: its application class, the arguments every start of it has, then this start's. */
final class TestService {

    private TestService() {
    }

    static ConfigurableApplicationContext start(Class<?> application, List<String> common, String... arguments) {
        List<String> all = new ArrayList<>(common);
        all.addAll(List.of(arguments));
        return new SpringApplicationBuilder(application).build().run(all.toArray(String[]::new));
    }
}
