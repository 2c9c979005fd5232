package io.github.nettyjobs.benchmarks.load;

import io.github.nettyjobs.http.AsyncHttpHandler;
import io.github.nettyjobs.http.HttpJobs;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;

/**
 * HTTP/1.1 keep-alive: {@code GET /} answered with the same 13-byte {@code text/plain} response by
 * {@link PlainHttpHandler} or by {@link HttpJobs#atomic(AsyncHttpHandler)}, whose handler returns
 * {@code ctx.executor().newSucceededFuture(response)}. Both pipelines have the same codec and
 * aggregator.
 */
final class HttpLoadProtocol implements LoadProtocol {

    private static final int MAX_CONTENT = 64 * 1024;
    private static final AsyncHttpHandler HELLO =
            (ctx, request) -> ctx.executor().newSucceededFuture(HelloResponses.hello(ctx.alloc()));

    @Override
    public String name() {
        return "http";
    }

    @Override
    public void initServer(ChannelPipeline pipeline, Route route) {
        pipeline.addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_CONTENT));
        pipeline.addLast(route == Route.PLAIN ? PlainHttpHandler.INSTANCE : HttpJobs.atomic(HELLO));
    }

    @Override
    public void initClient(ChannelPipeline pipeline) {
        pipeline.addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_CONTENT));
    }

    @Override
    public Object newRequest(InetSocketAddress server) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
                Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, server.getHostString() + ':' + server.getPort());
        return request;
    }

    @Override
    public boolean isSuccess(Object response) {
        return response instanceof FullHttpResponse r && HttpResponseStatus.OK.equals(r.status());
    }

    @Override
    public String wrkUrl(InetSocketAddress server) {
        return "http://" + server.getHostString() + ':' + server.getPort() + '/';
    }
}
