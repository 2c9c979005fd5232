package io.github.nettyjobs.http;

import io.netty.handler.codec.DecoderException;

/**
 * A request's {@code Expect} that the server cannot meet (anything but {@code 100-continue}): the
 * decoding failure {@link HttpJobs#aggregator(int)} marks such a request with, answered
 * {@code 417 Expectation Failed}.
 */
final class ExpectationFailedException extends DecoderException {

    ExpectationFailedException(String expectation) {
        super("unsupported expectation: " + expectation);
        // The expectation is the client's text: the atomic handler escapes it before it is logged.
    }
}
