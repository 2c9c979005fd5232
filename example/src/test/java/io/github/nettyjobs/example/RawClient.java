package io.github.nettyjobs.example;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A plain socket to the example server, kept open across requests, for what an HTTP client library
 * would not do (pipelining, trickling, the line protocol); connecting and reads time out after 10 s.
 */
final class RawClient implements AutoCloseable {

    private final Socket socket = new Socket();
    private final BufferedReader in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next line, or {@code null} once the server has closed the connection. */
    String read() throws IOException {
        try {
            return in.readLine();
        } catch (SocketException reset) {
            return null;
        }
    }

    private String readOrFail() throws IOException {
        String line = read();
        assertNotNull(line, "the server closed the connection in the middle of a response");
        return line;
    }

    /** The status line and headers of the next HTTP response, lower-cased, its body skipped. */
    String head() throws IOException {
        StringBuilder head = new StringBuilder();
        int length = 0;
        for (String line; !(line = readOrFail()).isEmpty(); ) {
            String lower = line.toLowerCase(Locale.ROOT);
            head.append(lower).append('\n');
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring("content-length:".length()).trim());
            }
        }
        for (int i = 0; i < length; i++) {
            in.read();
        }
        return head.toString();
    }

    /**
     * The next HTTP response: its status line and headers lower-cased, an empty line, then its body
     * as sent (the example's bodies are ASCII, so a character is a byte).
     */
    String response() throws IOException {
        StringBuilder response = new StringBuilder();
        int length = 0;
        for (String line; !(line = readOrFail()).isEmpty(); ) {
            String lower = line.toLowerCase(Locale.ROOT);
            response.append(lower).append('\n');
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring("content-length:".length()).trim());
            }
        }
        response.append('\n');
        for (int i = 0; i < length; i++) {
            int c = in.read();
            assertTrue(c >= 0, "the server closed the connection in the middle of a body");
            response.append((char) c);
        }
        return response.toString();
    }

    /** The status code of the next HTTP response; its headers and body are skipped. */
    int status() throws IOException {
        String head = head();
        assertTrue(head.startsWith("http/1.1 "), () -> "status line: " + head);
        return Integer.parseInt(head.substring(9, 12));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
