package io.github.nettyjobs.guide;

// tag::command[]
import java.util.Locale;

/** One request: a line {@code VERB argument}, or why a line could not be read. */
record Command(String verb, String argument, Throwable undecodable) {

    static Command parse(String line) {
        int space = line.indexOf(' ');
        String verb = space < 0 ? line : line.substring(0, space);
        return new Command(verb.toUpperCase(Locale.ROOT), space < 0 ? "" : line.substring(space + 1), null);
    }

    static Command undecodable(Throwable cause) {
        return new Command("", "", cause);
    }
}
// end::command[]
