package io.github.nettyjobs.guide;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.AtomicProtocol;
import io.github.nettyjobs.testing.EventLoops;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The complete protocol of {@code docs/channel-integration.md} ({@link Command}, {@link CommandDecoder},
 * {@link CommandProtocol}, {@link Commands}, {@link CommandServer}): the page shows every class
 * exactly as compiled here, and the server answers over a real socket as the page says.
 */
@Timeout(30)
class ChannelGuideTest {

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();

    @Test
    void guide_showsEveryClassOfTheProtocolVerbatim() throws Exception {
        assertEquals(List.of("command"), GuideSnippets.assertShown(GuideSnippets.CHANNEL_GUIDE, "Command.java"));
        assertEquals(List.of("command-decoder"),
                GuideSnippets.assertShown(GuideSnippets.CHANNEL_GUIDE, "CommandDecoder.java"));
        assertEquals(List.of("command-protocol"),
                GuideSnippets.assertShown(GuideSnippets.CHANNEL_GUIDE, "CommandProtocol.java"));
        assertEquals(List.of("commands"), GuideSnippets.assertShown(GuideSnippets.CHANNEL_GUIDE, "Commands.java"));
        assertEquals(List.of("command-server"),
                GuideSnippets.assertShown(GuideSnippets.CHANNEL_GUIDE, "CommandServer.java"));
    }

    @Test
    void guide_declaresEveryMethodOfAtomicProtocol_withWhetherItHasADefault() throws Exception {
        String page = Files.readString(GuideSnippets.CHANNEL_GUIDE);
        for (Method method : AtomicProtocol.class.getDeclaredMethods()) {
            if (method.isSynthetic()) {
                continue;
            }
            if (Modifier.isStatic(method.getModifiers())) {
                assertTrue(page.contains(method.getName() + "()"), () -> "not on the page: " + method);
                continue;
            }
            String type = method.getGenericReturnType().getTypeName();
            String declaration = type.substring(type.lastIndexOf('.') + 1) + " " + method.getName() + "(";
            if (method.isDefault()) {
                assertTrue(page.contains("default " + declaration), () -> "not on the page as a default: " + method);
            } else {
                assertTrue(page.contains("\n" + declaration), () -> "not on the page as required: " + method);
            }
        }
    }

    @Test
    void server_answersInOrder_andClosesAfterQuitAndAfterAnUndecodableLine() throws Exception {
        EventLoopGroup boss = LOOPS.newNioGroup(1);
        EventLoopGroup workers = LOOPS.newNioGroup(2);
        SchedulerGroup jobs = SchedulerGroup.create(workers, Scheduler.builder());
        Channel server = CommandServer.start(boss, workers, jobs, 0);
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        try {
            try (Socket socket = connect(port)) {
                BufferedReader in = reader(socket);
                OutputStream out = socket.getOutputStream();
                out.write("SLEEP 200\necho pipelined behind the sleep\nSLEEP soon\nFROB\nQUIT\nECHO never\n"
                        .getBytes(StandardCharsets.UTF_8));
                assertEquals("SLEPT 200", in.readLine());
                assertEquals("pipelined behind the sleep", in.readLine());
                assertEquals("ERR internal error", in.readLine());
                assertEquals("ERR unknown command", in.readLine());
                assertEquals("BYE", in.readLine());
                assertNull(in.readLine(), "QUIT closes the connection");
            }
            try (Socket socket = connect(port)) {
                BufferedReader in = reader(socket);
                socket.getOutputStream().write(new byte[] {'E', 'C', 'H', 'O', ' ', (byte) 0xff, '\n'});
                assertEquals("ERR not UTF-8", in.readLine());
                assertNull(in.readLine(), "an undecodable line closes the connection");
            }
        } finally {
            server.close().sync();
            jobs.waitAndClose(Duration.ofSeconds(5)).sync();
        }
    }

    private static Socket connect(int port) throws Exception {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static BufferedReader reader(Socket socket) throws Exception {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }
}
