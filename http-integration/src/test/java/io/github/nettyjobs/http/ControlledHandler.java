package io.github.nettyjobs.http;

import io.github.nettyjobs.testing.PromisedCall;
import io.github.nettyjobs.testing.PromisedCalls;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.Promise;

/** An {@link AsyncHttpHandler} whose responses the test gives, request by request, through promises. */
final class ControlledHandler extends PromisedCalls<FullHttpRequest, FullHttpResponse, ControlledHandler.Call>
        implements AsyncHttpHandler {

    @Override
    protected Call newCall(ChannelHandlerContext ctx, FullHttpRequest request, Promise<FullHttpResponse> promise) {
        return new Call(ctx, request, promise);
    }

    /** One call of the handler. */
    static final class Call extends PromisedCall<FullHttpRequest, FullHttpResponse> {

        Call(ChannelHandlerContext ctx, FullHttpRequest request, Promise<FullHttpResponse> promise) {
            super(ctx, request, promise);
        }

        String uri() {
            return request.uri();
        }

        /** Answers with 200 and {@code body}. */
        void respond(String body) {
            promise.setSuccess(Messages.ok(body));
        }
    }
}
