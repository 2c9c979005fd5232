package io.github.nettyjobs.http;

import java.util.Locale;

/**
 * HTTP/1.1 responses parsed from the bytes a server wrote, as a client reads them: a status line,
 * headers, and a body of {@code Content-Length} bytes (none for {@code 1xx}). Text only: the tests'
 * bodies are ASCII.
 */
final class WireResponses {

    /** One response as read off the wire. */
    record Response(int status, String head, String body) {

        /** Whether it says {@code Connection: close}. */
        boolean closes() {
            return head.contains("\nconnection: close\n");
        }
    }

    private final StringBuilder pending = new StringBuilder();

    void add(String bytes) {
        pending.append(bytes);
    }

    /** The next whole response, or {@code null} until all of one has arrived. */
    Response next() {
        int end = pending.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String head = pending.substring(0, end).replace("\r\n", "\n").toLowerCase(Locale.ROOT) + "\n";
        if (!head.startsWith("http/1.")) {
            throw new AssertionError("not a status line: " + head);
        }
        int status = Integer.parseInt(head.substring(9, 12));
        int length = 0;
        int at = head.indexOf("\ncontent-length:");
        if (at >= 0 && status >= 200) {
            String value = head.substring(at + "\ncontent-length:".length(), head.indexOf('\n', at + 1));
            length = Integer.parseInt(value.trim());
        }
        int bodyStart = end + 4;
        if (pending.length() < bodyStart + length) {
            return null;
        }
        String body = pending.substring(bodyStart, bodyStart + length);
        pending.delete(0, bodyStart + length);
        return new Response(status, head, body);
    }

    @Override
    public String toString() {
        return "WireResponses{" + pending.length() + " bytes pending}";
    }
}
