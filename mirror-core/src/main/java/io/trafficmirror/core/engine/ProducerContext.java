package io.trafficmirror.core.engine;

import io.trafficmirror.filter.match.SessionMatch;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What a producer uses for one offer: the header flyweight and counters, claimed from {@link ProducerContexts}
 * for the duration of that offer and released after, so any number of threads share a fixed number of them.
 * <p>
 * The claim is a sequence number: even when free, odd while claimed. A producer claims with one CAS from an even
 * value to the next odd one and releases with a release store of the next even value; so the sequence only grows,
 * and a reader that saw an odd value knows the claim it saw has ended as soon as the value differs.
 */
final class ProducerContext
{
    /** AWS's sessions-per-interface quota: room enough until a configuration has more. */
    private static final int INITIAL_SESSIONS = 3;

    private static final VarHandle SEQUENCE;

    static
    {
        try
        {
            SEQUENCE = MethodHandles.lookup().findVarHandle(ProducerContext.class, "sequence", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    final PacketHeaders headers = new PacketHeaders();
    /** What the session classifier found; replaced by a larger one only after an update adds sessions. */
    private SessionMatch match = new SessionMatch(INITIAL_SESSIONS);
    final ThreadCounters counters;
    /** False for a context made for one offer when every pooled one was busy. */
    final boolean pooled;

    /** Even when free, odd while a producer holds it; written by CAS (claim) and release store (release). */
    @SuppressWarnings("unused")
    private volatile long sequence;

    ProducerContext(final ThreadCounters counters, final boolean pooled)
    {
        this.counters = counters;
        this.pooled = pooled;
    }

    /**
     * The claiming thread: a match result with room for {@code sessions}; allocates only the first time a
     * configuration has more sessions on one interface than any before.
     */
    SessionMatch sessionMatch(final int sessions)
    {
        if (match.capacity() < sessions)
        {
            match = new SessionMatch(sessions);
        }
        return match;
    }

    /**
     * Any thread: claims the context when it is free. The CAS is a full fence: the state a producer reads after
     * it is at least as new as any state published before a reader of {@link #sequence()} saw this claim.
     */
    boolean tryClaim()
    {
        final long current = (long)SEQUENCE.getOpaque(this);
        return (current & 1) == 0 && SEQUENCE.compareAndSet(this, current, current + 1);
    }

    /**
     * The claiming thread: releases the context; its writes to the counters and flyweight are ordered before.
     */
    void release()
    {
        SEQUENCE.setRelease(this, (long)SEQUENCE.getOpaque(this) + 1);
    }

    /**
     * Any thread: the sequence, with a volatile read.
     */
    long sequence()
    {
        return (long)SEQUENCE.getVolatile(this);
    }
}
