package io.github.nettyjobs.example;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example server's drain on stop: {@code GET /ready}, the quiet period, the last answers; and its h2c detection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExampleServerDrainTest {

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private ExampleServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void stop_ready503FromTheFirstMoment_idleConnectionServedOnceWithConnectionClose() throws Exception {
        server = ExampleServer.start(Options.parse("--port", "0", "--quiet-period", "1s", "--grace", "5s"),
                new PrintStream(output, true, StandardCharsets.UTF_8));
        ExecutorService stopper = Executors.newSingleThreadExecutor();
        try (RawClient idle = new RawClient(server.port())) {
            idle.send("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
            String ready = idle.response();
            assertTrue(ready.startsWith("http/1.1 200 ok\n"), ready);
            assertFalse(ready.contains("connection: close"), ready);

            Future<?> stopped = stopper.submit(server::stop);
            String draining = awaitNotReady();
            assertTrue(draining.contains("\nconnection: close\n"), "one answer on a new connection: " + draining);
            assertTrue(draining.endsWith("\n\ndraining\n"), draining);

            // The balancer may still send one more request on a connection it holds: answered, the last.
            idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            String last = idle.response();
            assertTrue(last.startsWith("http/1.1 200 ok\n"), last);
            assertTrue(last.contains("\nconnection: close\n"), last);
            assertNull(idle.read(), "closed after its last answer");

            stopped.get(30, TimeUnit.SECONDS);
        } finally {
            stopper.shutdownNow();
        }
        String printed = output.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("nettyjobs-example: stopping: draining;"), printed);
        assertTrue(printed.contains("nettyjobs-example: drained: every connection answered and closed"), printed);
    }

    /** {@code GET /ready} on new connections until it answers {@code 503}, for at most 10 s; that answer. */
    private String awaitNotReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (RawClient probe = new RawClient(server.port())) {
                probe.send("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
                String response = probe.response();
                if (response.startsWith("http/1.1 503 ")) {
                    return response;
                }
                assertTrue(response.startsWith("http/1.1 200 "), response);
            }
            assertTrue(System.nanoTime() < deadline, "GET /ready never answered 503");
        }
    }

    @Test
    void cleartextProtocols_http11_getsTheHttp1Handlers_withTheBytesReadSoFar() {
        EmbeddedChannel channel = new EmbeddedChannel(new CleartextProtocols(
                () -> List.of(new HttpServerCodec()), () -> List.of(new ChannelInboundHandlerAdapter())));
        channel.writeInbound(Unpooled.copiedBuffer("GE", StandardCharsets.US_ASCII));
        channel.writeInbound(Unpooled.copiedBuffer("T /ready HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
        HttpRequest request = assertInstanceOf(HttpRequest.class, channel.readInbound());
        assertEquals("/ready", request.uri());
        assertNotNull(channel.pipeline().get(HttpServerCodec.class));
        assertNull(channel.pipeline().get(CleartextProtocols.class));
        ReferenceCountUtil.release(request);
        channel.finishAndReleaseAll();
    }

    @Test
    void cleartextProtocols_priorKnowledgePreface_getsTheHttp2Handlers() {
        ChannelHandler marker = new ChannelInboundHandlerAdapter();
        EmbeddedChannel channel = new EmbeddedChannel(new CleartextProtocols(
                () -> List.of(new HttpServerCodec()), () -> List.of(marker)));
        String preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
        channel.writeInbound(Unpooled.copiedBuffer(preface.substring(0, 10), StandardCharsets.US_ASCII));
        assertNotNull(channel.pipeline().get(CleartextProtocols.class), "not decided on a part of the preface");
        channel.writeInbound(Unpooled.copiedBuffer(preface.substring(10) + "frames", StandardCharsets.US_ASCII));
        assertNull(channel.pipeline().get(CleartextProtocols.class));
        assertNull(channel.pipeline().get(HttpServerCodec.class));
        assertTrue(channel.pipeline().toMap().containsValue(marker));
        ByteBuf passed = channel.readInbound();
        assertEquals(preface + "frames", passed.toString(StandardCharsets.US_ASCII), "every byte handed on");
        passed.release();
        channel.finishAndReleaseAll();
    }
}
