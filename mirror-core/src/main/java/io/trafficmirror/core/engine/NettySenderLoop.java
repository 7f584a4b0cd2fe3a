package io.trafficmirror.core.engine;

import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.epoll.EpollIoHandler;

import java.util.concurrent.TimeUnit;

/**
 * A {@link SenderLoop} over Netty's {@link ManualIoEventLoop} with the epoll I/O handler: an event loop that runs
 * only when its owner calls it, which here is the sender's thread.
 */
final class NettySenderLoop implements SenderLoop
{
    final ManualIoEventLoop loop;
    private boolean adopted;

    private NettySenderLoop()
    {
        this.loop = new ManualIoEventLoop(null, null, EpollIoHandler.newFactory());
    }

    /**
     * @return a new loop, without an owner until {@link #adopt}.
     */
    static SenderLoop create()
    {
        return new NettySenderLoop();
    }

    @Override
    public void adopt()
    {
        if (!adopted)
        {
            adopted = true;
            loop.setOwningThread(Thread.currentThread());
        }
    }

    @Override
    public void runNow()
    {
        loop.runNow();
    }

    @Override
    public void park(final long nanos)
    {
        loop.run(Math.max(1, nanos));
    }

    @Override
    public void close()
    {
        loop.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS);
        while (!loop.isTerminated())
        {
            loop.runNow();
        }
    }
}
