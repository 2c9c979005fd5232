package io.github.nettyjobs.guide;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks that a page of {@code docs/} shows code exactly as this package compiles and runs it: each
 * region between {@code // tag::NAME[]} and {@code // end::NAME[]} of a source file must stand on the
 * page in a {@code java} block, de-indented.
 */
final class GuideSnippets {

    static final Path CHANNEL_GUIDE = Path.of("..", "docs", "channel-integration.md");
    private static final Path SOURCES = Path.of("src", "test", "java", "io", "github", "nettyjobs", "guide");
    private static final Pattern TAG = Pattern.compile("(?m)^( *)// tag::([a-z-]+)\\[]\\n(.*?)^ *// end::\\2\\[]",
            Pattern.DOTALL);

    private GuideSnippets() {
    }

    /** Asserts that {@code page} shows every tagged region of the source file {@code file}; returns their names. */
    static List<String> assertShown(Path page, String file) throws IOException {
        String source = Files.readString(SOURCES.resolve(file));
        String text = Files.readString(page);
        Matcher tags = TAG.matcher(source);
        List<String> names = new ArrayList<>();
        while (tags.find()) {
            int indent = tags.group(1).length();
            StringBuilder snippet = new StringBuilder();
            for (String line : tags.group(3).split("\n")) {
                snippet.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
            }
            names.add(tags.group(2));
            assertTrue(text.contains("```java\n" + snippet + "```"),
                    () -> page + " must show the snippet '" + tags.group(2) + "' exactly as:\n" + snippet);
        }
        return names;
    }
}
