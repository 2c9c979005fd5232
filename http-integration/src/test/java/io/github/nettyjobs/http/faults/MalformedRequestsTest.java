package io.github.nettyjobs.http.faults;

import io.github.nettyjobs.http.RawHttpClient;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.github.nettyjobs.http.RawHttpClient.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed and oversized requests on a real socket: each gets its error status (and, where the
 * stream cannot be trusted any more, the end of the connection), never starts a job, leaks
 * nothing, and leaves the server serving. Requests pipelined in front of a bad one are still
 * answered, in order.
 */
@ExtendWith(LeakDetectionExtension.class)
class MalformedRequestsTest {

    private static FaultServer server;

    @BeforeAll
    static void startServer() throws InterruptedException {
        server = FaultServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("a request line of one word", "garbage\r\n\r\n", 400),
                Arguments.of("a header line without a colon",
                        "GET /fast/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n", 400),
                Arguments.of("a Content-Length that is not a number",
                        "POST /echo/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\nxyz", 400),
                Arguments.of("two different Content-Lengths",
                        "POST /echo/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n"
                                + "abcd", 400),
                Arguments.of("a chunk size that is not hexadecimal",
                        "POST /echo/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n"
                                + "0\r\n\r\n", 400),
                Arguments.of("binary noise", "\u0000\u0001\u0002\u0003\u00ff\u00fe GET\r\n\r\n", 400),
                Arguments.of("a request line too long", "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                        414),
                Arguments.of("headers too large",
                        "GET /fast/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n", 431));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedRequest_getsItsErrorStatus_closesTheConnection_andStartsNoJob(String what, String request, int status)
            throws Exception {
        int startedBefore = server.handler.started.get();
        try (RawHttpClient client = server.connect()) {
            client.send(request.getBytes(StandardCharsets.ISO_8859_1));
            RawHttpClient.Response response = client.read();
            assertEquals(status, response.status, what + ": " + response);
            assertEquals("close", response.header("connection"), what + ": " + response);
            assertTrue(client.closedByServer(), what + ": the connection stays open");
        }
        assertEquals(startedBefore, server.handler.started.get(), what + " started a job");
        ClientFaultsTest.assertServes(server, 1);
    }

    @Test
    void requestsPipelinedBeforeABadOne_areAnsweredInOrder_thenTheBadOneGets400() throws Exception {
        try (RawHttpClient client = server.connect()) {
            client.send(get("/slow/1/20") + get("/fast/2") + "garbage\r\n\r\n" + get("/fast/3"));
            assertEquals("slow 1", client.read().body());
            assertEquals("fast 2", client.read().body());
            RawHttpClient.Response bad = client.read();
            assertEquals(400, bad.status, bad.toString());
            assertTrue(client.closedByServer(),
                    "the request after the bad one was answered or the connection stays open");
        }
    }

    @Test
    void contentLengthBeyondTheLimit_gets413_andStartsNoJob() throws Exception {
        int startedBefore = server.handler.started.get();
        try (RawHttpClient client = server.connect()) {
            int length = FaultServer.MAX_CONTENT_LENGTH + 1;
            client.send("POST /echo/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + length + "\r\n\r\n");
            client.send("x".repeat(length));
            RawHttpClient.Response response = client.read();
            assertEquals(413, response.status, response.toString());
        }
        assertEquals(startedBefore, server.handler.started.get(), "an oversized request started a job");
        ClientFaultsTest.assertServes(server, 2);
    }

    @Test
    void chunkedBodyGrowingBeyondTheLimit_gets413_andStartsNoJob() throws Exception {
        int startedBefore = server.handler.started.get();
        try (RawHttpClient client = server.connect()) {
            client.send("POST /echo/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "4000\r\n" + "c".repeat(0x4000) + "\r\n";
            for (int sent = 0; sent <= FaultServer.MAX_CONTENT_LENGTH; sent += 0x4000) {
                client.send(chunk);
            }
            client.send("0\r\n\r\n");
            RawHttpClient.Response response = client.read();
            assertEquals(413, response.status, response.toString());
        }
        assertEquals(startedBefore, server.handler.started.get(), "an oversized request started a job");
        ClientFaultsTest.assertServes(server, 3);
    }

    @Test
    void expectContinueBeyondTheLimit_isRefused_andStartsNoJob() throws Exception {
        int startedBefore = server.handler.started.get();
        try (RawHttpClient client = server.connect()) {
            client.send("POST /echo/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: "
                    + (FaultServer.MAX_CONTENT_LENGTH * 4) + "\r\n\r\n");
            RawHttpClient.Response response = client.read();
            assertTrue(response.status == 413 || response.status == 417, response.toString());
        }
        assertEquals(startedBefore, server.handler.started.get(), "a refused request started a job");
        ClientFaultsTest.assertServes(server, 4);
    }

    @Test
    void expectContinueWithinTheLimit_getsContinue_thenItsAnswer() throws Exception {
        try (RawHttpClient client = server.connect()) {
            client.send("POST /echo/5 HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 5\r\n\r\n");
            client.send("hello");
            RawHttpClient.Response response = client.read(); // skips the 100 Continue
            assertEquals(200, response.status, response.toString());
            assertEquals("echo 5: hello", response.body());
        }
    }

    @Test
    void aMegabyteOfRandomBytes_isRefused_andLeaksNothing() throws Exception {
        int startedBefore = server.handler.started.get();
        byte[] noise = new byte[1 << 20];
        new SplittableRandom(4242).nextBytes(noise);
        try (RawHttpClient client = server.connect()) {
            try {
                client.send(noise);
            } catch (IOException closedWhileSending) {
                // the server may close the connection before all the noise is sent
            }
            RawHttpClient.Response response = client.readOrNull();
            if (response != null) {
                assertTrue(response.status >= 400 && response.status < 500, response.toString());
            }
        }
        assertEquals(startedBefore, server.handler.started.get(), "noise started a job");
        ClientFaultsTest.assertServes(server, 5);
    }

    @Test
    void halfClosedClient_stillGetsItsAnswer() throws Exception {
        try (RawHttpClient client = server.connect()) {
            client.send(get("/slow/6/20"));
            client.shutdownOutput();
            RawHttpClient.Response response = client.readOrNull();
            // A server may answer a request whose client closed its sending side, or drop it; it must not hang.
            if (response != null) {
                assertEquals("slow 6", response.body());
            }
            assertTrue(client.closedByServer(), "the server keeps a half-closed connection open");
        }
    }
}
