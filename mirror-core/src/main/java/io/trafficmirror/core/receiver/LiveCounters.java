package io.trafficmirror.core.receiver;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters the receiving thread updates. Single writer: the receiving thread reads each value plainly
 * (it alone writes it) and stores the increment with opaque semantics ({@link AtomicLong#setOpaque}): no
 * fence, no read-modify-write, but other threads read ({@link AtomicLong#getOpaque}) a whole, recent value,
 * never a torn one. Opaque gives no ordering between counters, which a snapshot does not need.
 */
final class LiveCounters
{
    final AtomicLong received = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong acceptedBytes = new AtomicLong();
    final AtomicLong droppedSender = new AtomicLong();
    final AtomicLong droppedVni = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong droppedNotEthernet = new AtomicLong();
    final AtomicLong droppedWriterBehind = new AtomicLong();

    /** Called only by the receiving thread. */
    static void increment(final AtomicLong counter)
    {
        counter.setOpaque(counter.getPlain() + 1);
    }

    /** Called only by the receiving thread. */
    static void add(final AtomicLong counter, final long amount)
    {
        counter.setOpaque(counter.getPlain() + amount);
    }

    /** Any thread. */
    ReceiverCounters snapshot()
    {
        return new ReceiverCounters(received.getOpaque(), accepted.getOpaque(), acceptedBytes.getOpaque(),
            droppedSender.getOpaque(), droppedVni.getOpaque(), malformed.getOpaque(), droppedNotEthernet.getOpaque(),
            droppedWriterBehind.getOpaque());
    }
}
