package io.github.nettyjobs.guide;

// tag::command-server[]
import io.github.nettyjobs.SchedulerGroup;
import io.github.nettyjobs.channel.AtomicHandler;
import io.github.nettyjobs.channel.JobsHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringEncoder;

import java.nio.charset.StandardCharsets;

/** The pipeline: frames, the decoder of requests, the encoder of answers, then the atomic handler. */
final class CommandServer {

    private CommandServer() {
    }

    static Channel start(EventLoopGroup boss, EventLoopGroup workers, SchedulerGroup jobs, int port)
            throws InterruptedException {
        AtomicHandler.Builder<Command, String> atomic = AtomicHandler.builder(Command.class, new Commands())
                .protocol(CommandProtocol.INSTANCE);
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .handler(new JobsHandler(jobs))                 // each connection: its loop's scheduler
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(1024),
                                new StringEncoder(StandardCharsets.UTF_8),
                                new CommandDecoder(),
                                atomic.build());                // a new atomic handler per connection
                    }
                })
                .bind(port).sync().channel();
    }
}
// end::command-server[]
