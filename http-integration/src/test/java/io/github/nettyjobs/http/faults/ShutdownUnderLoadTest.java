package io.github.nettyjobs.http.faults;

import io.github.nettyjobs.Scheduler;
import io.github.nettyjobs.http.RawHttpClient;
import io.github.nettyjobs.testing.LeakDetectionExtension;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.nettyjobs.http.RawHttpClient.get;
import static io.github.nettyjobs.http.faults.FaultServer.WAIT_SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Server shutdown while clients keep pipelining requests whose atomic jobs are in flight, in the
 * order a server should follow: stop accepting, {@code waitAndClose} the schedulers, stop the
 * loops. Every request whose job started is answered on its still-open connection or, if the
 * grace period ran out, its job was cancelled and it got {@code 503}; either way every job has
 * ended before the loops stop, and nothing leaks.
 */
@ExtendWith(LeakDetectionExtension.class)
class ShutdownUnderLoadTest {

    private static final int CLIENTS = 6;
    private static final int REQUESTS_PER_CLIENT = 300;
    private static final int PIPELINE_DEPTH = 40;

    @Test
    void gracefulShutdownUnderLoad_answersEveryAcceptedRequest() throws Exception {
        Outcome outcome = shutDownUnderLoad(Duration.ofSeconds(WAIT_SECONDS), false);
        // The grace period outlasts the load: no job was cut short, and every job that started was
        // answered 200. waitAndClose closes at the first moment nothing is left, so requests that
        // arrive on a kept-alive connection after that may get 503, and only those.
        assertEquals(0, outcome.jobsCancelled, "jobs cancelled by the shutdown");
        assertEquals(outcome.ok.get(), outcome.jobsFinished, "every job that finished was answered");
    }

    @Test
    void shutdownWhoseGracePeriodRunsOut_cancelsTheRest_andEveryJobEndsBeforeTheLoopsStop() throws Exception {
        Outcome outcome = shutDownUnderLoad(Duration.ofMillis(50), true);
        assertTrue(outcome.unavailable.get() > 0, "no 503: the grace period did not run out under load");
    }

    private static final class Outcome {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger unavailable = new AtomicInteger();
        final AtomicInteger unanswered = new AtomicInteger();
        int jobsStarted;
        int jobsFinished;
        int jobsCancelled;
    }

