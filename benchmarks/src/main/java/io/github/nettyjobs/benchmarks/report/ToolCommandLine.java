package io.github.nettyjobs.benchmarks.report;

import joptsimple.OptionException;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import joptsimple.util.PathConverter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The command line of the benchmark tools (the reports, the harnesses, the simulation): their file
 * options, {@code -h}/{@code --help}, and how a bad option ends the run.
 */
public final class ToolCommandLine {

    private ToolCommandLine() {
    }

    /**
     * Declares an option that takes a file.
     *
     * @param parser      the tool's parser
     * @param name        the option's name, without dashes
     * @param description what the file is for, as {@code --help} shows it
     * @return the option
     */
    public static OptionSpec<Path> pathOption(OptionParser parser, String name, String description) {
        return parser.accepts(name, description).withRequiredArg().withValuesConvertedBy(new PathConverter());
    }

    /**
     * Adds {@code -h}/{@code --help} and parses the arguments. A bad option prints its error and the
     * help to standard error and exits with status 2; {@code --help} prints the help to standard output.
     *
     * @param parser the tool's parser, with its other options declared
     * @param args   the command line
     * @return the parsed options, or {@code null} if the help was asked for and printed
     * @throws IOException if the help cannot be printed
     */
    public static OptionSet parseOrExit(OptionParser parser, String[] args) throws IOException {
        OptionSpec<Void> help = parser.acceptsAll(List.of("h", "help"), "show this help").forHelp();
        OptionSet set;
        try {
            set = parser.parse(args);
        } catch (OptionException e) {
            System.err.println(e.getMessage());
            parser.printHelpOn(System.err);
            System.exit(2);
            return null;
        }
        if (set.has(help)) {
            parser.printHelpOn(System.out);
            return null;
        }
        return set;
    }
}
