package io.github.nettyjobs.example;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} as a Prometheus server scrapes it: the text format parsed line by line, and
 * every nettyjobs meter of the server's registry found in it under its Prometheus name, with each of
 * its tags as a label; the timers with histogram buckets, which quantile queries need.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExampleServerMetricsTest {

    /** The meters SchedulerMetrics registers for every scheduler. */
    private static final List<String> METERS = List.of("nettyjobs.jobs.active", "nettyjobs.jobs.pending",
            "nettyjobs.jobs.ended", "nettyjobs.jobs.queued", "nettyjobs.jobs.run", "nettyjobs.spawns.rejected",
            "nettyjobs.tasks.slow", "nettyjobs.limit");
    private static final List<String> SCHEDULERS = List.of("requests", "long", "background", "blocking");

    private static final Pattern SAMPLE =
            Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(\\s+\\S+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ExampleServer server;

    /** One sample line of the text format. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Parses Prometheus' text format (version 0.0.4): the samples, and the type of each family. */
    static List<Sample> parse(String text, Map<String, String> types) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] words = line.split(" ");
                if (words.length >= 4 && words[1].equals("TYPE")) {
                    types.put(words[2], words[3]);
                }
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            assertTrue(sample.matches(), () -> "not a sample line: " + line);
            Map<String, String> labels = new HashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                int end = 0;
                while (label.lookingAt()) {
                    labels.put(label.group(1), label.group(2));
                    end = label.end();
                    label.region(end, sample.group(2).length());
                }
                assertEquals(sample.group(2).length(), end, () -> "labels not understood: " + line);
            }
            samples.add(new Sample(sample.group(1), labels, Double.parseDouble(sample.group(3))));
        }
        return samples;
    }

    @Test
    void metrics_isPrometheusText_withEveryNettyjobsMeterAndItsTags() throws Exception {
        server = ExampleServer.start(Options.parse("--port", "0"),
                new PrintStream(output, true, StandardCharsets.UTF_8));
        assertEquals(200, send("GET", "/").statusCode());
        assertEquals(202, send("POST", "/jobs?seconds=0").statusCode());
        assertEquals(200, send("GET", "/atomic?seconds=0").statusCode());

        HttpResponse<String> scraped = send("GET", "/metrics");
        assertEquals(200, scraped.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                scraped.headers().firstValue("content-type").orElse(""));
        Map<String, String> types = new HashMap<>();
        List<Sample> samples = parse(scraped.body(), types);

        PrometheusMeterRegistry registry = server.registry();
        NamingConvention convention = registry.config().namingConvention();
        Set<String> found = new TreeSet<>();
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            if (!id.getName().startsWith("nettyjobs.")) {
                continue;
            }
            String family = convention.name(id.getName(), id.getType(), id.getBaseUnit());
            Map<String, String> labels = new HashMap<>();
            for (Tag tag : id.getTagsAsIterable()) {
                labels.put(convention.tagKey(tag.getKey()), convention.tagValue(tag.getValue()));
            }
            assertTrue(samples.stream().anyMatch(s -> s.name().startsWith(family)
                            && s.labels().entrySet().containsAll(labels.entrySet())),
                    () -> "no sample of " + id + " (" + family + " " + labels + ") in:\n" + scraped.body());
            found.add(id.getName() + " " + id.getTag("scheduler"));
        }
        for (String name : METERS) {
            for (String scheduler : SCHEDULERS) {
                assertTrue(found.contains(name + " " + scheduler), () -> "no meter " + name + " of " + scheduler
                        + "; found " + found);
            }
        }

        // What the queries of docs/metrics.md read.
        assertEquals("counter", types.get("nettyjobs_spawns_rejected_total"), () -> "types: " + types);
        assertEquals("gauge", types.get("nettyjobs_limit"), () -> "types: " + types);
        assertEquals("histogram", types.get("nettyjobs_jobs_queued_seconds"), () -> "types: " + types);
        assertTrue(samples.stream().anyMatch(s -> s.name().equals("nettyjobs_jobs_queued_seconds_bucket")
                && s.labels().get("scheduler").equals("long") && s.labels().get("le").equals("+Inf")));
        assertTrue(samples.stream().anyMatch(s -> s.name().equals("nettyjobs_jobs_ended_total")
                && s.labels().equals(Map.of("scheduler", "requests", "outcome", "dropped"))));
        Options defaults = Options.parse();
        double requestLimits = (double) defaults.requestLimit * defaults.threads; // one scheduler per loop, summed
        assertTrue(samples.stream().anyMatch(s -> s.name().equals("nettyjobs_limit")
                && s.labels().get("scheduler").equals("requests") && s.value() == requestLimits), scraped.body());
        assertFalse(scraped.body().contains("\r"), "lines end with LF alone");
    }

    @Test
    void metricsGuide_showsTheRegistryAsTheServerMakesIt() throws Exception {
        String source = Files.readString(Path.of("src", "main", "java", "io", "github", "nettyjobs", "example",
                "ExampleServer.java"));
        int start = source.indexOf("        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(");
        int end = source.indexOf("        return registry;", start);
        assertTrue(start >= 0 && end > start, "ExampleServer.newRegistry() not found");
        StringBuilder code = new StringBuilder();
        for (String line : source.substring(start, end).split("\n")) {
            code.append(line.length() >= 8 ? line.substring(8) : line.strip()).append('\n');
        }
        assertTrue(Files.readString(Path.of("..", "docs", "metrics.md")).contains("```java\n" + code + "```"),
                () -> "docs/metrics.md must show the registry exactly as:\n" + code);
    }

    @Test
    void parse_readsLabelsWithEscapes_andRejectsWhatIsNoSample() {
        Map<String, String> types = new HashMap<>();
        List<Sample> samples = parse("# HELP x_total X\n# TYPE x_total counter\n"
                + "x_total{a=\"1\",b=\"q\\\"uote\"} 2.0\ny 3\n", types);
        assertEquals(List.of(new Sample("x_total", Map.of("a", "1", "b", "q\\\"uote"), 2.0),
                new Sample("y", Map.of(), 3)), samples);
        assertEquals(Map.of("x_total", "counter"), types);
        assertThrowsAssertion(() -> parse("not a sample line\n", new HashMap<>()));
    }

    private static void assertThrowsAssertion(Runnable parse) {
        try {
            parse.run();
        } catch (AssertionError expected) {
            return;
        }
        throw new AssertionError("parsed what is no sample");
    }
}
