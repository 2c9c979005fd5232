package io.github.nettyjobs;

import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static io.github.nettyjobs.SchedulerAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Configuration through {@link Scheduler.Builder}: defaults, values, validation, reuse. */
@Timeout(10)
class SchedulerBuilderTest {

    @RegisterExtension
    final SchedulerFixture fixture = new SchedulerFixture();
    private final EventLoop loop = fixture.loop();

    @Test
    void build_withoutSettings_usesAiojobsDefaults() {
        Scheduler scheduler = Scheduler.builder().build(loop);

        assertEquals(100, scheduler.limit());
        assertEquals(10_000, scheduler.pendingLimit());
        assertEquals(Duration.ofMillis(100), scheduler.closeTimeout());
        assertEquals(Duration.ofSeconds(60), scheduler.waitTimeout());
        assertNull(scheduler.exceptionHandler());
        assertSame(loop, scheduler.executor());
    }

    @Test
    void build_withSettings_exposesThem() {
        ExceptionHandler handler = (s, c) -> { };
        Scheduler scheduler = Scheduler.builder()
                .limit(2)
                .pendingLimit(3)
                .closeTimeout(Duration.ofSeconds(1))
                .waitTimeout(Duration.ofSeconds(2))
                .exceptionHandler(handler)
                .build(loop);

        assertEquals(2, scheduler.limit());
        assertEquals(3, scheduler.pendingLimit());
        assertEquals(Duration.ofSeconds(1), scheduler.closeTimeout());
        assertEquals(Duration.ofSeconds(2), scheduler.waitTimeout());
        assertSame(handler, scheduler.exceptionHandler());
    }

    @Test
    void copy_keepsTheConfiguration_andIsIndependentOfTheOriginal() {
        ExceptionHandler handler = (s, c) -> { };
        Scheduler.Builder original = Scheduler.builder().limit(2).pendingLimit(3)
                .closeTimeout(Duration.ofSeconds(1)).waitTimeout(null).exceptionHandler(handler);
        Scheduler.Builder copy = original.copy();
        original.limit(9).pendingLimit(9).closeTimeout(null).waitTimeout(Duration.ZERO).exceptionHandler(null);

        Scheduler scheduler = copy.build(loop);
        assertEquals(2, scheduler.limit());
        assertEquals(3, scheduler.pendingLimit());
        assertEquals(Duration.ofSeconds(1), scheduler.closeTimeout());
        assertNull(scheduler.waitTimeout());
        assertSame(handler, scheduler.exceptionHandler());
        assertEquals(9, original.build(loop).limit());
    }

    @Test
    void build_zeroLimits_meanUnlimitedAndAreAccepted() {
        Scheduler scheduler = Scheduler.builder().limit(0).pendingLimit(0).closeTimeout(Duration.ZERO)
                .waitTimeout(Duration.ZERO).build(loop);

        assertEquals(0, scheduler.limit());
        assertEquals(0, scheduler.pendingLimit());
        assertEquals(Duration.ZERO, scheduler.closeTimeout());
        assertEquals(Duration.ZERO, scheduler.waitTimeout());
    }

    @Test
    void build_nullTimeouts_meanNoLimit() {
        Scheduler scheduler = Scheduler.builder().closeTimeout(null).waitTimeout(null).build(loop);

        assertNull(scheduler.closeTimeout());
        assertNull(scheduler.waitTimeout());
    }

    @Test
    void exceptionHandler_null_meansDefaultHandler() {
        Scheduler scheduler = Scheduler.builder().exceptionHandler((s, c) -> { }).exceptionHandler(null)
                .build(loop);

        assertNull(scheduler.exceptionHandler());
    }

    @Test
    void limit_negative_throwsIllegalArgumentNamingLimit() {
        assertRejected(IllegalArgumentException.class, "limit", () -> Scheduler.builder().limit(-1));
    }

    @Test
    void pendingLimit_negative_throwsIllegalArgumentNamingPendingLimit() {
        assertRejected(IllegalArgumentException.class, "pendingLimit",
                () -> Scheduler.builder().pendingLimit(-1));
    }

    @Test
    void closeTimeout_negative_throwsIllegalArgumentNamingCloseTimeout() {
        assertRejected(IllegalArgumentException.class, "closeTimeout",
                () -> Scheduler.builder().closeTimeout(Duration.ofMillis(-1)));
    }

    @Test
    void waitTimeout_negative_throwsIllegalArgumentNamingWaitTimeout() {
        assertRejected(IllegalArgumentException.class, "waitTimeout",
                () -> Scheduler.builder().waitTimeout(Duration.ofNanos(-1)));
    }

    @Test
    void clock_null_throwsNpeNamingClock() {
        assertRejected(NullPointerException.class, "clock", () -> Scheduler.builder().clock(null));
    }

    @Test
    void build_nullLoop_throwsNpeNamingLoop() {
        assertRejected(NullPointerException.class, "loop", () -> Scheduler.builder().build(null));
    }

    @Test
    void builder_afterRejectedValue_keepsPreviousValue() {
        Scheduler.Builder builder = Scheduler.builder().limit(5);
        assertThrows(IllegalArgumentException.class, () -> builder.limit(-5));

        assertEquals(5, builder.build(loop).limit());
    }

    @Test
    void builder_isReusable_laterChangesDoNotAffectBuiltSchedulers() {
        Scheduler.Builder builder = Scheduler.builder().limit(2).closeTimeout(Duration.ofSeconds(1));
        Scheduler first = builder.build(loop);

        builder.limit(7).closeTimeout(Duration.ofSeconds(3));
        Scheduler second = builder.build(loop);

        assertEquals(2, first.limit());
        assertEquals(Duration.ofSeconds(1), first.closeTimeout());
        assertEquals(7, second.limit());
        assertEquals(Duration.ofSeconds(3), second.closeTimeout());
        assertEquals(7, builder.build(loop).limit());
    }
}
