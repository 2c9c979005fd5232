/**
 * Test fixtures shared by the library modules' tests: log capture, event loops that exist on
 * both Netty 4.1 and 4.2, a check that fails a test class on a reported {@code ByteBuf} leak,
 * handlers whose answers the test gives through promises, and the seeds of randomized tests.
 */
package io.github.nettyjobs.testing;