    /**
     * Runs {@link #CLIENTS} clients that each pipeline {@link #REQUESTS_PER_CLIENT} requests (some
     * wait at a gate that never opens when {@code stuckJobs}), and shuts the server down once a
     * third of the answers are in. Checks each client's answers and the jobs' books.
     */
    private static Outcome shutDownUnderLoad(Duration grace, boolean stuckJobs) throws Exception {
        Outcome outcome = new Outcome();
        int total = CLIENTS * REQUESTS_PER_CLIENT;
        CountDownLatch thirdAnswered = new CountDownLatch(total / 3);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        FaultServer server = FaultServer.start(Scheduler.builder().limit(8).pendingLimit(16), b -> { });
        List<Thread> threads = new ArrayList<>();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                int clientId = c;
                Thread thread = new Thread(() -> {
                    try {
                        runClient(server, clientId, stuckJobs, outcome, thirdAnswered);
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }, "shutdown-client-" + c);
                threads.add(thread);
                thread.start();
            }
            assertTrue(thirdAnswered.await(WAIT_SECONDS, TimeUnit.SECONDS) || !failures.isEmpty(),
                    "a third of the requests was not answered in time");

            // The shutdown, as a server should do it.
            assertTrue(server.serverChannel().close().await(WAIT_SECONDS, TimeUnit.SECONDS), "stop accepting");
            Future<Void> closed = server.jobs.waitAndClose(grace);
            assertTrue(closed.await(WAIT_SECONDS * 2, TimeUnit.SECONDS), "waitAndClose never completed");
            assertTrue(closed.isSuccess(), "waitAndClose failed: " + closed.cause());
            assertEquals(server.handler.started.get(), server.handler.finished.get(),
                    "jobs still running once the schedulers are closed");
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                assertTrue(!thread.isAlive(), thread.getName() + " still running");
            }
        } finally {
            server.close();
        }
        assertTrue(failures.isEmpty(), "client failures: " + failures);
        outcome.jobsStarted = server.handler.started.get();
        outcome.jobsFinished = server.handler.finished.get();
        outcome.jobsCancelled = server.handler.cancelled.get();
        assertEquals(outcome.jobsStarted, outcome.jobsFinished, "every job ended before the loops stopped");
        assertTrue(outcome.ok.get() <= outcome.jobsFinished, "more 200s than jobs");
        assertEquals(total, outcome.ok.get() + outcome.unavailable.get() + outcome.unanswered.get(),
                "requests accounted");
        System.out.println("shutdown under load (grace " + grace.toMillis() + " ms): " + outcome.ok + " answered 200, "
                + outcome.unavailable + " answered 503, " + outcome.unanswered
                        + " unanswered after the connection closed; "
                + outcome.jobsStarted + " jobs started, " + outcome.jobsFinished + " ended");
        return outcome;
    }

    /**
     * Pipelines the requests from a writer thread and reads the answers: a prefix of correct 200s
     * in order, then possibly 503s (each closing the connection), then the end of the connection.
     * The last request asks to close the connection, so a connection served to the end closes too.
     */
    private static void runClient(FaultServer server, int clientId, boolean stuckJobs, Outcome outcome,
            CountDownLatch progress)
            throws Exception {
        SplittableRandom random = new SplittableRandom(31L * clientId + 7);
        String[] requests = new String[REQUESTS_PER_CLIENT];
        String[] bodies = new String[REQUESTS_PER_CLIENT];
        for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
            int id = clientId * 100_000 + i;
            if (stuckJobs && i > REQUESTS_PER_CLIENT / 2 && random.nextInt(10) == 0) {
                requests[i] = get("/gate/" + id);
                bodies[i] = "gate";
            } else {
                requests[i] = get("/slow/" + id + "/" + random.nextInt(3));
                bodies[i] = "slow " + id;
            }
        }
        requests[REQUESTS_PER_CLIENT - 1] = requests[REQUESTS_PER_CLIENT - 1].replaceFirst("\r\n",
                "\r\nConnection: close\r\n");
        try (RawHttpClient client = server.connect()) {
            // At most PIPELINE_DEPTH requests unanswered, in bursts of up to 10: within the HTTP codec's pipeline
            // depth.
            Semaphore window = new Semaphore(PIPELINE_DEPTH);
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i += 10) {
                        StringBuilder burst = new StringBuilder();
                        int end = Math.min(REQUESTS_PER_CLIENT, i + 10);
                        window.acquire(end - i);
                        for (int j = i; j < end; j++) {
                            burst.append(requests[j]);
                        }
                        client.send(burst.toString());
                    }
                } catch (IOException closedByServer) {
                    // the server closed the connection after a 503: the rest stays unsent
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, Thread.currentThread().getName() + "-writer");
            writer.start();
            int i = 0;
            boolean closing = false;
            for (; i < REQUESTS_PER_CLIENT && !closing; i++) {
                RawHttpClient.Response response = client.readOrNull();
                if (response == null) {
                    break;
                }
                progress.countDown();
                window.release();
                if (response.status == 503) {
                    outcome.unavailable.incrementAndGet();
                    assertEquals("close", response.header("connection"), "a 503 closes the connection");
                    closing = true;
                } else {
                    assertEquals(200, response.status, "request " + i + ": " + response);
                    assertEquals(bodies[i], response.body(), "request " + i + " answered out of order");
                    outcome.ok.incrementAndGet();
                }
            }
            outcome.unanswered.addAndGet(REQUESTS_PER_CLIENT - i);
            window.release(REQUESTS_PER_CLIENT); // a writer still waiting for room finds the connection closed
            assertTrue(i == REQUESTS_PER_CLIENT || client.closedByServer(),
                    "unanswered requests on an open connection");
            client.abort();
            writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
    }
}
