package io.trafficmirror.core.engine;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A producer thread held inside its offer, just after it read the engine's state, until the test lets it go: the
 * way to make an update land in the middle of an offer. Uses the engine's {@code afterStateRead} test hook, which
 * {@link #release} puts back; the hook holds only this producer, a daemon, so a test that fails first strands nothing
 * else.
 */
final class HeldOffer
{
    private static final Runnable NO_HOOK = MirrorEngine.afterStateRead;

    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch resume = new CountDownLatch(1);
    private final AtomicInteger result = new AtomicInteger(-1);
    private final Thread producer;

    private HeldOffer(final SourceHandle source, final byte[] frame)
    {
        producer = new Thread(() -> result.set(source.offer(ByteBuffer.wrap(frame))), "held-offer");
        producer.setDaemon(true);
        MirrorEngine.afterStateRead = () ->
        {
            if (Thread.currentThread() == producer)
            {
                held.countDown();
                awaitUninterruptibly(resume);
            }
        };
    }

    /**
     * Starts an offer and returns once it is held.
     *
     * @param source where the frame is offered.
     * @param frame  the frame.
     * @return the held offer.
     * @throws InterruptedException when interrupted while waiting for the producer to reach the hook.
     */
    static HeldOffer start(final SourceHandle source, final byte[] frame) throws InterruptedException
    {
        final HeldOffer offer = new HeldOffer(source, frame);
        offer.producer.start();
        offer.held.await();
        return offer;
    }

    /**
     * Lets the offer finish, waits for it and removes the hook.
     *
     * @return the offer's {@link OfferResult}.
     * @throws InterruptedException when interrupted while waiting for the producer.
     */
    int release() throws InterruptedException
    {
        resume.countDown();
        producer.join();
        MirrorEngine.afterStateRead = NO_HOOK;
        return result.get();
    }

    private static void awaitUninterruptibly(final CountDownLatch latch)
    {
        while (true)
        {
            try
            {
                latch.await();
                return;
            }
            catch (final InterruptedException ex)
            {
                // held on purpose until the test lets go
            }
        }
    }
}
