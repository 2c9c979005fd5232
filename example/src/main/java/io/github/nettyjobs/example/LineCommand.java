package io.github.nettyjobs.example;

/**
 * One decoded line of the example's line protocol: a command word and its argument, or the reason
 * the line could not be decoded. Immutable.
 */
final class LineCommand {

    final String verb;
    final String argument;
    /** Why the line is undecodable, or {@code null}. */
    final Exception problem;

    private LineCommand(String verb, String argument, Exception problem) {
        this.verb = verb;
        this.argument = argument;
        this.problem = problem;
    }

    /** {@code line} split at its first space; the verb upper-cased. */
    static LineCommand parse(String line) {
        String trimmed = line.strip();
        int space = trimmed.indexOf(' ');
        String verb = space < 0 ? trimmed : trimmed.substring(0, space);
        String argument = space < 0 ? "" : trimmed.substring(space + 1).strip();
        return new LineCommand(verb.toUpperCase(java.util.Locale.ROOT), argument, null);
    }

    static LineCommand undecodable(Exception problem) {
        return new LineCommand("", "", problem);
    }

    @Override
    public String toString() {
        return problem != null ? "undecodable line" : argument.isEmpty() ? verb : verb + ' ' + argument;
    }
}
