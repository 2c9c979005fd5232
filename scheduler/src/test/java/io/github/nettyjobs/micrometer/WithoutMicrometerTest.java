package io.github.nettyjobs.micrometer;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The scheduler jar works without Micrometer, its optional dependency: the core runs in a class
 * loader whose class path is this test's without any Micrometer jar.
 */
class WithoutMicrometerTest {

    @Test
    void scheduler_runsJobsWithoutMicrometerOnTheClassPath() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.contains("micrometer")) {
                urls.add(new File(entry).toURI().toURL());
            }
        }
        try (URLClassLoader withoutMicrometer = new URLClassLoader(urls.toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class,
                    () -> Class.forName("io.micrometer.core.instrument.MeterRegistry", false, withoutMicrometer));

            Class<?> run = Class.forName(SpawnAndClose.class.getName(), true, withoutMicrometer);
            @SuppressWarnings("unchecked")
            Callable<String> callable = (Callable<String>) run.getConstructor().newInstance();

            assertEquals("hello, 0 jobs left, closed", callable.call());
        }
    }
}
