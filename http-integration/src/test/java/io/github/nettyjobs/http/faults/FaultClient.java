package io.github.nettyjobs.http.faults;

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
 * A blocking HTTP/1.1 client on a plain socket that can misbehave: send any bytes, split requests
 * anywhere, pipeline, read slowly or not at all, and vanish with a reset. Every read times out
 * after {@link #TIMEOUT_MILLIS}, so no test hangs on it.
 */
final class FaultClient implements AutoCloseable {

    static final int TIMEOUT_MILLIS = 20_000;

    /** One response; header names in lower case. */
    static final class Response {
        final int status;
        final Map<String, String> headers;
        final byte[] body;

        Response(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String body() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            String text = body();
            return status + " " + headers + " " + (text.length() > 80 ? text.substring(0, 80) + "..." : text);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    FaultClient(int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBuffer the socket's receive buffer in bytes, or 0 for the system's default */
    FaultClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    static String post(String path, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body;
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the next final response (skipping {@code 1xx}); fails if the connection closes first. */
    Response read() throws IOException {
        Response response = readOrNull();
        if (response == null) {
            throw new EOFException("the server closed the connection before a response");
        }
        return response;
    }

    /** Reads the next final response, or returns {@code null} if the server closed the connection first. */
    Response readOrNull() throws IOException {
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
            return new Response(status, headers, body);
        }
    }

    /** Reads exactly {@code n} bytes of whatever comes, or fewer if the connection ends. */
    byte[] readBytes(int n) throws IOException {
        return in.readNBytes(n);
    }

    /**
     * Whether the server closes the connection (FIN or reset) without sending anything more, within
     * the read timeout. Bytes that do arrive make it false.
     */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Half-closes: the server reads end of stream, the client can still read. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Resets the connection (RST rather than FIN): the client vanishes. */
    void abort() throws IOException {
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
            throw new EOFException("the connection closed inside a line: " + line.toString(StandardCharsets.ISO_8859_1));
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
