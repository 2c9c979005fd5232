package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.TimeUnit;

/**
 * One real event loop for a test class, for cases that cross threads: started when the class's
 * static {@code @RegisterExtension} field is created, shut down after the class.
 */
final class RealLoop implements AfterAllCallback {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());

    EventLoop loop() {
        return group.next();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
