package io.github.nettyjobs.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The generated part of a Markdown page: what lies between two marker lines, replaced by each run of a report tool. */
public final class GeneratedSection {

    private GeneratedSection() {
    }

    /**
     * Replaces what lies between {@code begin} and {@code end} in {@code file} with {@code generated}.
     *
     * @param file      a Markdown file that holds both markers
     * @param begin     the marker line that opens the section
     * @param end       the marker line that closes it
     * @param generated the new content
     * @throws IOException if the file cannot be read or written, or lacks the markers
     */
    public static void replace(Path file, String begin, String end, String generated) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(file + ": no generated section; add the lines\n" + begin + "\n" + end);
        }
        String updated = text.substring(0, from + begin.length()) + "\n\n" + generated + text.substring(to);
        Files.writeString(file, updated, StandardCharsets.UTF_8);
    }
}
