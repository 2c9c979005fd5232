/** A consumer of the library jars on the module path, as an application would be. */
module io.github.nettyjobs.consumer {
    requires io.github.nettyjobs;
    requires io.github.nettyjobs.http;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.codec.http;
}
