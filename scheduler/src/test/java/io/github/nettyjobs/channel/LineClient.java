package io.github.nettyjobs.channel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A blocking line client on a plain socket; connecting and every read time out after 10 seconds,
 * so that no test hangs on it. Not thread-safe.
 */
final class LineClient implements AutoCloseable {

    private final Socket socket = new Socket();
    private final BufferedReader in;
    private final OutputStream out;

    LineClient(int port) throws IOException {
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next line, or {@code null} if the server closed the connection. */
    String read() throws IOException {
        try {
            return in.readLine();
        } catch (SocketException reset) {
            return null;
        }
    }

    /** Whether the server closes the connection, within the read timeout, without sending more. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Resets the connection (RST rather than FIN): the client vanishes. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
