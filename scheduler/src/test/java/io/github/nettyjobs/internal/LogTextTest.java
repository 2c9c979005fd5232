package io.github.nettyjobs.internal;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogTextTest {

    @Test
    void plainText_isReturnedAsIs() {
        String name = "sleep-3 café";
        assertSame(name, LogText.escape(name));
    }

    @Test
    void lineBreaks_cannotForgeALogLine() {
        String forged = LogText.escape("job\r\n2026-11-29 WARN forged entry");
        assertEquals("job\\r\\n2026-11-29 WARN forged entry", forged);
        assertFalse(forged.contains("\n") || forged.contains("\r"));
    }

    @Test
    void otherControlCharacters_areEscapedAsUnicode() {
        assertEquals("a\\tb\\u001b[31mc\\u007f\\u0085", LogText.escape("a\tb\u001b[31mc\u007f\u0085"));
    }

    @Test
    void longText_isCut() {
        String escaped = LogText.escape("x".repeat(1000));
        assertTrue(escaped.startsWith("x".repeat(LogText.MAX_LENGTH) + "...(744 more)"), escaped);
    }

    @Test
    void null_isWrittenAsNull() {
        assertEquals("null", LogText.escape(null));
    }
}
