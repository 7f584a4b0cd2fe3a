package io.trafficmirror.core.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How a sender waits when a duty cycle found nothing to do: spin, then yield, then park for a time that doubles up
 * to a ceiling, so an idle engine costs almost no CPU and a busy one reacts within nanoseconds. Work resets it.
 * One instance per sender thread. A sender with a {@link SenderLoop} parks in it, so that the loop's I/O and tasks
 * run while it waits.
 */
final class BackoffIdleStrategy
{
    private static final int SPINS = 100;
    private static final int YIELDS = 100;
    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long MAX_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private final SenderLoop loop;
    private int idleCycles;

    /**
     * @param loop where to park, or null to park the thread.
     */
    BackoffIdleStrategy(final SenderLoop loop)
    {
        this.loop = loop;
    }


    /**
     * @param workCount what the last duty cycle did; 0 backs off one step further.
     */
    void idle(final int workCount)
    {
        if (workCount > 0)
        {
            idleCycles = 0;
            return;
        }
        if (idleCycles < SPINS)
        {
            Thread.onSpinWait();
        }
        else if (idleCycles < SPINS + YIELDS)
        {
            Thread.yield();
        }
        else
        {
            final long nanos = Math.min(MAX_PARK_NANOS, MIN_PARK_NANOS << Math.min(idleCycles - SPINS - YIELDS, 9));
            if (loop == null)
            {
                LockSupport.parkNanos(nanos);
            }
            else
            {
                loop.park(nanos);
            }
        }
        if (idleCycles < SPINS + YIELDS + 9)
        {
            idleCycles++;
        }
    }
}
