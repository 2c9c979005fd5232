package io.github.nettyjobs.benchmarks.report;

import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line the report tools share: JMH's JSON result files to read ({@code --read}), or else
 * a run of the benchmarks here with JMH's own options after {@code --}, whose JSON results may be
 * kept ({@code --json}); and the Markdown file whose generated section is replaced
 * ({@code --markdown}). A report declares its other options on {@link #parser()} before
 * {@link #parse}.
 */
final class ReportCommandLine {

    private final OptionParser parser = new OptionParser();
    private final OptionSpec<Path> read;
    private final OptionSpec<Path> json;
    private final OptionSpec<Path> markdown;
    private final OptionSpec<String> jmhArgs;
    private OptionSet set;

    /** The shared options, with the help of those that differ between the reports. */
    ReportCommandLine(String readHelp, String markdownHelp, String jmhArgsHelp) {
        read = ToolCommandLine.pathOption(parser, "read", readHelp);
        json = ToolCommandLine.pathOption(parser, "json", "when running: also write JMH's JSON results here");
        markdown = ToolCommandLine.pathOption(parser, "markdown", markdownHelp);
        jmhArgs = parser.nonOptions(jmhArgsHelp);
    }

    /** The parser, for the report's other options. */
    OptionParser parser() {
        return parser;
    }

    /**
     * Parses the command line as {@link ToolCommandLine#parseOrExit} does.
     *
     * @return the parsed options, or {@code null} if the help was asked for and printed
     */
    OptionSet parse(String[] args) throws IOException {
        set = ToolCommandLine.parseOrExit(parser, args);
        return set;
    }

    /** The JMH result files to read instead of running; empty: run. */
    List<Path> resultFiles() {
        return set.valuesOf(read);
    }

    /** The one JMH result file to read instead of running, or {@code null}: run. */
    Path resultFile() {
        return set.valueOf(read);
    }

    /** The Markdown file to write into, or {@code null}: standard output. */
    Path markdown() {
        return set.valueOf(markdown);
    }

    /** JMH's options and benchmark patterns, as given after {@code --}. */
    List<String> jmhArgs() {
        return new ArrayList<>(set.valuesOf(jmhArgs));
    }

    /**
     * Runs the benchmarks in forked JVMs, as {@code java -jar benchmarks.jar} with the same JMH
     * options would, with {@code -prof gc} if {@code gc}, writing JSON results where {@code --json} says.
     */
    List<RunResult> run(List<String> jmhOptions, boolean gc) throws CommandLineOptionException, RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .parent(new CommandLineOptions(jmhOptions.toArray(String[]::new)));
        if (gc) {
            options.addProfiler(GCProfiler.class);
        }
        if (set.has(json)) {
            options.resultFormat(ResultFormatType.JSON).result(set.valueOf(json).toString());
        }
        return new ArrayList<>(new Runner(options.build()).run());
    }
}
