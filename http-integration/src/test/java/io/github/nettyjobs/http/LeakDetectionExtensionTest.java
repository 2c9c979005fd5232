package io.github.nettyjobs.http;

import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Filter;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The leak check itself: a buffer dropped without release is reported, and found by its hint. */
class LeakDetectionExtensionTest {

    @Test
    void leakedBuffer_isReportedToTheExtension() {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel(),
                "tests must run with -Dio.netty.leakDetection.level=paranoid");
        String hint = "deliberate leak " + UUID.randomUUID();
        // Netty logs the leak before it tells the listener; keep this expected one out of the build output.
        Logger detectorLogger = Logger.getLogger(ResourceLeakDetector.class.getName());
        Filter oldFilter = detectorLogger.getFilter();
        detectorLogger.setFilter(record -> !String.valueOf(record.getMessage()).contains(hint));
        List<String> others = new ArrayList<>();
        boolean found = false;
        try {
            leak(hint);
            for (int attempt = 0; attempt < 10 && !found; attempt++) {
                for (String leak : LeakDetectionExtension.collectLeaks()) {
                    if (leak.contains(hint)) {
                        found = true;
                    } else {
                        others.add(leak);
                    }
                }
            }
        } finally {
            detectorLogger.setFilter(oldFilter);
        }
        assertTrue(found, "the deliberately leaked buffer was not reported");
        assertEquals(List.of(), others, "leaks other than the deliberate one");
    }

    /** Allocates a tracked buffer and drops it unreleased; no reference survives the call. */
    private static void leak(String hint) {
        ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer(8);
        buffer.touch(hint);
        buffer.writeLong(42);
    }
}
