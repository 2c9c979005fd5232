package io.github.nettyjobs.http;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A blocking HTTP/1.x client on a plain socket, for what {@code java.net.http.HttpClient} cannot do:
 * pipelining, HTTP/1.0, malformed requests and requests split anywhere, reading slowly or not at
 * all, half-closing, and vanishing with a reset.
 *
 * <p>Connecting and every read time out (after {@link #DEFAULT_TIMEOUT_MILLIS} unless given), so
 * that no test hangs on it. Responses must carry a {@code Content-Length} (or be {@code 204} or
 * {@code 304}); one that does not, or that ends early, fails the read. Not thread-safe, except that
 * one thread may send while another reads.
 */
public final class RawHttpClient implements AutoCloseable {

    /** The bound of connecting and of every read unless a client is given another. */
    public static final int DEFAULT_TIMEOUT_MILLIS = 10_000;

    /** One final response. Header names are lower case. */
    public static final class Response {

        /** The protocol version of the status line, such as {@code HTTP/1.1}. */
        public final String version;
        /** The status code. */
        public final int status;
        /** The headers by lower-case name; of a repeated header, the last value. */
        public final Map<String, String> headers;
        private final byte[] content;

        Response(String version, int status, Map<String, String> headers, byte[] content) {
            this.version = version;
            this.status = status;
            this.headers = headers;
            this.content = content;
        }

        /** The value of the header {@code name} (in any case), or {@code null}. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The body's bytes (the array itself, not a copy). */
        public byte[] content() {
            return content;
        }

        /** The body decoded as UTF-8. */
        public String body() {
            return new String(content, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            String text = body();
            return version + ' ' + status + ' ' + headers + ' '
                    + (text.length() > 80 ? text.substring(0, 80) + "..." : text);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Connects to {@code port} on 127.0.0.1 with the default receive buffer and timeout. */
    public RawHttpClient(int port) throws IOException {
        this(port, 0);
    }

    /**
     * Connects with a receive buffer of {@code receiveBufferSize} bytes (0 for the system's default)
     * and the default timeout.
     */
    public RawHttpClient(int port, int receiveBufferSize) throws IOException {
        this(port, receiveBufferSize, DEFAULT_TIMEOUT_MILLIS);
    }

    /**
     * Connects with a receive buffer of {@code receiveBufferSize} bytes (0 for the system's default);
     * connecting and every read time out after {@code timeoutMillis}.
     */
    public RawHttpClient(int port, int receiveBufferSize, int timeoutMillis) throws IOException {
        socket = new Socket();
        if (receiveBufferSize > 0) {
            socket.setReceiveBufferSize(receiveBufferSize); // before connecting, to bound the TCP window
        }
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** A {@code GET} of {@code path} over HTTP/1.1. */
    public static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** A {@code POST} of {@code body} to {@code path} over HTTP/1.1, with its {@code Content-Length}. */
    public static String post(String path, String body) {
        int length = body.getBytes(StandardCharsets.ISO_8859_1).length;
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length + "\r\n\r\n" + body;
    }

    /** Sends {@code text} as is, one byte per character (ISO-8859-1). */
    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends {@code bytes} as they are. */
    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next final response (skipping {@code 1xx}); fails if the connection closes first. */
    public Response read() throws IOException {
        Response response = readOrNull();
        if (response == null) {
            throw new EOFException("the server closed the connection before a response");
        }
        return response;
    }

    /** Reads the next final response, or returns {@code null} if the server closed the connection first. */
    public Response readOrNull() throws IOException {
        for (;;) {
            String statusLine;
            try {
                statusLine = readLine();
            } catch (SocketException reset) {
                return null;
            }
            if (statusLine == null) {
                return null;
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not a status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line; !(line = requireLine()).isEmpty(); ) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            if (status >= 100 && status < 200) {
                continue;
            }
            String length = headers.get("content-length");
            if (length == null && status != 204 && status != 304) {
                throw new IOException("response without Content-Length: " + statusLine + " " + headers);
            }
            int size = length == null ? 0 : Integer.parseInt(length);
            byte[] body = in.readNBytes(size);
            if (body.length != size) {
                throw new EOFException("body cut short: " + body.length + " of " + size + " bytes");
            }
            return new Response(parts[0], status, headers, body);
        }
    }

    /** Reads exactly {@code n} bytes of whatever comes, or fewer if the connection ends. */
    public byte[] readBytes(int n) throws IOException {
        return in.readNBytes(n);
    }

    /**
     * Whether the server closes the connection (FIN or reset) without sending anything more, within
     * the read timeout. Bytes that do arrive make it false.
     */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Half-closes: the server reads the end of the stream, the client can still read. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Resets the connection (RST rather than FIN): the client vanishes. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private String requireLine() throws IOException {
        String line = readLine();
        if (line == null) {
            throw new EOFException("the connection closed inside a response head");
        }
        return line;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != -1; ) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        if (line.size() > 0) {
            throw new EOFException("the connection closed inside a line: "
                    + line.toString(StandardCharsets.ISO_8859_1));
        }
        return null;
    }

    /** Closes the connection (FIN). */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
