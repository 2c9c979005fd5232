package io.github.nettyjobs.internal;

/**
 * Makes user-supplied text (job names, URIs, header values) safe to put in a log line: control
 * characters are escaped, so a name with CR/LF cannot forge a line of its own, and very long text
 * is cut. Not an API; any thread.
 */
public final class LogText {

    /** Longer text is cut here, with an ellipsis; nobody reads a megabyte-long name in a log. */
    static final int MAX_LENGTH = 256;

    private LogText() {
    }

    /**
     * {@code text} with every ISO control character (CR, LF, tab, ESC, DEL, C1) written as a Java
     * escape ({@code \r}, {@code \n}, {@code \t}, or {@code \}{@code uXXXX}), cut to
     * {@value #MAX_LENGTH} characters; {@code "null"} for {@code null}.
     */
    public static String escape(CharSequence text) {
        if (text == null) {
            return "null";
        }
        int length = text.length();
        int end = Math.min(length, MAX_LENGTH);
        int i = 0;
        while (i < end && !Character.isISOControl(text.charAt(i))) {
            i++;
        }
        if (i == length) {
            return text.toString(); // the common case: nothing to escape, nothing to cut
        }
        StringBuilder escaped = new StringBuilder(end + 16).append(text, 0, i);
        for (; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r':
                    escaped.append("\\r");
                    break;
                case '\n':
                    escaped.append("\\n");
                    break;
                case '\t':
                    escaped.append("\\t");
                    break;
                default:
                    if (Character.isISOControl(c)) {
                        escaped.append(String.format("\\u%04x", (int) c));
                    } else {
                        escaped.append(c);
                    }
            }
        }
        if (end < length) {
            escaped.append("...(").append(length - end).append(" more)");
        }
        return escaped.toString();
    }
}
